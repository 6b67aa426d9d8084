// protocols/realdds/cbor_codec: the WebSocket mirror's CBOR, checked against
// the examples of RFC 8949 appendix A that JSON can express.
#define CAF_SUITE realdds_cbor

#include <limits>
#include <string>
#include <utility>

#include <rapidjson/document.h>

#include "fixture.hpp"
#include "protocols/realdds/cbor_codec.hpp"

using namespace signalbox::realdds;

namespace {

std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

/// The CBOR of `json` in lowercase hex; "<not json>" when it does not parse.
std::string hex_cbor(const std::string& json) {
  auto bytes = cbor_of_json(json);
  return bytes ? hex(*bytes) : "<not json>";
}

} // namespace

CAF_TEST(integers match RFC 8949 appendix A) {
  const std::pair<std::string, std::string> vectors[] = {
      {"0", "00"},
      {"1", "01"},
      {"10", "0a"},
      {"23", "17"},
      {"24", "1818"},
      {"25", "1819"},
      {"100", "1864"},
      {"1000", "1903e8"},
      {"1000000", "1a000f4240"},
      {"1000000000000", "1b000000e8d4a51000"},
      {"18446744073709551615", "1bffffffffffffffff"},
      {"-1", "20"},
      {"-10", "29"},
      {"-100", "3863"},
      {"-1000", "3903e7"},
      // Beyond the appendix: the ends of int64.
      {"9223372036854775807", "1b7fffffffffffffff"},
      {"-9223372036854775808", "3b7fffffffffffffff"},
      // A realdds timestamp: ns since the epoch.
      {"1764936000000000000", "1b187e4ff0e34c8000"},
  };
  for (auto& [json, cbor] : vectors)
    CAF_CHECK_EQUAL(hex_cbor(json), cbor);
}

CAF_TEST(floats take the shortest exact form as in RFC 8949 appendix A) {
  // Doubles, not JSON text: RapidJSON 1.1's parse of a decimal may be a
  // unit in the last place off (its exact mode has undefined behaviour),
  // and the encoder is what is checked here.
  const std::pair<double, std::string> vectors[] = {
      {0.0, "f90000"},
      {-0.0, "f98000"},
      {1.0, "f93c00"},
      {1.1, "fb3ff199999999999a"},
      {1.5, "f93e00"},
      {65504.0, "f97bff"},
      {100000.0, "fa47c35000"},
      {3.4028234663852886e+38, "fa7f7fffff"},
      {1.0e+300, "fb7e37e43c8800759c"},
      {0.00006103515625, "f90400"},
      {-4.0, "f9c400"},
      {-4.1, "fbc010666666666666"},
      {std::numeric_limits<double>::infinity(), "f97c00"},
      {-std::numeric_limits<double>::infinity(), "f9fc00"},
      // The appendix has f90001 (a subnormal half); libcbor 0.8 rounds
      // subnormal halves, so they go as the exact single instead.
      {5.960464477539063e-8, "fa33800000"},
      {6.097555160522461e-05, "fa387fc000"},
      // Above the half range, exact in single.
      {65536.0, "fa47800000"},
  };
  for (auto& [value, cbor] : vectors) {
    std::string out;
    append_cbor(out, rapidjson::Value{value});
    CAF_CHECK_EQUAL(hex(out), cbor);
  }
  // From JSON text, a float stays a float.
  CAF_CHECK_EQUAL(hex_cbor("1.5"), "f93e00");
  CAF_CHECK_EQUAL(hex_cbor("-0.0"), "f98000");
}

CAF_TEST(simple values and strings match RFC 8949 appendix A) {
  const std::pair<std::string, std::string> vectors[] = {
      {"false", "f4"},
      {"true", "f5"},
      {"null", "f6"},
      {R"("")", "60"},
      {R"("a")", "6161"},
      {R"("IETF")", "6449455446"},
      {R"("\"\\")", "62225c"},
      {R"("\u00fc")", "62c3bc"},
      {R"("\u6c34")", "63e6b0b4"},
      {R"("\ud800\udd51")", "64f0908591"},
      // A string of 24 bytes takes a one-byte length.
      {R"("abcdefghijklmnopqrstuvwx")",
       "78186162636465666768696a6b6c6d6e6f707172737475767778"},
  };
  for (auto& [json, cbor] : vectors)
    CAF_CHECK_EQUAL(hex_cbor(json), cbor);
}

