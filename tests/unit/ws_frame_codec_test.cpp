#define CAF_SUITE ws_frame_codec
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fixture.hpp"
#include "protocols/http/ws_frame_codec.hpp"

using namespace signalbox::http;
using namespace std::literals;

using ws::frame_parser;
using kind = frame_parser::kind;

namespace {

// -- helpers ------------------------------------------------------------------

/// `bytes` as lowercase hex pairs separated by spaces: "81 7e 00 7e".
std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty())
      out += ' ';
    out += digits[c >> 4];
    out += digits[c & 0x0F];
  }
  return out;
}

/// Printable ASCII as is, everything else as \xHH.
std::string escaped(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0x0F];
    }
  }
  return out;
}

std::string name(kind k) {
  switch (k) {
  case kind::need_more:
    return "need_more";
  case kind::frame:
    return "frame";
  case kind::message:
    return "message";
  case kind::ping:
    return "ping";
  case kind::pong:
    return "pong";
  case kind::close:
    return "close";
  case kind::error:
    return "error";
  }
  return "kind(" + std::to_string(static_cast<int>(k)) + ")";
}

std::string name(ws::opcode op) {
  switch (op) {
  case ws::opcode::continuation:
    return "continuation";
  case ws::opcode::text:
    return "text";
  case ws::opcode::binary:
    return "binary";
  case ws::opcode::close:
    return "close";
  case ws::opcode::ping:
    return "ping";
  case ws::opcode::pong:
    return "pong";
  }
  return "opcode(" + std::to_string(static_cast<int>(op)) + ")";
}

/// The header write_header produces, as a string of its returned length.
std::string header_of(ws::opcode op, uint64_t size) {
  char buf[ws::max_header_bytes];
  std::memset(buf, 0xEE, sizeof(buf));
  auto n = ws::write_header(buf, op, size);
  if (n > sizeof(buf))
    CAF_FAIL("write_header returned " << n);
  return std::string(buf, n);
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (auto v : values)
    out += static_cast<char>(v);
  return out;
}

/// A close frame body: the code big-endian, then the reason.
std::string close_body(uint16_t code, std::string_view reason = {}) {
  std::string out;
  out += static_cast<char>(code >> 8);
  out += static_cast<char>(code & 0xFF);
  out += reason;
  return out;
}

/// The mask key of the example in RFC 6455 section 5.7.
constexpr uint32_t rfc_mask = 0x37fa213d;

/// Builds the frames a client sends: masked (unless told otherwise), with a
/// chosen mask key, FIN and RSV bits, opcode (any 4-bit value) and length
/// encoding (the minimal one unless told otherwise).
class client {
public:
  explicit client(int op) : op_(op) {}

  client& fin(bool value) {
    fin_ = value;
    return *this;
  }
  /// `bits` as in the first byte: 0x40 (RSV1), 0x20 (RSV2), 0x10 (RSV3).
  client& rsv(uint8_t bits) {
    rsv_ = bits;
    return *this;
  }
  client& unmasked() {
    masked_ = false;
    return *this;
  }
  client& mask(uint32_t key) {
    mask_ = key;
    return *this;
  }
  /// 7, 16 or 64; 0 picks the minimal encoding.
  client& length_bits(int bits) {
    length_bits_ = bits;
    return *this;
  }

  /// The frame header (with the mask key) announcing `len` payload bytes.
  std::string header(uint64_t len) const {
    std::string out;
    out += static_cast<char>((fin_ ? 0x80 : 0) | rsv_ | (op_ & 0x0F));
    uint8_t mask_bit = masked_ ? 0x80 : 0;
    auto bits = length_bits_;
    if (bits == 0)
      bits = len <= 125 ? 7 : len <= 0xFFFF ? 16 : 64;
    if (bits == 7) {
      out += static_cast<char>(mask_bit | static_cast<uint8_t>(len));
    } else if (bits == 16) {
      out += static_cast<char>(mask_bit | 126);
      out += static_cast<char>((len >> 8) & 0xFF);
      out += static_cast<char>(len & 0xFF);
    } else {
      out += static_cast<char>(mask_bit | 127);
      for (int shift = 56; shift >= 0; shift -= 8)
        out += static_cast<char>((len >> shift) & 0xFF);
    }
    if (masked_)
      for (int shift = 24; shift >= 0; shift -= 8)
        out += static_cast<char>((mask_ >> shift) & 0xFF);
    return out;
  }

  /// The whole frame carrying `payload` (masked with the key).
  std::string frame(std::string_view payload) const {
    auto out = header(payload.size());
    for (size_t i = 0; i < payload.size(); ++i) {
      auto c = static_cast<uint8_t>(payload[i]);
      if (masked_)
        c ^= static_cast<uint8_t>(mask_ >> (24 - 8 * (i % 4)));
      out += static_cast<char>(c);
    }
    return out;
  }

private:
  int op_;
  bool fin_ = true;
  uint8_t rsv_ = 0;
  bool masked_ = true;
  uint32_t mask_ = rfc_mask;
  int length_bits_ = 0;
};

client text() {
  return client{0x1};
}
client binary() {
  return client{0x2};
}
client cont() {
  return client{0x0};
}
client close_op() {
  return client{0x8};
}
client ping() {
  return client{0x9};
}
client pong() {
  return client{0xA};
}

/// One parse event, copied out of the parser's views.
struct result {
  kind what = kind::need_more;
  size_t consumed = 0;
  ws::opcode type = ws::opcode::text;
  std::string payload;
  uint16_t code = 0;
  std::string reason;
  bool reason_null = false;
};

result copy(const frame_parser::event& ev) {
  result r;
  r.what = ev.what;
  r.consumed = ev.consumed;
  r.type = ev.type;
  r.payload = std::string{ev.payload};
  r.code = ev.code;
  r.reason_null = ev.reason == nullptr;
  if (ev.reason != nullptr)
    r.reason = ev.reason;
  return r;
}

/// One event in words: "need_more", "frame", "text:Hello", "binary:..",
/// "ping:..", "pong:..", "close:1000:bye", "error:1002".
std::string describe(const result& r) {
  switch (r.what) {
  case kind::message:
    return name(r.type) + ":" + escaped(r.payload);
  case kind::ping:
    return "ping:" + escaped(r.payload);
  case kind::pong:
    return "pong:" + escaped(r.payload);
  case kind::close:
    return "close:" + std::to_string(r.code) + ":" + escaped(r.payload);
  case kind::error:
    return "error:" + std::to_string(r.code);
  default:
    return name(r.what);
  }
}

/// Parses `input` (a copy: the parser unmasks in place) frame after frame
/// until it is used up, more bytes are needed or an error comes; describes
/// every event, " | " between them. Checks the bookkeeping on the way: need
/// more and errors consume nothing, everything else consumes something.
std::string parse_all(frame_parser& p, std::string input,
                      size_t* total_consumed = nullptr) {
  std::string out;
  size_t offset = 0;
  for (;;) {
    if (offset == input.size() && offset > 0)
      break;
    auto r = copy(p.parse(input.data() + offset, input.size() - offset));
    if (!out.empty())
      out += " | ";
    out += describe(r);
    if (r.what == kind::need_more || r.what == kind::error) {
      CAF_CHECK_EQUAL(r.consumed, 0u);
      break;
    }
    CAF_CHECK_GREATER(r.consumed, 0u);
    CAF_CHECK_LESS_OR_EQUAL(r.consumed, input.size() - offset);
    if (r.consumed == 0 || r.consumed > input.size() - offset)
      break;
    offset += r.consumed;
  }
  if (total_consumed != nullptr)
    *total_consumed = offset;
  return out;
}

/// Parses `input` once and returns the event.
result parse_one(frame_parser& p, std::string input) {
  return copy(p.parse(input.data(), input.size()));
}

/// Requires that `input`, parsed as one call, fails the connection with
/// `code`, consuming nothing and giving a usable reason.
void check_error(frame_parser& p, std::string input, uint16_t code,
                 const std::string& what) {
  auto r = parse_one(p, std::move(input));
  if (r.what != kind::error || r.code != code)
    CAF_MESSAGE("case: " << what);
  CAF_CHECK_EQUAL(name(r.what), "error");
  CAF_CHECK_EQUAL(r.code, code);
  CAF_CHECK_EQUAL(r.consumed, 0u);
  // The reason ends up in a close frame: non-null, short, valid UTF-8.
  CAF_CHECK(!r.reason_null);
  CAF_CHECK(!r.reason.empty());
  CAF_CHECK_LESS_OR_EQUAL(r.reason.size(), ws::max_control_payload - 2);
  CAF_CHECK(ws::valid_utf8(r.reason));
}

/// A fresh parser with a roomy limit.
constexpr size_t roomy = 1u << 20;

