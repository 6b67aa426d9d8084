// Fuzz target: the WebSocket frame parser on arbitrary client bytes, fed in
// two pieces split where the first input byte says (as a socket would hand
// them over). Invariants: it never consumes more than it was given, a text
// message is valid UTF-8, no message exceeds the limit, a close code it
// hands out is one a peer may send, and an error always names a code.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "protocols/http/ws_frame_codec.hpp"

namespace ws = signalbox::http::ws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  constexpr size_t limit = 4096;
  size_t split = data[0] % size;
  std::string input{reinterpret_cast<const char*>(data) + 1, size - 1};
  ws::frame_parser parser{limit};
  std::string buffer;
  size_t fed = 0;
  for (int round = 0; round < 2; ++round) {
    auto upto = round == 0 ? std::min(split, input.size()) : input.size();
    buffer.append(input, fed, upto - fed);
    fed = upto;
    for (;;) {
      auto e = parser.parse(buffer.data(), buffer.size());
      using kind = ws::frame_parser::kind;
      if (e.what == kind::need_more)
        break;
      if (e.what == kind::error) {
        if (e.code < 1000 || e.reason == nullptr || *e.reason == '\0')
          std::abort();
        return 0; // the connection is failed: nothing more is parsed
      }
      if (e.consumed == 0 || e.consumed > buffer.size())
        std::abort();
      if (e.what == kind::message) {
        if (e.payload.size() > limit)
          std::abort();
        if (e.type == ws::opcode::text && !ws::valid_utf8(e.payload))
          std::abort();
      }
      if (e.what == kind::close && e.code != ws::close_code::no_status &&
          !ws::valid_close_code(e.code))
        std::abort();
      buffer.erase(0, e.consumed);
    }
  }
  return 0;
}