CAF_TEST(arrays and maps match RFC 8949 appendix A) {
  const std::pair<std::string, std::string> vectors[] = {
      {"[]", "80"},
      {"[1,2,3]", "83010203"},
      {"[1,[2,3],[4,5]]", "8301820203820405"},
      {"[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]",
       "98190102030405060708090a0b0c0d0e0f101112131415161718181819"},
      {"{}", "a0"},
      {R"({"a":1,"b":[2,3]})", "a26161016162820203"},
      {R"(["a",{"b":"c"}])", "826161a161626163"},
      {R"({"a":"A","b":"B","c":"C","d":"D","e":"E"})",
       "a56161614161626142616361436164614461656145"},
  };
  for (auto& [json, cbor] : vectors)
    CAF_CHECK_EQUAL(hex_cbor(json), cbor);
}

CAF_TEST(a log notification keeps its shape) {
  // {"id":"log","entries":[[1,"I","hi",{"job":"a"}]]}
  CAF_CHECK_EQUAL(
      hex_cbor(R"({"id":"log","entries":[[1,"I","hi",{"job":"a"}]]})"),
      "a2626964636c6f6767656e747269657381840161496268"
      "69a1636a6f626161");
}

CAF_TEST(text that is not json has no encoding) {
  for (auto text :
       {"", "{", "[1,]", "nope", "{\"a\":}", "1 2", "NaN", "\"\\udc00\""})
    CAF_CHECK_EQUAL(hex_cbor(text), "<not json>");
  // RapidJSON would stop at the NUL.
  CAF_CHECK_EQUAL(hex_cbor(std::string("[1]\0x", 5)), "<not json>");
  // Nesting is bounded (the encoder recurses).
  CAF_CHECK_EQUAL(hex_cbor(std::string(64, '[') + std::string(64, ']')).size(),
                  128u);
  CAF_CHECK_EQUAL(hex_cbor(std::string(65, '[') + std::string(65, ']')),
                  "<not json>");
}

// -- json_of_cbor: controls from realdds-cbor clients -------------------------

namespace {

std::optional<std::string> json_of_hex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return json_of_cbor(bytes);
}

} // namespace

CAF_TEST(cbor reads back as json) {
  for (auto json :
       {R"({"id":"set-option","option-name":"relay-a","value":1})",
        R"([1,-1,true,false,null,"\u00fc",1.5,-9223372036854775808])",
        R"({"a":[{"b":{}}],"c":[]})", R"("")", R"(0)"}) {
    auto cbor = cbor_of_json(json);
    CAF_REQUIRE(cbor);
    auto back = json_of_cbor(*cbor);
    CAF_REQUIRE(back);
    rapidjson::Document a;
    rapidjson::Document b;
    a.Parse(json);
    b.Parse(back->c_str());
    CAF_CHECK(a == b);
  }
}

CAF_TEST(cbor that json cannot say is refused) {
  CAF_CHECK(!json_of_hex("40"));           // byte string
  CAF_CHECK(!json_of_hex("c11a514b67b0")); // tag 1
  CAF_CHECK(!json_of_hex("f7"));           // undefined
  CAF_CHECK(!json_of_hex("f97c00"));       // infinity
  CAF_CHECK(!json_of_hex("f97e00"));       // NaN
  CAF_CHECK(!json_of_hex("a10102"));       // {1: 2}: a key that is no text
  CAF_CHECK(!json_of_hex("61ff"));         // text that is no UTF-8
  CAF_CHECK(!json_of_hex("3bffffffffffffffff")); // below INT64_MIN
  CAF_CHECK(!json_of_hex("0101"));               // two items
  CAF_CHECK(!json_of_hex("82"));                 // cut
  CAF_CHECK(!json_of_hex(""));
  // Lengths the bytes cannot hold: refused before anything is allocated
  // for them (an array of four billion items in five bytes).
  CAF_CHECK(!json_of_hex("9a968d8c8b"));
  CAF_CHECK(!json_of_hex("bb00000001000000000000"));
  CAF_CHECK(!json_of_hex("7a0000ffff61"));
  // Nested deeper than max_cbor_depth.
  std::string deep;
  for (size_t i = 0; i <= max_cbor_depth; ++i)
    deep += "81"; // an array of one
  CAF_CHECK(!json_of_hex(deep + "00"));
  CAF_CHECK(json_of_hex(deep.substr(2) + "00"));
}

CAF_TEST(indefinite cbor text reads back) {
  CAF_CHECK_EQUAL(json_of_hex("7f657374726561646d696e67ff"),
                  std::optional<std::string>{R"("streaming")"});
  CAF_CHECK_EQUAL(json_of_hex("9f018202039f0405ffff"),
                  std::optional<std::string>{"[1,[2,3],[4,5]]"});
  CAF_CHECK_EQUAL(json_of_hex("3903e7"), std::optional<std::string>{"-1000"});
}