/// UTF-8 per RFC 3629, written out table by table: the reference the
/// codec's valid_utf8 is compared with.
bool reference_utf8(std::string_view s) {
  size_t i = 0;
  auto in = [&](size_t at, int lo, int hi) {
    if (at >= s.size())
      return false;
    auto c = static_cast<uint8_t>(s[at]);
    return c >= lo && c <= hi;
  };
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c <= 0x7F) {
      i += 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!in(i + 1, 0x80, 0xBF))
        return false;
      i += 2;
    } else if (c == 0xE0) {
      if (!in(i + 1, 0xA0, 0xBF) || !in(i + 2, 0x80, 0xBF))
        return false;
      i += 3;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      if (!in(i + 1, 0x80, 0xBF) || !in(i + 2, 0x80, 0xBF))
        return false;
      i += 3;
    } else if (c == 0xED) {
      if (!in(i + 1, 0x80, 0x9F) || !in(i + 2, 0x80, 0xBF))
        return false;
      i += 3;
    } else if (c == 0xF0) {
      if (!in(i + 1, 0x90, 0xBF) || !in(i + 2, 0x80, 0xBF) ||
          !in(i + 3, 0x80, 0xBF))
        return false;
      i += 4;
    } else if (c >= 0xF1 && c <= 0xF3) {
      if (!in(i + 1, 0x80, 0xBF) || !in(i + 2, 0x80, 0xBF) ||
          !in(i + 3, 0x80, 0xBF))
        return false;
      i += 4;
    } else if (c == 0xF4) {
      if (!in(i + 1, 0x80, 0x8F) || !in(i + 2, 0x80, 0xBF) ||
          !in(i + 3, 0x80, 0xBF))
        return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

/// Encodes a code point (any value up to 0x10FFFF, surrogates included) the
/// way a naive encoder would.
std::string encode_utf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

} // namespace

// -- write_header -------------------------------------------------------------

CAF_TEST(write_header uses one length byte up to 125) {
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 0)), "81 00");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 1)), "81 01");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 5)), "81 05");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 125)), "81 7d");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::binary, 125)), "82 7d");
}

CAF_TEST(write_header uses a 16 bit big endian length from 126 to 65535) {
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 126)), "81 7e 00 7e");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 127)), "81 7e 00 7f");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 256)), "81 7e 01 00");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::binary, 0x1234)), "82 7e 12 34");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 65535)), "81 7e ff ff");
}

CAF_TEST(write_header uses a 64 bit big endian length from 65536) {
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::text, 65536)),
                  "81 7f 00 00 00 00 00 01 00 00");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::binary, 0xFFFFFFFFull)),
                  "82 7f 00 00 00 00 ff ff ff ff");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::binary, (1ull << 32) + 5)),
                  "82 7f 00 00 00 01 00 00 00 05");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::binary, 0x0102030405060708ull)),
                  "82 7f 01 02 03 04 05 06 07 08");
}

CAF_TEST(write_header sets FIN and the opcode and never the mask bit) {
  const std::pair<ws::opcode, int> ops[] = {
      {ws::opcode::text, 0x1},  {ws::opcode::binary, 0x2},
      {ws::opcode::close, 0x8}, {ws::opcode::ping, 0x9},
      {ws::opcode::pong, 0xA},
  };
  const uint64_t sizes[] = {0, 1, 125, 126, 65535, 65536, (1ull << 32) + 1};
  for (auto [op, value] : ops) {
    for (auto size : sizes) {
      auto h = header_of(op, size);
      CAF_REQUIRE_GREATER_OR_EQUAL(h.size(), 2u);
      CAF_CHECK_EQUAL(static_cast<int>(static_cast<uint8_t>(h[0])),
                      0x80 | value);
      CAF_CHECK_EQUAL(static_cast<uint8_t>(h[1]) & 0x80, 0);
      auto expected_size = size <= 125 ? 2u : size <= 65535 ? 4u : 10u;
      CAF_CHECK_EQUAL(h.size(), expected_size);
    }
  }
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::close, 2)), "88 02");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::ping, 0)), "89 00");
  CAF_CHECK_EQUAL(hex(header_of(ws::opcode::pong, 125)), "8a 7d");
}

CAF_TEST(write_header writes no further than the length it returns) {
  const uint64_t sizes[] = {0, 125, 126, 65535, 65536, 1ull << 40};
  for (auto size : sizes) {
    char buf[ws::max_header_bytes + 4];
    std::memset(buf, 0xEE, sizeof(buf));
    auto n = ws::write_header(buf, ws::opcode::binary, size);
    CAF_REQUIRE_LESS_OR_EQUAL(n, ws::max_header_bytes);
    for (auto i = n; i < sizeof(buf); ++i)
      CAF_CHECK_EQUAL(static_cast<uint8_t>(buf[i]), 0xEE);
  }
}

// -- make_frame ---------------------------------------------------------------

CAF_TEST(make_frame is the header followed by the payload) {
  CAF_CHECK_EQUAL(hex(ws::make_frame(ws::opcode::text, "")), "81 00");
  CAF_CHECK_EQUAL(hex(ws::make_frame(ws::opcode::text, "Hello")),
                  "81 05 48 65 6c 6c 6f");
  CAF_CHECK_EQUAL(hex(ws::make_frame(ws::opcode::binary, "\0\xff\x80"sv)),
                  "82 03 00 ff 80");
  CAF_CHECK_EQUAL(hex(ws::make_frame(ws::opcode::ping, "p")), "89 01 70");
  CAF_CHECK_EQUAL(hex(ws::make_frame(ws::opcode::pong, "")), "8a 00");
  for (size_t size : {125u, 126u, 65535u, 65536u, 70000u}) {
    std::string payload(size, '\0');
    for (size_t i = 0; i < size; ++i)
      payload[i] = static_cast<char>(i * 7 + 3);
    auto frame = ws::make_frame(ws::opcode::binary, payload);
    auto header = header_of(ws::opcode::binary, size);
    CAF_CHECK_EQUAL(frame.size(), header.size() + size);
    CAF_CHECK_EQUAL(hex(frame.substr(0, header.size())), hex(header));
    CAF_CHECK(frame.compare(header.size(), std::string::npos, payload) == 0);
  }
  CAF_CHECK_EQUAL(
      hex(ws::make_frame(ws::opcode::text, std::string(126, 'a')).substr(0, 4)),
      "81 7e 00 7e");
  CAF_CHECK_EQUAL(hex(ws::make_frame(ws::opcode::text, std::string(65536, 'a'))
                          .substr(0, 10)),
                  "81 7f 00 00 00 00 00 01 00 00");
}

// -- make_close_frame ---------------------------------------------------------

CAF_TEST(make_close_frame carries the code big endian and the reason) {
  CAF_CHECK_EQUAL(hex(ws::make_close_frame(1000, "bye")),
                  "88 05 03 e8 62 79 65");
  CAF_CHECK_EQUAL(hex(ws::make_close_frame(ws::close_code::going_away, "")),
                  "88 02 03 e9");
  CAF_CHECK_EQUAL(hex(ws::make_close_frame(ws::close_code::too_big, "")),
                  "88 02 03 f1");
  CAF_CHECK_EQUAL(hex(ws::make_close_frame(4999, "")), "88 02 13 87");
  CAF_CHECK_EQUAL(hex(ws::make_close_frame(0xABCD, "")), "88 02 ab cd");
  auto reason = std::string(123, 'r');
  CAF_CHECK_EQUAL(ws::make_close_frame(1000, reason),
                  "\x88\x7d\x03\xe8"s + reason);
}

CAF_TEST(make_close_frame without a status has no body) {
  CAF_CHECK_EQUAL(hex(ws::make_close_frame(ws::close_code::no_status, "")),
                  "88 00");
  CAF_CHECK_EQUAL(
      hex(ws::make_close_frame(ws::close_code::no_status, "ignored")), "88 00");
}

