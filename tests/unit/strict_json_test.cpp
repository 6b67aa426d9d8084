// protocols/json/strict_json: numbers parse to the double their text rounds
// to, wherever they sit in a document, and nothing else changes. (Doubles
// are compared with ==: CAF_CHECK_EQUAL allows an epsilon.)
#define CAF_SUITE strict_json

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "fixture.hpp"
#include "protocols/json/strict_json.hpp"

using namespace signalbox;

namespace {

rapidjson::Document parsed(const std::string& text) {
  rapidjson::Document doc;
  json::parse(doc, text);
  CAF_REQUIRE(!doc.HasParseError());
  return doc;
}

} // namespace

CAF_TEST(the half the realdds fuzzer found reads back as itself) {
  // -0x1.664p-9, a CBOR half, as RapidJSON writes it; RapidJSON's own
  // parser read it one unit in the last place too low.
  auto doc = parsed("-0.0027332305908203127");
  CAF_CHECK(doc.GetDouble() == -0x1.664p-9);
}

CAF_TEST(random doubles round to what strtod reads) {
  std::mt19937_64 rng{7};
  int wrong = 0;
  for (int i = 0; i < 20000; ++i) {
    double d;
    auto bits = rng();
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d))
      continue;
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", d);
    auto doc = parsed(std::string{"{\"a\":[1,{\"b\":"} + text + "},\"x\"]}");
    if (doc["a"][1]["b"].GetDouble() != std::strtod(text, nullptr))
      ++wrong;
  }
  CAF_CHECK_EQUAL(wrong, 0);
}

CAF_TEST(numbers left to RapidJSON are the ones it reads exactly) {
  // Up to 17 digits and exponents around Clinger's fast path, where the
  // scan decides between RapidJSON's value and from_chars: both must give
  // strtod's double.
  std::mt19937_64 rng{11};
  int wrong = 0;
  for (int i = 0; i < 50000; ++i) {
    auto digits = static_cast<int>(rng() % 17) + 1;
    auto exponent = static_cast<int>(rng() % 61) - 30;
    char text[64];
    std::snprintf(text, sizeof text, "%s%.*e", rng() % 2 ? "-" : "", digits - 1,
                  static_cast<double>(rng() % 1000000007) * 1e-9 *
                      std::pow(10.0, exponent));
    auto doc = parsed(std::string{"[0.5,"} + text + "]");
    if (doc[1].GetDouble() != std::strtod(text, nullptr))
      ++wrong;
  }
  CAF_CHECK_EQUAL(wrong, 0);
}

CAF_TEST(timestamps of 17 digits read back exactly) {
  std::mt19937_64 rng{3};
  int wrong = 0;
  for (int i = 0; i < 50000; ++i) {
    char text[64];
    std::snprintf(text, sizeof text, "%.7f",
                  1.7e9 + static_cast<double>(rng() % 100000000000) * 1e-3);
    auto doc = parsed(std::string{"{\"x\":["} + text + "]}");
    if (doc["x"][0].GetDouble() != std::strtod(text, nullptr))
      ++wrong;
  }
  CAF_CHECK_EQUAL(wrong, 0);
}

CAF_TEST(every float in document order gets its own text) {
  auto doc = parsed(R"({"k":[0.1,7,{"z":-0.0027332305908203127,"n":-3}],)"
                    R"("s":"1.5","t":4.9e-324,"u":2e-400})");
  CAF_CHECK(doc["k"][0].GetDouble() == 0.1);
  CAF_CHECK(doc["k"][1].IsInt());
  CAF_CHECK_EQUAL(doc["k"][1].GetInt(), 7);
  CAF_CHECK(doc["k"][2]["z"].GetDouble() == -0x1.664p-9);
  CAF_CHECK_EQUAL(doc["k"][2]["n"].GetInt(), -3);
  CAF_CHECK(doc["s"].IsString()); // a string that looks like a number
  CAF_CHECK(doc["t"].GetDouble() == 4.9e-324);
  CAF_CHECK(doc["u"].GetDouble() == 0.0); // underflow: zero, as before
}

CAF_TEST(integers beyond 64 bits stay the doubles RapidJSON makes) {
  auto doc = parsed("[18446744073709551616,-9223372036854775809,12]");
  CAF_CHECK(doc[0].GetDouble() == 18446744073709551616.0);
  CAF_CHECK(doc[1].GetDouble() == -9223372036854775809.0);
  CAF_CHECK(doc[2].IsInt());
}

CAF_TEST(NaN and Infinity read where the flags allow them) {
  rapidjson::Document doc;
  json::parse<json::parse_flags | rapidjson::kParseNanAndInfFlag>(
      doc, "[NaN,-Infinity,Infinity,1.25]");
  CAF_REQUIRE(!doc.HasParseError());
  CAF_CHECK(std::isnan(doc[0].GetDouble()));
  CAF_CHECK(std::isinf(doc[1].GetDouble()) && doc[1].GetDouble() < 0);
  CAF_CHECK(std::isinf(doc[2].GetDouble()) && doc[2].GetDouble() > 0);
  CAF_CHECK(doc[3].GetDouble() == 1.25);
}

CAF_TEST(a parse error stays the one RapidJSON reports) {
  rapidjson::Document doc;
  json::parse(doc, "[1.5,");
  CAF_CHECK(doc.HasParseError());
  json::parse(doc, "[1.5] x");
  CAF_CHECK(doc.HasParseError());
}
