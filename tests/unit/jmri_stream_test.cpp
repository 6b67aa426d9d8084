#define CAF_SUITE jmri_stream
#include "fixture.hpp"
#include "protocols/jmri/codec.hpp"
#include "protocols/jmri/stream_splitter.hpp"

using namespace signalbox;
using namespace signalbox::jmri;

namespace {

using values = std::vector<std::string>;

constexpr size_t generous = 1 << 20;

values split_all(std::string_view bytes, size_t limit = generous) {
  stream_splitter splitter{limit};
  return splitter.feed(bytes);
}

/// Feeds `bytes` in the chunks that `cuts` (ascending offsets) make.
values split_at(std::string_view bytes, const std::vector<size_t>& cuts,
                size_t limit = generous) {
  stream_splitter splitter{limit};
  values out;
  size_t from = 0;
  auto take = [&](size_t to) {
    for (auto& v : splitter.feed(bytes.substr(from, to - from)))
      out.push_back(std::move(v));
    from = to;
  };
  for (auto cut : cuts)
    take(cut);
  take(bytes.size());
  return out;
}

// Values full of traps: brackets and quotes inside strings, escaped
// backslashes right before closing quotes, nesting, top-level arrays and
// scalars, multi-byte UTF-8, and every kind of separator.
const std::string tricky_stream =
    R"({"type":"ping"})"
    R"({"type":"x","data":{"s":"}]{[","q":"\"}","b":"\\","e":"\\\""}})"
    "\n\r\t "
    R"([{"type":"a"},{"type":"b","data":[[],{}]}])"
    R"( "top \" string {" )"
    "{\"type\":\"gr\xc3\xbc\xc3\x9f\",\"data\":{}}"
    "  123 true null "
    R"({"list":"client"})";

const values tricky_values = {
    R"({"type":"ping"})",
    R"({"type":"x","data":{"s":"}]{[","q":"\"}","b":"\\","e":"\\\""}})",
    R"([{"type":"a"},{"type":"b","data":[[],{}]}])",
    R"("top \" string {")",
    "{\"type\":\"gr\xc3\xbc\xc3\x9f\",\"data\":{}}",
    "123",
    "true",
    "null",
    R"({"list":"client"})",
};

} // namespace

CAF_TEST(one object is one value) {
  CAF_CHECK_EQUAL(split_all(R"({"type":"ping"})"),
                  values{R"({"type":"ping"})"});
}

CAF_TEST(concatenated values need no delimiter) {
  CAF_CHECK_EQUAL(split_all(R"({"type":"ping"}{"type":"goodbye"})"),
                  (values{R"({"type":"ping"})", R"({"type":"goodbye"})"}));
}

CAF_TEST(whitespace between values is skipped) {
  CAF_CHECK_EQUAL(
      split_all(" \r\n\t{\"type\":\"ping\"}\n\n  {\"type\":\"goodbye\"}\r\n"),
      (values{R"({"type":"ping"})", R"({"type":"goodbye"})"}));
  stream_splitter splitter{generous};
  CAF_CHECK(splitter.feed(" \n\r\t").empty());
  CAF_CHECK_EQUAL(splitter.pending_bytes(), 0u);
  CAF_CHECK(!splitter.failed());
}

CAF_TEST(whitespace inside a value is kept) {
  CAF_CHECK_EQUAL(split_all("{ \"type\" :\n \"ping\" }"),
                  values{"{ \"type\" :\n \"ping\" }"});
}

CAF_TEST(the tricky stream splits into its values) {
  CAF_CHECK_EQUAL(split_all(tricky_stream), tricky_values);
}

CAF_TEST(a value split at every byte position comes out the same) {
  for (size_t cut = 0; cut <= tricky_stream.size(); ++cut)
    CAF_CHECK_EQUAL(split_at(tricky_stream, {cut}), tricky_values);
}

CAF_TEST(a value split at every pair of positions comes out the same) {
  const std::string stream =
      R"({"a":"\\\"}{"}["x",{"b":"]"}] "s\"" 7 {"c":{}})";
  const values expected = {R"({"a":"\\\"}{"})", R"(["x",{"b":"]"}])",
                           R"("s\"")", "7", R"({"c":{}})"};
  CAF_REQUIRE_EQUAL(split_all(stream), expected);
  for (size_t i = 0; i <= stream.size(); ++i)
    for (size_t j = i; j <= stream.size(); ++j)
      CAF_CHECK_EQUAL(split_at(stream, {i, j}), expected);
}

CAF_TEST(byte at a time feeding comes out the same) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < tricky_stream.size(); ++i)
    cuts.push_back(i);
  CAF_CHECK_EQUAL(split_at(tricky_stream, cuts), tricky_values);
}