CAF_TEST(make_close_frame cuts long reasons on a UTF8 boundary) {
  struct case_t {
    std::string reason;
    size_t kept; // bytes of the reason in the frame
  };
  auto times = [](std::string_view s, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i)
      out += s;
    return out;
  };
  const case_t cases[] = {
      {std::string(124, 'x'), 123},
      {std::string(500, 'x'), 123},
      {times("\xc3\xa9", 61) + "x", 123},      // 123 bytes: fits exactly
      {times("\xc3\xa9", 62), 122},            // 124 bytes of 2-byte characters
      {"x" + times("\xc3\xa9", 62), 123},      // boundary at 123
      {times("\xe2\x82\xac", 41), 123},        // 123 bytes of 3-byte characters
      {times("\xe2\x82\xac", 42), 123},        // 126: boundary at 123
      {"a" + times("\xe2\x82\xac", 41), 121},  // 124: boundary at 121
      {"ab" + times("\xe2\x82\xac", 41), 122}, // 125: boundary at 122
      {times("\xf0\x9f\x9a\x82", 31), 120},    // 124 bytes of 4-byte characters
      {"ab" + times("\xf0\x9f\x9a\x82", 31), 122},   // boundary at 122
      {"abc" + times("\xf0\x9f\x9a\x82", 31), 123},  // boundary at 123
      {"abcd" + times("\xf0\x9f\x9a\x82", 31), 120}, // boundary at 120
  };
  for (auto& c : cases) {
    auto frame = ws::make_close_frame(ws::close_code::normal, c.reason);
    CAF_MESSAGE("reason of " << c.reason.size() << " bytes");
    CAF_REQUIRE_GREATER_OR_EQUAL(frame.size(), 4u);
    CAF_CHECK_EQUAL(static_cast<uint8_t>(frame[0]), 0x88);
    CAF_CHECK_EQUAL(static_cast<size_t>(static_cast<uint8_t>(frame[1])),
                    2 + c.kept);
    CAF_CHECK_EQUAL(frame.size(), 4 + c.kept);
    CAF_CHECK_EQUAL(hex(frame.substr(2, 2)), "03 e8");
    auto body = frame.substr(4);
    CAF_CHECK_EQUAL(hex(body), hex(c.reason.substr(0, c.kept)));
    CAF_CHECK(ws::valid_utf8(body));
    CAF_CHECK_LESS_OR_EQUAL(frame.size() - 2, ws::max_control_payload);
  }
}

// -- valid_utf8 ---------------------------------------------------------------

CAF_TEST(valid_utf8 accepts well formed text) {
  CAF_CHECK(ws::valid_utf8(""));
  CAF_CHECK(ws::valid_utf8("Hello, world"));
  CAF_CHECK(ws::valid_utf8("a\0b"sv));
  CAF_CHECK(ws::valid_utf8("\0"sv));
  CAF_CHECK(ws::valid_utf8(std::string(1000, '\0')));
  CAF_CHECK(ws::valid_utf8("\x7f"));             // U+007F
  CAF_CHECK(ws::valid_utf8("\xc2\x80"));         // U+0080
  CAF_CHECK(ws::valid_utf8("\xc3\xa4"));         // U+00E4
  CAF_CHECK(ws::valid_utf8("\xdf\xbf"));         // U+07FF
  CAF_CHECK(ws::valid_utf8("\xe0\xa0\x80"));     // U+0800
  CAF_CHECK(ws::valid_utf8("\xe2\x82\xac"));     // U+20AC
  CAF_CHECK(ws::valid_utf8("\xed\x9f\xbf"));     // U+D7FF
  CAF_CHECK(ws::valid_utf8("\xee\x80\x80"));     // U+E000
  CAF_CHECK(ws::valid_utf8("\xef\xbf\xbd"));     // U+FFFD
  CAF_CHECK(ws::valid_utf8("\xef\xbf\xbf"));     // U+FFFF
  CAF_CHECK(ws::valid_utf8("\xf0\x90\x80\x80")); // U+10000
  CAF_CHECK(ws::valid_utf8("\xf0\x9f\x9a\x82")); // U+1F682
  CAF_CHECK(ws::valid_utf8("\xf3\xbf\xbf\xbf")); // U+FFFFF
  CAF_CHECK(ws::valid_utf8("\xf4\x80\x80\x80")); // U+100000
  CAF_CHECK(ws::valid_utf8("\xf4\x8f\xbf\xbf")); // U+10FFFF
  CAF_CHECK(ws::valid_utf8("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"));
  CAF_CHECK(ws::valid_utf8("x\xc3\xa4\xe2\x82\xac\xf0\x9f\x9a\x82x"));
  // Long runs, in case of a word-at-a-time fast path.
  auto long_text = std::string(37, 'a') + "\xe2\x82\xac" +
                   std::string(61, 'b') + "\xf0\x9f\x9a\x82" +
                   std::string(5, 'c');
  CAF_CHECK(ws::valid_utf8(long_text));
}

CAF_TEST(valid_utf8 rejects overlong forms surrogates and too large values) {
  // Overlong.
  CAF_CHECK(!ws::valid_utf8("\xc0\x80"));
  CAF_CHECK(!ws::valid_utf8("\xc0\xaf"));
  CAF_CHECK(!ws::valid_utf8("\xc1\xbf"));
  CAF_CHECK(!ws::valid_utf8("\xe0\x80\x80"));
  CAF_CHECK(!ws::valid_utf8("\xe0\x80\xaf"));
  CAF_CHECK(!ws::valid_utf8("\xe0\x9f\xbf"));
  CAF_CHECK(!ws::valid_utf8("\xf0\x80\x80\x80"));
  CAF_CHECK(!ws::valid_utf8("\xf0\x80\x80\xaf"));
  CAF_CHECK(!ws::valid_utf8("\xf0\x8f\xbf\xbf"));
  // Surrogates, alone and paired.
  CAF_CHECK(!ws::valid_utf8("\xed\xa0\x80"));
  CAF_CHECK(!ws::valid_utf8("\xed\xad\xbf"));
  CAF_CHECK(!ws::valid_utf8("\xed\xb0\x80"));
  CAF_CHECK(!ws::valid_utf8("\xed\xbf\xbf"));
  CAF_CHECK(!ws::valid_utf8("\xed\xa0\x80\xed\xb0\x80"));
  CAF_CHECK(!ws::valid_utf8("a\xed\xa0\x80z"));
  // Above U+10FFFF and lead bytes that never occur.
  CAF_CHECK(!ws::valid_utf8("\xf4\x90\x80\x80"));
  CAF_CHECK(!ws::valid_utf8("\xf4\xbf\xbf\xbf"));
  CAF_CHECK(!ws::valid_utf8("\xf7\xbf\xbf\xbf"));
  for (int lead = 0xF5; lead <= 0xFF; ++lead) {
    auto lone = std::string(1, static_cast<char>(lead));
    CAF_CHECK(!ws::valid_utf8(lone));
    CAF_CHECK(!ws::valid_utf8(lone + "\x80\x80\x80"));
    CAF_CHECK(!ws::valid_utf8(lone + "\x80\x80\x80\x80\x80"));
    CAF_CHECK(!ws::valid_utf8("abc" + lone));
  }
  CAF_CHECK(!ws::valid_utf8("\xf8\x88\x80\x80\x80"));     // 5-byte form
  CAF_CHECK(!ws::valid_utf8("\xfc\x84\x80\x80\x80\x80")); // 6-byte form
}

CAF_TEST(valid_utf8 rejects truncated sequences and stray continuations) {
  // Truncated at the end.
  CAF_CHECK(!ws::valid_utf8("\xc2"));
  CAF_CHECK(!ws::valid_utf8("\xe2\x82"));
  CAF_CHECK(!ws::valid_utf8("\xe2"));
  CAF_CHECK(!ws::valid_utf8("\xf0\x9f\x9a"));
  CAF_CHECK(!ws::valid_utf8("\xf0\x9f"));
  CAF_CHECK(!ws::valid_utf8("\xf0"));
  CAF_CHECK(!ws::valid_utf8("Hello\xe2\x82"));
  CAF_CHECK(!ws::valid_utf8("Hello \xf4\x8f\xbf"));
  // Truncated in the middle.
  CAF_CHECK(!ws::valid_utf8("\xc2"
                            "a"));
  CAF_CHECK(!ws::valid_utf8("\xe2\x82"
                            "a"));
  CAF_CHECK(!ws::valid_utf8("\xf0\x9f\x9a"
                            "a"));
  CAF_CHECK(!ws::valid_utf8("\xe2\x82\xe2\x82\xac"));
  CAF_CHECK(!ws::valid_utf8("\xc2\0"sv));
  // Continuation bytes where a character should start.
  CAF_CHECK(!ws::valid_utf8("\x80"));
  CAF_CHECK(!ws::valid_utf8("\xbf"));
  CAF_CHECK(!ws::valid_utf8("a\x80"
                            "b"));
  CAF_CHECK(!ws::valid_utf8("\xc2\x80\x80"));
  CAF_CHECK(!ws::valid_utf8("\xe2\x82\xac\xac"));
  CAF_CHECK(!ws::valid_utf8("\xf0\x9f\x9a\x82\x82"));
  // Bad bytes after long valid runs, in case of a word-at-a-time fast path.
  for (size_t at : {1u, 3u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 63u, 64u}) {
    auto s = std::string(at, 'a') + "\xff" + std::string(40, 'b');
    CAF_CHECK(!ws::valid_utf8(s));
    auto t = std::string(at, 'a') + "\x80" + std::string(40, 'b');
    CAF_CHECK(!ws::valid_utf8(t));
    auto u = std::string(at, 'a') + "\xe2\x82";
    CAF_CHECK(!ws::valid_utf8(u));
  }
}

