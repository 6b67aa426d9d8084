#define CAF_SUITE load_json_stream_splitter

#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

#include "tools/load/json_stream_splitter.hpp"

using namespace signalbox::load;

namespace {

using texts = std::vector<std::string>;

// Feeds `chunks` one after the other and collects what comes out.
texts split(json_stream_splitter& s, const texts& chunks) {
  texts out;
  for (auto& chunk : chunks)
    s.feed(chunk, [&](std::string_view v) { out.emplace_back(v); });
  return out;
}

texts split(const texts& chunks) {
  json_stream_splitter s;
  return split(s, chunks);
}

// A stream the node could write: objects back to back, strings holding
// brackets, escaped quotes and backslashes, nesting, a list.
const std::string stream =
    R"({"type":"hello","data":{"heartbeat":13500}})"
    R"({"type":"message","data":{"message":"}{ \"quoted}\" [","type":"info"}})"
    R"({"a":"back\\slash\\"}{"b":{"c":[1,{"d":"]"}]}})"
    R"([{"type":"client"}])";

const texts values = {
    R"({"type":"hello","data":{"heartbeat":13500}})",
    R"({"type":"message","data":{"message":"}{ \"quoted}\" [","type":"info"}})",
    R"({"a":"back\\slash\\"})",
    R"({"b":{"c":[1,{"d":"]"}]}})",
    R"([{"type":"client"}])",
};

} // namespace

CAF_TEST(several objects in one read) {
  CAF_CHECK_EQUAL(split({R"({"a":1}{"b":2}{"c":3})"}),
                  (texts{R"({"a":1})", R"({"b":2})", R"({"c":3})"}));
}

CAF_TEST(strings with brackets and escaped quotes do not end a value) {
  CAF_CHECK_EQUAL(split({stream}), values);
}

CAF_TEST(a value split across reads comes out whole) {
  json_stream_splitter s;
  CAF_CHECK(split(s, {R"({"type":"mess)"}).empty());
  CAF_CHECK_EQUAL(s.pending_bytes(), 13u);
  CAF_CHECK(split(s, {R"(age","data":{"message":"a\)"}).empty());
  // The backslash of the previous read escapes this quote.
  CAF_CHECK_EQUAL(
      split(s, {R"("}"}}{"n":)", "1}"}),
      (texts{R"({"type":"message","data":{"message":"a\"}"}})", R"({"n":1})"}));
  CAF_CHECK_EQUAL(s.pending_bytes(), 0u);
}

CAF_TEST(every cut of the stream gives the same values) {
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    auto got = split({stream.substr(0, cut), stream.substr(cut)});
    if (got != values) {
      CAF_FAIL("cut at " << cut << " gave " << got.size() << " values");
    }
  }
  texts bytes;
  for (char c : stream)
    bytes.emplace_back(1, c);
  CAF_CHECK_EQUAL(split(bytes), values);
}

CAF_TEST(whitespace between values is skipped) {
  CAF_CHECK_EQUAL(split({" \r\n{\"a\":1}\t ", " {\"b\":\" \"}\n"}),
                  (texts{R"({"a":1})", R"({"b":" "})"}));
}

CAF_TEST(a value within one read is not copied) {
  json_stream_splitter s;
  std::string chunk = R"({"a":1}{"b":)";
  std::vector<std::string_view> seen;
  s.feed(chunk, [&](std::string_view v) { seen.push_back(v); });
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK(seen[0].data() == chunk.data());
  CAF_CHECK_EQUAL(seen[0].size(), 7u);
}

CAF_TEST(anything but a value between values breaks the stream) {
  json_stream_splitter s;
  CAF_CHECK_EQUAL(split(s, {R"({"a":1} x {"b":2})"}), (texts{R"({"a":1})"}));
  CAF_CHECK(s.failed());
  CAF_CHECK_EQUAL(s.error(), "unexpected 'x' between values");
  // Nothing after the break is trusted.
  CAF_CHECK(split(s, {R"({"c":3})"}).empty());
  json_stream_splitter stray;
  CAF_CHECK(split(stray, {"}"}).empty());
  CAF_CHECK(stray.failed());
}

CAF_TEST(a value over the limit breaks the stream) {
  json_stream_splitter s{10};
  CAF_CHECK_EQUAL(split(s, {R"({"a":"12"})"}), (texts{R"({"a":"12"})"}));
  CAF_CHECK(!s.failed());
  CAF_CHECK(split(s, {R"({"a":)", R"("123"})"}).empty());
  CAF_CHECK(s.failed());
  CAF_CHECK_EQUAL(s.error(), "a value longer than 10 bytes");
}
