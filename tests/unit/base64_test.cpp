// core/base64: the one base64 of the node (Engine.IO's binary packets and
// ids, RTOC's AES frames and password hash), strict on input.
#define CAF_SUITE base64

#include <optional>
#include <string>
#include <utility>

#include "core/base64.hpp"
#include "fixture.hpp"

using namespace signalbox;
using namespace std::literals;

namespace {

std::string show(const std::optional<std::string>& value) {
  return value ? "'" + *value + "'" : "<none>";
}

} // namespace

CAF_TEST(base64 matches the RFC 4648 test vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto& [bytes, text] : vectors) {
    CAF_CHECK_EQUAL(base64_encode(bytes), text);
    CAF_CHECK_EQUAL(show(base64_decode(text)), show(bytes));
  }
}

CAF_TEST(base64 uses plus and slash) {
  CAF_CHECK_EQUAL(base64_encode("\xfb\xff"), "+/8=");
  CAF_CHECK_EQUAL(base64_encode("\xff\xff\xff"), "////");
  CAF_CHECK_EQUAL(base64_encode("\xfb\xef\xbe"), "++++");
  CAF_CHECK_EQUAL(show(base64_decode("+/8=")), show("\xfb\xff"s));
}

CAF_TEST(every byte value survives base64) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  // Every length modulo 3, so every padding case, at every offset.
  for (size_t len = 0; len <= all.size(); len += 7) {
    auto bytes = all.substr(all.size() - len);
    auto text = base64_encode(bytes);
    CAF_CHECK_EQUAL(text.size() % 4, 0u);
    auto back = base64_decode(text);
    CAF_REQUIRE(back);
    CAF_CHECK(*back == bytes);
  }
}

CAF_TEST(base64 padding cases) {
  CAF_CHECK_EQUAL(show(base64_decode("AQ==")), show("\x01"s));
  CAF_CHECK_EQUAL(show(base64_decode("AQI=")), show("\x01\x02"s));
  CAF_CHECK_EQUAL(show(base64_decode("AQID")), show("\x01\x02\x03"s));
  CAF_CHECK_EQUAL(show(base64_decode("AA==")), show("\0"s));
  // Missing padding.
  CAF_CHECK(!base64_decode("AQ"));
  CAF_CHECK(!base64_decode("AQI"));
  CAF_CHECK(!base64_decode("AQ="));
  // Too much padding, padding that is not at the end, padding alone.
  CAF_CHECK(!base64_decode("A==="));
  CAF_CHECK(!base64_decode("===="));
  CAF_CHECK(!base64_decode("AQ==AQ=="));
  CAF_CHECK(!base64_decode("A=Q="));
  CAF_CHECK(!base64_decode("AQ=D"));
  CAF_CHECK(!base64_decode("AQID="));
}

CAF_TEST(base64 refuses characters outside the alphabet) {
  for (auto text :
       {"AQ-_"s, "AQ I"s, "AQI\n"s, "AQ.D"s, "\xc3\xa9ID"s, "AQ\0D"s})
    CAF_CHECK(!base64_decode(text));
  // The padding bits of the last group must be zero (the canonical form
  // every encoder writes): "Zg==" is 'f', "Zh==" would be 'f' too.
  CAF_CHECK(!base64_decode("Zh=="));
  CAF_CHECK(!base64_decode("Zm9="));
  CAF_CHECK_EQUAL(show(base64_decode("Zm8=")), "'fo'");
}

CAF_TEST(whitespace and stray padding are refused) {
  // RTOC's AES frames come from Python's b64encode: nothing but the
  // alphabet and final padding is accepted (OpenSSL's decoder skipped
  // whitespace).
  for (auto bad : {"Zg=", "Zg", "Z===", "Zm9v\n", "Zm=v", "Zm9v Yg==", "@@@@"})
    CAF_CHECK(!base64_decode(bad).has_value());
}