CAF_TEST(valid_utf8 is right for every code point) {
  size_t wrong = 0;
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    auto s = encode_utf8(cp);
    if (ws::valid_utf8(s) == surrogate) {
      if (++wrong <= 5)
        CAF_MESSAGE("wrong for code point " << cp << ": " << hex(s));
    }
  }
  CAF_CHECK_EQUAL(wrong, 0u);
}

CAF_TEST(valid_utf8 agrees with RFC 3629 on every string up to 3 bytes) {
  size_t wrong = 0;
  std::string s;
  auto compare = [&] {
    if (ws::valid_utf8(s) != reference_utf8(s)) {
      if (++wrong <= 10)
        CAF_MESSAGE("valid_utf8 wrong for " << hex(s));
    }
  };
  for (int a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    compare();
    for (int b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      compare();
      for (int c = 0; c < 256; ++c) {
        s.assign(
            {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        compare();
      }
    }
  }
  // Four-byte strings: every lead from 0xE0 and every second byte, with
  // continuation bytes at the edges of their range and outside it.
  const int edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
  for (int a = 0xE0; a < 256; ++a)
    for (int b = 0; b < 256; ++b)
      for (auto c : edges)
        for (auto d : edges) {
          s.assign({static_cast<char>(a), static_cast<char>(b),
                    static_cast<char>(c), static_cast<char>(d)});
          compare();
        }
  CAF_CHECK_EQUAL(wrong, 0u);
}

// -- valid_close_code ---------------------------------------------------------

CAF_TEST(valid_close_code accepts the codes a peer may send) {
  for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                        1012, 1013, 1014, 3000, 3999, 4000, 4999})
    CAF_CHECK(ws::valid_close_code(code));
  for (uint16_t code :
       {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 6000, 65535})
    CAF_CHECK(!ws::valid_close_code(code));
  size_t wrong = 0;
  for (uint32_t code = 0; code <= 0xFFFF; ++code) {
    bool expected = (code >= 1000 && code <= 1003) ||
                    (code >= 1007 && code <= 1014) ||
                    (code >= 3000 && code <= 4999);
    if (ws::valid_close_code(static_cast<uint16_t>(code)) != expected) {
      if (++wrong <= 5)
        CAF_MESSAGE("valid_close_code wrong for " << code);
    }
  }
  CAF_CHECK_EQUAL(wrong, 0u);
}

// -- frame_parser: the test helper --------------------------------------------

CAF_TEST(the client frame helper matches the RFC example) {
  // RFC 6455 section 5.7: a single-frame masked text message "Hello".
  CAF_CHECK_EQUAL(hex(text().frame("Hello")),
                  "81 85 37 fa 21 3d 7f 9f 4d 51 58");
  CAF_CHECK_EQUAL(hex(text().fin(false).mask(0).header(3)),
                  "01 83 00 00 00 00");
  CAF_CHECK_EQUAL(hex(binary().mask(0x01020304).header(300)),
                  "82 fe 01 2c 01 02 03 04");
  CAF_CHECK_EQUAL(hex(binary().mask(0).header(65536)),
                  "82 ff 00 00 00 00 00 01 00 00 00 00 00 00");
  CAF_CHECK_EQUAL(hex(ping().unmasked().rsv(0x40).frame("a")), "c9 01 61");
}

// -- frame_parser: messages ---------------------------------------------------

CAF_TEST(a masked text frame is unmasked in place into a message) {
  frame_parser p{roomy};
  auto buf =
      bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  auto ev = p.parse(buf.data(), buf.size());
  CAF_CHECK_EQUAL(name(ev.what), "message");
  CAF_CHECK_EQUAL(ev.consumed, 11u);
  CAF_CHECK_EQUAL(name(ev.type), "text");
  CAF_CHECK_EQUAL(ev.payload, "Hello");
  // Handed out without a copy: the view is into the input.
  CAF_CHECK(ev.payload.data() == buf.data() + 6);
}

CAF_TEST(a binary frame is a binary message with every byte value) {
  frame_parser p{roomy};
  std::string payload;
  for (int i = 0; i < 256; ++i)
    payload += static_cast<char>(i);
  auto buf = binary().mask(0xdeadbeef).frame(payload);
  auto ev = p.parse(buf.data(), buf.size());
  CAF_CHECK_EQUAL(name(ev.what), "message");
  CAF_CHECK_EQUAL(ev.consumed, buf.size());
  CAF_CHECK_EQUAL(name(ev.type), "binary");
  CAF_CHECK_EQUAL(hex(ev.payload), hex(payload));
  CAF_CHECK(ev.payload.data() == buf.data() + 8);
}

CAF_TEST(empty messages) {
  frame_parser p{roomy};
  auto r = parse_one(p, text().frame(""));
  CAF_CHECK_EQUAL(describe(r), "text:");
  CAF_CHECK_EQUAL(r.consumed, 6u);
  r = parse_one(p, binary().frame(""));
  CAF_CHECK_EQUAL(describe(r), "binary:");
  CAF_CHECK_EQUAL(r.consumed, 6u);
  r = parse_one(p, text().mask(0).frame(""));
  CAF_CHECK_EQUAL(describe(r), "text:");
}

CAF_TEST(the zero mask and other keys unmask correctly) {
  frame_parser p{roomy};
  for (uint32_t key : {0u, 0xFFFFFFFFu, 0x01020304u, 0x80000001u}) {
    for (size_t size : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 125u}) {
      std::string payload;
      for (size_t i = 0; i < size; ++i)
        payload += static_cast<char>('a' + i % 26);
      auto r = parse_one(p, text().mask(key).frame(payload));
      CAF_CHECK_EQUAL(describe(r), "text:" + payload);
    }
  }
}

CAF_TEST(16 and 64 bit lengths) {
  frame_parser p{roomy};
  for (size_t size : {126u, 127u, 1000u, 65535u, 65536u, 70000u}) {
    std::string payload(size, '\0');
    for (size_t i = 0; i < size; ++i)
      payload[i] = static_cast<char>('A' + i % 57);
    auto buf = binary().mask(0x5a6b7c8d).frame(payload);
    auto header_size = size <= 65535 ? 8u : 14u;
    CAF_REQUIRE_EQUAL(buf.size(), header_size + size);
    auto ev = p.parse(buf.data(), buf.size());
    CAF_CHECK_EQUAL(name(ev.what), "message");
    CAF_CHECK_EQUAL(ev.consumed, buf.size());
    CAF_CHECK_EQUAL(name(ev.type), "binary");
    CAF_CHECK_EQUAL(ev.payload.size(), size);
    CAF_CHECK(ev.payload == payload);
    CAF_CHECK(ev.payload.data() == buf.data() + header_size);
  }
}

CAF_TEST(two frames in one buffer are parsed by two calls) {
  frame_parser p{roomy};
  auto first = text().frame("first");
  auto second = binary().mask(0x11223344).frame("second!");
  auto buf = first + second;
  auto ev = p.parse(buf.data(), buf.size());
  CAF_CHECK_EQUAL(name(ev.what), "message");
  CAF_CHECK_EQUAL(ev.consumed, first.size());
  CAF_CHECK_EQUAL(ev.payload, "first");
  CAF_CHECK_EQUAL(name(ev.type), "text");
  auto rest = buf.data() + ev.consumed;
  ev = p.parse(rest, buf.size() - first.size());
  CAF_CHECK_EQUAL(name(ev.what), "message");
  CAF_CHECK_EQUAL(ev.consumed, second.size());
  CAF_CHECK_EQUAL(ev.payload, "second!");
  CAF_CHECK_EQUAL(name(ev.type), "binary");
  // Nothing left: need more.
  ev = p.parse(buf.data() + buf.size(), 0);
  CAF_CHECK_EQUAL(name(ev.what), "need_more");
  CAF_CHECK_EQUAL(ev.consumed, 0u);
}