CAF_TEST(incomplete values stay pending) {
  stream_splitter splitter{generous};
  CAF_CHECK(splitter.feed(R"({"type":"pi)").empty());
  CAF_CHECK_EQUAL(splitter.pending_bytes(), 11u);
  CAF_CHECK_EQUAL(splitter.feed(R"(ng"} {)"), values{R"({"type":"ping"})"});
  CAF_CHECK_EQUAL(splitter.pending_bytes(), 1u);
  CAF_CHECK(!splitter.failed());
}

CAF_TEST(a top level token waits for its delimiter) {
  stream_splitter splitter{generous};
  CAF_CHECK(splitter.feed("12").empty());
  CAF_CHECK(splitter.feed("3").empty());
  CAF_CHECK_EQUAL(splitter.feed("\n"), values{"123"});
  // The byte that ends a token starts the next value.
  CAF_CHECK_EQUAL(splitter.feed(R"(4{"a":1}5"s")"),
                  (values{"4", R"({"a":1})", "5", R"("s")"}));
}

CAF_TEST(garbage words come out as values that fail to parse) {
  auto out = split_all("not a JSON object ");
  CAF_CHECK_EQUAL(out, (values{"not", "a", "JSON", "object"}));
  for (auto& v : out) {
    auto result = parse_request(v);
    CAF_CHECK_EQUAL(result.error_code, 500);
  }
}

CAF_TEST(malformed containers are cut at their end and fail to parse) {
  // Only the nesting depth is tracked: mismatched brackets still balance.
  auto out = split_all(R"({"a":[}]{"a" 1}{"type":"ping"})");
  CAF_CHECK_EQUAL(out,
                  (values{R"({"a":[}])", R"({"a" 1})", R"({"type":"ping"})"}));
  CAF_REQUIRE_EQUAL(out.size(), 3u);
  CAF_CHECK_EQUAL(parse_request(out[0]).error_code, 500);
  CAF_CHECK_EQUAL(parse_request(out[1]).error_code, 500);
  CAF_CHECK(parse_request(out[2]).ok());
}

CAF_TEST(an early close bracket leaves a stray closer that fails) {
  stream_splitter splitter{generous};
  CAF_CHECK_EQUAL(splitter.feed(R"({"a":]})"), values{R"({"a":])"});
  CAF_CHECK(splitter.failed());
}

CAF_TEST(a stray closer between values fails the stream) {
  for (auto stray : {"}", "]", ",", ":"}) {
    stream_splitter splitter{generous};
    auto out = splitter.feed(std::string{R"({"type":"ping"} )"} + stray +
                             R"({"type":"goodbye"})");
    // Values before the garbage still come out; nothing after it does.
    CAF_CHECK_EQUAL(out, values{R"({"type":"ping"})"});
    CAF_CHECK(splitter.failed());
    CAF_CHECK_EQUAL(splitter.error(),
                    std::string{"unexpected '"} + stray +
                        "' between JSON values: the stream cannot be "
                        "resynchronised");
    CAF_CHECK(splitter.feed(R"({"type":"ping"})").empty());
  }
}

CAF_TEST(a token ended by a stray closer fails the stream) {
  stream_splitter splitter{generous};
  CAF_CHECK_EQUAL(splitter.feed("12}"), values{"12"});
  CAF_CHECK(splitter.failed());
}

CAF_TEST(values up to the limit pass) {
  const std::string value = R"({"type":"ping"})"; // 15 bytes
  stream_splitter splitter{value.size()};
  // Whitespace between values does not count towards the limit.
  CAF_CHECK_EQUAL(splitter.feed("          " + value + "          " + value),
                  (values{value, value}));
  CAF_CHECK(!splitter.failed());
}

CAF_TEST(a value over the limit fails the stream) {
  const std::string value = R"({"type":"ping"})";
  stream_splitter splitter{value.size() - 1};
  CAF_CHECK(splitter.feed(value).empty());
  CAF_CHECK(splitter.failed());
  CAF_CHECK_EQUAL(splitter.error(),
                  "a JSON value exceeds the limit of 14 bytes");
  CAF_CHECK_EQUAL(splitter.pending_bytes(), 0u);
}

CAF_TEST(the limit holds across chunks) {
  stream_splitter splitter{10};
  CAF_CHECK(splitter.feed(R"({"a":")").empty());
  CAF_CHECK(!splitter.failed());
  CAF_CHECK(splitter.feed("1234").empty()); // 10 bytes pending: still fine
  CAF_CHECK(!splitter.failed());
  CAF_CHECK_EQUAL(splitter.pending_bytes(), 10u);
  CAF_CHECK(splitter.feed("5").empty());
  CAF_CHECK(splitter.failed());
}

CAF_TEST(the limit applies to top level tokens and strings) {
  stream_splitter tokens{4};
  CAF_CHECK(tokens.feed("12345").empty());
  CAF_CHECK(tokens.failed());
  stream_splitter strings{4};
  CAF_CHECK(strings.feed(R"("abcd")").empty());
  CAF_CHECK(strings.failed());
}

CAF_TEST(values before an oversized one still come out) {
  stream_splitter splitter{20};
  auto out =
      splitter.feed(R"({"type":"ping"}{"type":"this one is far too long"})");
  CAF_CHECK_EQUAL(out, values{R"({"type":"ping"})"});
  CAF_CHECK(splitter.failed());
}

CAF_TEST(every split value of a client session parses) {
  const std::string session =
      R"({"type":"hello","data":{"client":"42","version":"v5"}})"
      R"({"type":"client","data":{"client":"43"},"method":"put","id":2})"
      "\n"
      R"({"list":"client"})"
      R"({"type":"ping"})"
      R"({"type":"goodbye"})";
  auto out = split_all(session);
  CAF_REQUIRE_EQUAL(out.size(), 5u);
  std::vector<std::string> types;
  for (auto& v : out) {
    auto result = parse_request(v);
    CAF_REQUIRE(result.ok());
    types.push_back(result.req->type + "/" + result.req->method);
  }
  CAF_CHECK_EQUAL(types, (values{"hello/get", "client/put", "client/list",
                                 "ping/get", "goodbye/get"}));
}