CAF_TEST(every strict prefix of a frame needs more) {
  std::string long_payload(65536 + 3, '\0');
  for (size_t i = 0; i < long_payload.size(); ++i)
    long_payload[i] = static_cast<char>(i % 251);
  const std::string frames[] = {
      text().frame("Hello"),
      text().frame(""),
      binary().mask(0x01020304).frame(std::string(300, 'z')),
      ping().frame("ping!"),
      close_op().frame(close_body(1000, "bye")),
      binary().mask(0xa1b2c3d4).frame(long_payload),
  };
  for (auto& frame : frames) {
    frame_parser p{roomy};
    // One buffer that grows byte by byte, as a socket reader would fill it:
    // a parser that unmasked a partial frame in place would garble it.
    auto buf = frame;
    size_t wrong = 0;
    for (size_t n = 0; n < buf.size(); ++n) {
      auto ev = p.parse(buf.data(), n);
      if (ev.what != kind::need_more || ev.consumed != 0) {
        if (++wrong <= 3)
          CAF_MESSAGE("prefix " << n << " of " << buf.size() << ": "
                                << name(ev.what) << ", consumed "
                                << ev.consumed);
      }
    }
    CAF_CHECK_EQUAL(wrong, 0u);
    auto ev = p.parse(buf.data(), buf.size());
    CAF_CHECK_NOT_EQUAL(name(ev.what), "need_more");
    CAF_CHECK_NOT_EQUAL(name(ev.what), "error");
    CAF_CHECK_EQUAL(ev.consumed, frame.size());
    if (frame.size() > 65536)
      CAF_CHECK(ev.payload == long_payload);
  }
  // The same frames again with a fresh copy for every prefix.
  for (auto& frame : frames) {
    frame_parser p{roomy};
    size_t wrong = 0;
    for (size_t n = 0; n < frame.size() && n < 300; ++n) {
      auto buf = frame.substr(0, n);
      auto ev = p.parse(buf.data(), n);
      if (ev.what != kind::need_more || ev.consumed != 0)
        ++wrong;
    }
    CAF_CHECK_EQUAL(wrong, 0u);
  }
}

CAF_TEST(the last byte completes the payload of a growing buffer) {
  frame_parser p{roomy};
  auto frame = text().mask(0x9abcdef0).frame("Hello, world");
  std::string buf;
  for (size_t i = 0; i + 1 < frame.size(); ++i) {
    buf += frame[i];
    auto ev = p.parse(buf.data(), buf.size());
    CAF_REQUIRE_EQUAL(name(ev.what), "need_more");
  }
  buf += frame.back();
  auto ev = p.parse(buf.data(), buf.size());
  CAF_CHECK_EQUAL(name(ev.what), "message");
  CAF_CHECK_EQUAL(ev.payload, "Hello, world");
}

CAF_TEST(bytes_wanted tells the whole frame size once the header is in) {
  {
    frame_parser p{roomy};
    auto frame = text().frame("Hello");
    auto ev = p.parse(frame.data(), 8);
    CAF_CHECK_EQUAL(name(ev.what), "need_more");
    CAF_CHECK_EQUAL(p.bytes_wanted(), frame.size());
  }
  {
    frame_parser p{roomy};
    auto frame = binary().frame(std::string(300, 'x'));
    auto ev = p.parse(frame.data(), 8);
    CAF_CHECK_EQUAL(name(ev.what), "need_more");
    CAF_CHECK_EQUAL(p.bytes_wanted(), 308u);
    ev = p.parse(frame.data(), 100);
    CAF_CHECK_EQUAL(name(ev.what), "need_more");
    CAF_CHECK_EQUAL(p.bytes_wanted(), 308u);
  }
  {
    frame_parser p{roomy};
    auto frame = binary().frame(std::string(70000, 'x'));
    auto ev = p.parse(frame.data(), 14);
    CAF_CHECK_EQUAL(name(ev.what), "need_more");
    CAF_CHECK_EQUAL(p.bytes_wanted(), 70014u);
    ev = p.parse(frame.data(), 20000);
    CAF_CHECK_EQUAL(name(ev.what), "need_more");
    CAF_CHECK_EQUAL(p.bytes_wanted(), 70014u);
  }
  {
    // One byte: the length is not known yet.
    frame_parser p{roomy};
    auto frame = text().frame("Hello");
    auto ev = p.parse(frame.data(), 1);
    CAF_CHECK_EQUAL(name(ev.what), "need_more");
    CAF_CHECK_EQUAL(p.bytes_wanted(), 0u);
  }
}

// -- frame_parser: fragments --------------------------------------------------

CAF_TEST(fragments are reassembled into one message) {
  frame_parser p{roomy};
  auto f1 = text().fin(false).frame("Hel");
  auto f2 = cont().fin(false).mask(0x01020304).frame("lo, ");
  auto f3 = cont().mask(0xfffefdfc).frame("world");
  auto buf = f1 + f2 + f3;
  auto ev = p.parse(buf.data(), buf.size());
  CAF_CHECK_EQUAL(name(ev.what), "frame");
  CAF_CHECK_EQUAL(ev.consumed, f1.size());
  auto off = f1.size();
  ev = p.parse(buf.data() + off, buf.size() - off);
  CAF_CHECK_EQUAL(name(ev.what), "frame");
  CAF_CHECK_EQUAL(ev.consumed, f2.size());
  off += f2.size();
  ev = p.parse(buf.data() + off, buf.size() - off);
  CAF_CHECK_EQUAL(name(ev.what), "message");
  CAF_CHECK_EQUAL(ev.consumed, f3.size());
  CAF_CHECK_EQUAL(name(ev.type), "text");
  CAF_CHECK_EQUAL(ev.payload, "Hello, world");
}

CAF_TEST(fragmented binary messages keep their type) {
  frame_parser p{roomy};
  auto in = binary().fin(false).frame("\0\xff"sv) + cont().frame("\x80\0"sv);
  CAF_CHECK_EQUAL(parse_all(p, in), "frame | binary:\\x00\\xff\\x80\\x00");
}

CAF_TEST(empty fragments) {
  frame_parser p{roomy};
  CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("") + cont().frame("")),
                  "frame | text:");
  CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("abc") +
                                   cont().fin(false).frame("") +
                                   cont().frame("")),
                  "frame | frame | text:abc");
  CAF_CHECK_EQUAL(
      parse_all(p, binary().fin(false).frame("") + cont().frame("xyz")),
      "frame | binary:xyz");
}

CAF_TEST(control frames may come between fragments) {
  frame_parser p{roomy};
  auto in = text().fin(false).frame("ab") + ping().frame("p!") +
            cont().fin(false).mask(0x10203040).frame("cd") + pong().frame("") +
            ping().frame("") + cont().frame("ef");
  size_t consumed = 0;
  CAF_CHECK_EQUAL(parse_all(p, in, &consumed),
                  "frame | ping:p! | frame | pong: | ping: | text:abcdef");
  CAF_CHECK_EQUAL(consumed, in.size());
  // And a close between fragments is handed out too.
  frame_parser q{roomy};
  in = text().fin(false).frame("ab") +
       close_op().frame(close_body(1001, "away"));
  CAF_CHECK_EQUAL(parse_all(q, in), "frame | close:1001:away");
}

CAF_TEST(a ping between fragments is a view into the input) {
  frame_parser p{roomy};
  auto buf = text().fin(false).frame("ab") + ping().frame("p!");
  auto ev = p.parse(buf.data(), buf.size());
  CAF_REQUIRE_EQUAL(name(ev.what), "frame");
  auto off = ev.consumed;
  ev = p.parse(buf.data() + off, buf.size() - off);
  CAF_CHECK_EQUAL(name(ev.what), "ping");
  CAF_CHECK_EQUAL(ev.payload, "p!");
  CAF_CHECK_EQUAL(ev.consumed, buf.size() - off);
}

CAF_TEST(the parser starts afresh after a fragmented message) {
  frame_parser p{roomy};
  auto in = text().fin(false).frame("one ") + cont().frame("two") +
            binary().frame("three") + binary().fin(false).frame("fo") +
            cont().frame("ur") + text().frame("five");
  CAF_CHECK_EQUAL(parse_all(p, in),
                  "frame | text:one two | binary:three | frame | binary:four | "
                  "text:five");
}

CAF_TEST(a fragmented message whose parts arrive separately) {
  // The first fragment's input is gone when the second one arrives: the
  // parser must keep its own copy of the fragments.
  frame_parser p{roomy};
  auto f1 = text().fin(false).frame("kept ");
  auto ev = p.parse(f1.data(), f1.size());
  CAF_REQUIRE_EQUAL(name(ev.what), "frame");
  std::fill(f1.begin(), f1.end(), 'X');
  auto f2 = cont().frame("safe");
  ev = p.parse(f2.data(), f2.size());
  CAF_CHECK_EQUAL(name(ev.what), "message");
  CAF_CHECK_EQUAL(ev.payload, "kept safe");
}

// -- frame_parser: control frames ---------------------------------------------

CAF_TEST(ping and pong carry their payload) {
  frame_parser p{roomy};
  auto r = parse_one(p, ping().frame("are you there?"));
  CAF_CHECK_EQUAL(describe(r), "ping:are you there?");
  CAF_CHECK_EQUAL(r.consumed, 6u + 14u);
  r = parse_one(p, ping().frame(""));
  CAF_CHECK_EQUAL(describe(r), "ping:");
  r = parse_one(p, pong().frame("yes"));
  CAF_CHECK_EQUAL(describe(r), "pong:yes");
  CAF_CHECK_EQUAL(r.consumed, 9u);
  r = parse_one(p, pong().frame(""));
  CAF_CHECK_EQUAL(describe(r), "pong:");
  auto longest = std::string(ws::max_control_payload, 'p');
  r = parse_one(p, ping().frame(longest));
  CAF_CHECK_EQUAL(describe(r), "ping:" + longest);
  r = parse_one(p, pong().frame(longest));
  CAF_CHECK_EQUAL(describe(r), "pong:" + longest);
  // Binary ping payloads are fine.
  r = parse_one(p, ping().frame("\xff\0\xc0"sv));
  CAF_CHECK_EQUAL(describe(r), "ping:\\xff\\x00\\xc0");
}

CAF_TEST(control frames are not messages for the message limit) {
  // max_message_bytes limits messages (all fragments together); a control
  // frame is at most 125 bytes whatever the limit.
  frame_parser p{10};
  auto longest = std::string(ws::max_control_payload, 'p');
  CAF_CHECK_EQUAL(describe(parse_one(p, ping().frame(longest))),
                  "ping:" + longest);
  CAF_CHECK_EQUAL(describe(parse_one(p, pong().frame(longest))),
                  "pong:" + longest);
  auto reason = std::string(100, 'r');
  CAF_CHECK_EQUAL(
      describe(parse_one(p, close_op().frame(close_body(1000, reason)))),
      "close:1000:" + reason);
}

CAF_TEST(close frames carry code and reason) {
  frame_parser p{roomy};
  auto buf = close_op().frame(close_body(1000, "bye"));
  auto r = parse_one(p, buf);
  CAF_CHECK_EQUAL(name(r.what), "close");
  CAF_CHECK_EQUAL(r.code, 1000u);
  CAF_CHECK_EQUAL(r.payload, "bye");
  CAF_CHECK_EQUAL(r.consumed, buf.size());
  r = parse_one(p, close_op().frame(close_body(1001)));
  CAF_CHECK_EQUAL(describe(r), "close:1001:");
  r = parse_one(p, close_op().frame(close_body(3000, "app")));
  CAF_CHECK_EQUAL(describe(r), "close:3000:app");
  r = parse_one(p, close_op().frame(close_body(4999, "")));
  CAF_CHECK_EQUAL(describe(r), "close:4999:");
  auto reason = "\xc3\xa4\xe2\x82\xac\xf0\x9f\x9a\x82"s;
  r = parse_one(p, close_op().frame(close_body(1000, reason)));
  CAF_CHECK_EQUAL(name(r.what), "close");
  CAF_CHECK_EQUAL(hex(r.payload), hex(reason));
  auto longest = std::string(123, 'r');
  r = parse_one(p, close_op().frame(close_body(1000, longest)));
  CAF_CHECK_EQUAL(describe(r), "close:1000:" + longest);
}

CAF_TEST(a close without a body has no status) {
  frame_parser p{roomy};
  auto buf = close_op().frame("");
  auto r = parse_one(p, buf);
  CAF_CHECK_EQUAL(name(r.what), "close");
  CAF_CHECK_EQUAL(r.code, ws::close_code::no_status);
  CAF_CHECK_EQUAL(r.payload, "");
  CAF_CHECK_EQUAL(r.consumed, 6u);
}

CAF_TEST(close frames with every code) {
  size_t wrong = 0;
  for (uint32_t code = 0; code <= 0xFFFF; ++code) {
    frame_parser p{roomy};
    auto r = parse_one(
        p, close_op().frame(close_body(static_cast<uint16_t>(code), "r")));
    auto expected = ws::valid_close_code(static_cast<uint16_t>(code))
                        ? "close:" + std::to_string(code) + ":r"
                        : "error:1002"s;
    if (describe(r) != expected) {
      if (++wrong <= 5)
        CAF_MESSAGE("close code " << code << ": " << describe(r));
    }
  }
  CAF_CHECK_EQUAL(wrong, 0u);
}

// -- frame_parser: protocol errors --------------------------------------------

CAF_TEST(unmasked frames are protocol errors) {
  frame_parser p{roomy};
  check_error(p, text().unmasked().frame("Hello"), 1002, "unmasked text");
  check_error(p, binary().unmasked().frame(""), 1002, "unmasked binary");
  check_error(p, ping().unmasked().frame("p"), 1002, "unmasked ping");
  check_error(p, close_op().unmasked().frame(close_body(1000)), 1002,
              "unmasked close");
  // A server frame is unmasked.
  check_error(p, ws::make_frame(ws::opcode::text, "Hello"), 1002,
              "server frame");
  // Known from the first two bytes.
  frame_parser q{roomy};
  check_error(q, text().unmasked().frame("Hello").substr(0, 2), 1002,
              "unmasked header alone");
}

CAF_TEST(reserved bits are protocol errors) {
  for (uint8_t bits : {0x40, 0x20, 0x10, 0x70}) {
    frame_parser p{roomy};
    check_error(p, text().rsv(bits).frame("x"), 1002, "rsv on text");
    check_error(p, binary().rsv(bits).frame("x"), 1002, "rsv on binary");
    check_error(p, ping().rsv(bits).frame("x"), 1002, "rsv on ping");
    check_error(p, close_op().rsv(bits).frame(close_body(1000)), 1002,
                "rsv on close");
    frame_parser q{roomy};
    CAF_CHECK_EQUAL(parse_all(q, text().fin(false).frame("a") +
                                     cont().rsv(bits).frame("b")),
                    "frame | error:1002");
  }
}

CAF_TEST(unknown opcodes are protocol errors) {
  for (int op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    frame_parser p{roomy};
    check_error(p, client{op}.frame("x"), 1002, "opcode " + std::to_string(op));
    check_error(p, client{op}.frame(""), 1002,
                "empty opcode " + std::to_string(op));
    check_error(p, client{op}.fin(false).frame("x"), 1002,
                "non-final opcode " + std::to_string(op));
    frame_parser q{roomy};
    CAF_CHECK_EQUAL(
        parse_all(q, text().fin(false).frame("a") + client{op}.frame("b")),
        "frame | error:1002");
  }
}

CAF_TEST(a continuation without a message is a protocol error) {
  frame_parser p{roomy};
  check_error(p, cont().frame("x"), 1002, "final continuation");
  check_error(p, cont().fin(false).frame("x"), 1002, "continuation");
  check_error(p, cont().frame(""), 1002, "empty continuation");
  // Also once a fragmented message has ended.
  frame_parser q{roomy};
  CAF_CHECK_EQUAL(parse_all(q, text().fin(false).frame("a") +
                                   cont().frame("b") + cont().frame("c")),
                  "frame | text:ab | error:1002");
  // And after a single-frame message.
  frame_parser r{roomy};
  CAF_CHECK_EQUAL(parse_all(r, text().frame("a") + cont().frame("b")),
                  "text:a | error:1002");
}

CAF_TEST(a new message during a fragmented one is a protocol error) {
  for (auto next : {text().frame("x"), text().fin(false).frame("x"),
                    binary().frame("x"), binary().fin(false).frame("x")}) {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("a") + next),
                    "frame | error:1002");
    frame_parser q{roomy};
    CAF_CHECK_EQUAL(parse_all(q, binary().fin(false).frame("a") +
                                     cont().fin(false).frame("b") + next),
                    "frame | frame | error:1002");
  }
}

CAF_TEST(fragmented control frames are protocol errors) {
  frame_parser p{roomy};
  check_error(p, ping().fin(false).frame("x"), 1002, "non-final ping");
  check_error(p, pong().fin(false).frame("x"), 1002, "non-final pong");
  check_error(p, close_op().fin(false).frame(close_body(1000)), 1002,
              "non-final close");
  check_error(p, ping().fin(false).frame(""), 1002, "empty non-final ping");
}

CAF_TEST(control payloads over 125 bytes are protocol errors) {
  auto big = std::string(126, 'x');
  frame_parser p{roomy};
  check_error(p, ping().frame(big), 1002, "ping of 126");
  check_error(p, pong().frame(big), 1002, "pong of 126");
  check_error(p, close_op().frame(close_body(1000, std::string(124, 'r'))),
              1002, "close of 126");
  check_error(p, ping().frame(std::string(65536, 'x')), 1002, "ping of 65536");
  // Known from the header alone.
  check_error(p, ping().header(126), 1002, "ping header of 126");
  check_error(p, pong().header(70000), 1002, "pong header of 70000");
}

CAF_TEST(a close body of one byte is a protocol error) {
  frame_parser p{roomy};
  check_error(p, close_op().frame("\x03"), 1002, "1-byte close");
  // With more input behind it, so that a parser reading a second code byte
  // past the frame would see a valid code (0x03e8 is 1000).
  check_error(p, close_op().frame("\x03") + "\xe8", 1002,
              "1-byte close, then a byte");
  check_error(p, close_op().frame("\x03") + close_op().frame(close_body(1000)),
              1002, "1-byte close, then a close");
  check_error(p, close_op().mask(0).frame("\x0f") + "\xa0\x00", 1002,
              "1-byte close, then bytes");
}

CAF_TEST(invalid close codes are protocol errors) {
  for (uint16_t code :
       {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    frame_parser p{roomy};
    check_error(p, close_op().frame(close_body(code)), 1002,
                "close code " + std::to_string(code));
    check_error(p, close_op().frame(close_body(code, "why")), 1002,
                "close code with reason " + std::to_string(code));
  }
}

CAF_TEST(a close reason that is not UTF8 is a bad payload) {
  for (auto reason : {"\xc0\x80"s, "ok\xed\xa0\x80"s, "ok\xe2\x82"s, "\xff"s,
                      "\x80"s, "\xf4\x90\x80\x80"s}) {
    frame_parser p{roomy};
    check_error(p, close_op().frame(close_body(1000, reason)), 1007,
                "close reason " + hex(reason));
  }
}

CAF_TEST(a text message that is not UTF8 is a bad payload) {
  for (auto payload :
       {"\xff"s, "abc\xc0\x80"s, "\xed\xa0\x80"s, "caf\xc3"s, "\xf0\x9f\x9a"s,
        "\x80"s, "\xf4\x90\x80\x80"s, std::string(200, 'a') + "\xfe"}) {
    frame_parser p{roomy};
    check_error(p, text().frame(payload), 1007, "text " + hex(payload));
  }
}

CAF_TEST(a binary message need not be UTF8) {
  frame_parser p{roomy};
  CAF_CHECK_EQUAL(describe(parse_one(p, binary().frame("\xff\xc0\x80"))),
                  "binary:\\xff\\xc0\\x80");
  CAF_CHECK_EQUAL(parse_all(p, binary().fin(false).frame("\xed\xa0") +
                                   cont().frame("\x80\xe2")),
                  "frame | binary:\\xed\\xa0\\x80\\xe2");
}

CAF_TEST(UTF8 of fragmented text counts for the whole message) {
  // A character split across fragments is valid.
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("\xe2\x82") +
                                     cont().frame("\xac")),
                    "frame | text:\\xe2\\x82\\xac");
  }
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("a\xf0") +
                                     cont().fin(false).frame("\x9f\x9a") +
                                     ping().frame("") + cont().frame("\x82z")),
                    "frame | frame | ping: | text:a\\xf0\\x9f\\x9a\\x82z");
  }
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("\xc3") +
                                     cont().fin(false).frame("") +
                                     cont().frame("\xa4")),
                    "frame | frame | text:\\xc3\\xa4");
  }
  // A sequence that is invalid only once the fragments are put together.
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("ab\xed") +
                                     cont().frame("\xa0\x80")),
                    "frame | error:1007");
  }
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(
        parse_all(p, text().fin(false).frame("\xe2") + cont().frame("a")),
        "frame | error:1007");
  }
  // Truncated at the end of the last fragment.
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(
        parse_all(p, text().fin(false).frame("abc\xe2\x82") + cont().frame("")),
        "frame | error:1007");
  }
  // Invalid in an early fragment: the parser fails on that fragment, not at
  // the end of the message.
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("\xff") +
                                     cont().fin(false).frame("ok") +
                                     cont().frame("ok")),
                    "error:1007");
  }
}

CAF_TEST(fragmented text fails on the first fragment that breaks it) {
  // A later fragment with a byte that starts nothing.
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("ok") +
                                     cont().fin(false).frame("a\xff"
                                                             "b") +
                                     cont().frame("z")),
                    "frame | error:1007");
  }
  // A sequence cut by the boundary whose present bytes already rule out
  // every completion: ED A0 would be a surrogate, F4 90 above U+10FFFF,
  // E0 80 overlong, C2 followed by ASCII.
  for (auto bad : {"ab\xed\xa0"s, "\xf4\x90"s, "\xe0\x80"s, "\xf0\x80"s,
                   "\xe2\x82"
                   "a"s,
                   "\xc0"s, "\xf5"s}) {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(
        parse_all(p, text().fin(false).frame(bad) + cont().frame("\x80\x80")),
        "error:1007");
  }
  // A cut sequence that more bytes can complete waits for them, across
  // empty fragments and control frames.
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(
        parse_all(p, text().fin(false).frame("x\xf0\x9f") +
                         cont().fin(false).frame("") + ping().frame("") +
                         cont().fin(false).frame("\x98") +
                         cont().frame("\x80y")),
        "frame | frame | ping: | frame | text:x\\xf0\\x9f\\x98\\x80y");
  }
  // A binary message is never checked, fragmented or not.
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(
        parse_all(p, binary().fin(false).frame("\xff") + cont().frame("\xfe")),
        "frame | binary:\\xff\\xfe");
  }
  // The next message is checked from its own start.
  {
    frame_parser p{roomy};
    CAF_CHECK_EQUAL(parse_all(p, text().fin(false).frame("\xe2\x82") +
                                     cont().frame("\xac") +
                                     text().fin(false).frame("\xe2\x82") +
                                     cont().frame("\xac")),
                    "frame | text:\\xe2\\x82\\xac | frame | "
                    "text:\\xe2\\x82\\xac");
  }
}

CAF_TEST(frame lengths must use the minimal encoding) {
  // 16-bit lengths below 126 and 64-bit lengths below 65536 are refused.
  for (size_t n : {0u, 5u, 125u}) {
    frame_parser p{roomy};
    check_error(p, text().length_bits(16).frame(std::string(n, 'a')), 1002,
                "16-bit length " + std::to_string(n));
  }
  for (size_t n : {0u, 125u, 126u, 65535u}) {
    frame_parser p{roomy};
    check_error(p, binary().length_bits(64).frame(std::string(n, 'a')), 1002,
                "64-bit length " + std::to_string(n));
  }
  // The same for control frames.
  {
    frame_parser p{roomy};
    check_error(p, ping().length_bits(16).frame("x"), 1002, "16-bit ping");
  }
  // The minimal forms at each edge are accepted.
  for (size_t n : {125u, 126u, 65535u, 65536u}) {
    frame_parser p{roomy};
    auto r = parse_one(p, binary().frame(std::string(n, 'a')));
    CAF_CHECK_EQUAL(name(r.what), "message");
    CAF_CHECK_EQUAL(r.payload.size(), n);
  }
}

// -- frame_parser: the message limit ------------------------------------------

CAF_TEST(a message of exactly the limit is accepted) {
  for (size_t limit : {0u, 1u, 100u, 125u, 126u, 1000u, 65536u, 70000u}) {
    frame_parser p{limit};
    auto payload = std::string(limit, 'm');
    auto r = parse_one(p, binary().frame(payload));
    CAF_CHECK_EQUAL(name(r.what), "message");
    CAF_CHECK_EQUAL(r.payload.size(), limit);
    if (limit >= 2) {
      auto half = limit / 2;
      CAF_CHECK_EQUAL(
          parse_all(p, text().fin(false).frame(payload.substr(0, half)) +
                           cont().frame(payload.substr(half))),
          "frame | text:" + payload);
    }
  }
}

CAF_TEST(a message over the limit is too big as soon as the header says so) {
  struct case_t {
    size_t limit;
    uint64_t length;
  };
  const case_t cases[] = {
      {0, 1},         {100, 101},         {124, 125},
      {125, 126},     {1000, 1001},       {65535, 65536},
      {70000, 70001}, {1000, 1ull << 40}, {roomy, roomy + 1},
  };
  for (auto c : cases) {
    CAF_MESSAGE("limit " << c.limit << ", length " << c.length);
    frame_parser p{c.limit};
    // Only the header (with the mask key): no payload has arrived.
    check_error(p, text().header(c.length), 1009, "text header");
    frame_parser q{c.limit};
    check_error(q, binary().header(c.length), 1009, "binary header");
    frame_parser r{c.limit};
    check_error(r, binary().fin(false).header(c.length), 1009,
                "non-final binary header");
  }
  // With the payload there it is just as big.
  frame_parser p{100};
  check_error(p, text().frame(std::string(101, 'x')), 1009, "101 bytes");
}

CAF_TEST(fragments over the limit together are too big) {
  {
    frame_parser p{1000};
    auto first = text().fin(false).frame(std::string(600, 'a'));
    auto r = parse_one(p, first);
    CAF_CHECK_EQUAL(name(r.what), "frame");
    CAF_CHECK_EQUAL(r.consumed, first.size());
    // The header of the fragment that would pass the limit, alone.
    check_error(p, cont().header(401), 1009, "second fragment header");
  }
  {
    frame_parser p{1000};
    auto in = binary().fin(false).frame(std::string(400, 'a')) +
              cont().fin(false).frame(std::string(400, 'b')) +
              ping().frame("between");
    CAF_CHECK_EQUAL(parse_all(p, in), "frame | frame | ping:between");
    check_error(p, cont().fin(false).header(201), 1009, "third fragment");
  }
  {
    // Exactly at the limit over three fragments, then one byte over.
    frame_parser p{300};
    auto in = text().fin(false).frame(std::string(100, 'a')) +
              cont().fin(false).frame(std::string(100, 'b')) +
              cont().frame(std::string(100, 'c'));
    CAF_CHECK_EQUAL(parse_all(p, in),
                    "frame | frame | text:" + std::string(100, 'a') +
                        std::string(100, 'b') + std::string(100, 'c'));
    in = text().fin(false).frame(std::string(100, 'a')) +
         cont().fin(false).frame(std::string(100, 'b')) +
         cont().frame(std::string(101, 'c'));
    CAF_CHECK_EQUAL(parse_all(p, in), "frame | frame | error:1009");
  }
  {
    // The limit is per message: the next message starts from zero.
    frame_parser p{300};
    auto in = text().fin(false).frame(std::string(200, 'a')) +
              cont().frame(std::string(100, 'b')) +
              binary().fin(false).frame(std::string(200, 'c')) +
              cont().frame(std::string(100, 'd'));
    auto events = parse_all(p, in);
    CAF_CHECK_EQUAL(events, "frame | text:" + std::string(200, 'a') +
                                std::string(100, 'b') + " | frame | binary:" +
                                std::string(200, 'c') + std::string(100, 'd'));
  }
}

CAF_TEST(a 64 bit length with the top bit set is a protocol error) {
  for (uint64_t length : {uint64_t{1} << 63, (uint64_t{1} << 63) + 5,
                          std::numeric_limits<uint64_t>::max()}) {
    // With no limit to hit first.
    frame_parser p{std::numeric_limits<size_t>::max()};
    check_error(p, binary().header(length), 1002, "top bit, no limit");
    frame_parser q{std::numeric_limits<size_t>::max()};
    check_error(q, binary().header(length) + "abc", 1002,
                "top bit, no limit, some payload");
    // With an ordinary limit, too.
    frame_parser r{roomy};
    check_error(r, text().header(length), 1002, "top bit");
  }
}

// -- frame_parser: randomized round trip --------------------------------------

namespace {

/// A deterministic generator (std::mt19937's output is fixed by the
/// standard; the distributions are not, so none is used).
struct rng {
  std::mt19937 gen{20240611};
  uint32_t below(uint32_t n) { return n == 0 ? 0 : gen() % n; }
  bool chance(uint32_t percent) { return below(100) < percent; }
};

std::string random_text(rng& r, size_t min_bytes) {
  std::string out;
  while (out.size() < min_bytes) {
    uint32_t cp;
    switch (r.below(4)) {
    case 0:
      cp = r.below(0x80);
      break;
    case 1:
      cp = 0x80 + r.below(0x800 - 0x80);
      break;
    case 2:
      do {
        cp = 0x800 + r.below(0x10000 - 0x800);
      } while (cp >= 0xD800 && cp <= 0xDFFF);
      break;
    default:
      cp = 0x10000 + r.below(0x110000 - 0x10000);
    }
    out += encode_utf8(cp);
  }
  return out;
}

std::string random_bytes(rng& r, size_t n) {
  std::string out(n, '\0');
  for (auto& c : out)
    c = static_cast<char>(r.below(256));
  return out;
}

size_t random_size(rng& r) {
  auto pick = r.below(100);
  if (pick < 10)
    return r.below(4);
  if (pick < 65)
    return r.below(131);
  if (pick < 92)
    return 120 + r.below(2000);
  if (pick < 97)
    return 65530 + r.below(12);
  return 60000 + r.below(10000);
}

uint32_t random_mask(rng& r) {
  return r.chance(10) ? 0 : static_cast<uint32_t>(r.gen());
}

struct stream {
  std::string bytes;
  std::vector<std::string> expected; // describe() of every event
};

stream random_stream(rng& r, size_t messages) {
  stream s;
  for (size_t m = 0; m < messages; ++m) {
    bool is_text = r.chance(50);
    auto payload = is_text ? random_text(r, random_size(r))
                           : random_bytes(r, random_size(r));
    // Cut into fragments anywhere, characters and empty pieces included.
    size_t pieces = r.chance(50) ? 1 : 1 + r.below(r.chance(20) ? 8 : 4);
    std::vector<size_t> cuts{0, payload.size()};
    for (size_t i = 1; i < pieces; ++i)
      cuts.push_back(r.below(static_cast<uint32_t>(payload.size() + 1)));
    std::sort(cuts.begin(), cuts.end());
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      bool first = i == 0;
      bool last = i + 2 == cuts.size();
      auto piece =
          std::string_view{payload}.substr(cuts[i], cuts[i + 1] - cuts[i]);
      auto op = first ? (is_text ? 0x1 : 0x2) : 0x0;
      s.bytes += client{op}.fin(last).mask(random_mask(r)).frame(piece);
      if (!last)
        s.expected.push_back("frame");
      else
        s.expected.push_back((is_text ? "text:" : "binary:") +
                             escaped(payload));
      if (r.chance(15)) {
        auto control = random_bytes(r, r.below(126));
        bool is_ping = r.chance(50);
        s.bytes +=
            client{is_ping ? 0x9 : 0xA}.mask(random_mask(r)).frame(control);
        s.expected.push_back((is_ping ? "ping:" : "pong:") + escaped(control));
      }
    }
  }
  s.bytes += close_op().mask(random_mask(r)).frame(close_body(1000, "done"));
  s.expected.push_back("close:1000:done");
  return s;
}

} // namespace

CAF_TEST(random messages survive random fragmentation and reads) {
  rng r;
  auto s = random_stream(r, 400);
  CAF_MESSAGE("stream of " << s.bytes.size() << " bytes, " << s.expected.size()
                           << " events");
  // Read it like a socket reader: chunks of random sizes appended to what
  // is left over, parsed until more is needed.
  frame_parser p{roomy};
  std::string acc;
  size_t pos = 0;
  size_t next_event = 0;
  size_t bad_need_more = 0;
  while (pos < s.bytes.size()) {
    size_t chunk;
    switch (r.below(4)) {
    case 0:
      chunk = 1 + r.below(3);
      break;
    case 1:
      chunk = 1 + r.below(20);
      break;
    case 2:
      chunk = 1 + r.below(1500);
      break;
    default:
      chunk = 1 + r.below(20000);
    }
    chunk = std::min(chunk, s.bytes.size() - pos);
    acc.append(s.bytes, pos, chunk);
    pos += chunk;
    for (;;) {
      auto ev = p.parse(acc.data(), acc.size());
      if (ev.what == kind::need_more) {
        if (ev.consumed != 0)
          ++bad_need_more;
        break;
      }
      auto got = describe(copy(ev));
      if (next_event >= s.expected.size())
        CAF_FAIL("unexpected event " << next_event << ": " << got);
      if (got != s.expected[next_event]) {
        CAF_FAIL("event " << next_event << " (at byte " << pos << "): got "
                          << got.substr(0, 120) << ", expected "
                          << s.expected[next_event].substr(0, 120));
      }
      ++next_event;
      if (ev.consumed == 0 || ev.consumed > acc.size())
        CAF_FAIL("event " << next_event << " consumed " << ev.consumed << " of "
                          << acc.size());
      acc.erase(0, ev.consumed);
    }
  }
  CAF_CHECK_EQUAL(bad_need_more, 0u);
  CAF_CHECK_EQUAL(next_event, s.expected.size());
  CAF_CHECK(acc.empty());
}

CAF_TEST(random messages parsed from one buffer) {
  rng r;
  r.gen.seed(7);
  auto s = random_stream(r, 200);
  frame_parser p{roomy};
  size_t consumed = 0;
  auto events = parse_all(p, s.bytes, &consumed);
  std::string expected;
  for (auto& e : s.expected) {
    if (!expected.empty())
      expected += " | ";
    expected += e;
  }
  CAF_CHECK_EQUAL(consumed, s.bytes.size());
  CAF_CHECK_EQUAL(events.size(), expected.size());
  CAF_CHECK(events == expected);
}
