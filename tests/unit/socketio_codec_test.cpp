#define CAF_SUITE socketio_codec
#include "fixture.hpp"
#include "protocols/socketio/socketio_codec.hpp"

using namespace signalbox;
using namespace signalbox::socketio;
using namespace std::literals;

namespace {

/// Decodes `text` and requires success.
packet decode_ok(std::string_view text, size_t max_attachments = 10) {
  auto result = decode(text, max_attachments);
  if (!result.ok())
    CAF_FAIL("decode of " << std::string{text} << " failed: " << result.error);
  return *result.value;
}

/// Decodes `text`, requires failure and returns the error.
std::string decode_error(std::string_view text, size_t max_attachments = 10) {
  auto result = decode(text, max_attachments);
  if (result.ok())
    CAF_FAIL("decode of " << std::string{text} << " succeeded");
  CAF_CHECK(!result.error.empty());
  return result.error;
}

packet make(packet_type type, std::string nsp = "/",
            std::optional<uint64_t> ack_id = std::nullopt,
            size_t attachments = 0, std::string data = "") {
  packet p;
  p.type = type;
  p.nsp = std::move(nsp);
  p.ack_id = ack_id;
  p.attachments = attachments;
  p.data = std::move(data);
  return p;
}

std::string show(const std::optional<std::string>& value) {
  return value ? "'" + *value + "'" : "<none>";
}

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

/// `["x",[[...]]]` with `depth` levels in all.
std::string event_of_depth(size_t depth) {
  return R"(2["x",)" + nested_arrays(depth - 1) + "]";
}

} // namespace

// -- CONNECT ------------------------------------------------------------------

CAF_TEST(connect to the main namespace) {
  CAF_CHECK(decode_ok("0") == make(packet_type::connect));
  CAF_CHECK(decode_ok(R"(0{"token":"123"})") ==
            make(packet_type::connect, "/", {}, 0, R"({"token":"123"})"));
  CAF_CHECK(decode_ok(R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})") ==
            make(packet_type::connect, "/", {}, 0,
                 R"({"sid":"wZX3oN0bSVIhsaknAAAI"})"));
}

CAF_TEST(connect to a custom namespace) {
  CAF_CHECK(decode_ok("0/admin,") == make(packet_type::connect, "/admin"));
  CAF_CHECK(decode_ok(R"(0/admin,{"token":"x"})") ==
            make(packet_type::connect, "/admin", {}, 0, R"({"token":"x"})"));
}

CAF_TEST(a namespace without comma ends at the end of the text) {
  CAF_CHECK(decode_ok("0/custom") == make(packet_type::connect, "/custom"));
  CAF_CHECK(decode_ok("1/custom") == make(packet_type::disconnect, "/custom"));
  // Everything up to the end is the namespace, JSON-looking text included.
  CAF_CHECK(decode_ok(R"(0/admin{"a":1})") ==
            make(packet_type::connect, R"(/admin{"a":1})"));
}

CAF_TEST(namespaces may hold any characters but the comma) {
  CAF_CHECK(decode_ok(R"(2/a[1] b/ü,["x"])").nsp == "/a[1] b/ü");
  CAF_CHECK(decode_ok(R"(2/123,["x"])").nsp == "/123");
  // "/" and "/," are both the main namespace.
  CAF_CHECK(decode_ok("0/") == make(packet_type::connect));
  CAF_CHECK(decode_ok(R"(2/,["x"])") ==
            make(packet_type::event, "/", {}, 0, R"(["x"])"));
  // A second comma belongs to what follows the namespace.
  CAF_CHECK_EQUAL(decode_error(R"(2/a,,["x"])"), "invalid payload");
}

CAF_TEST(connect payloads must be objects) {
  for (auto text : {R"(0[])", R"(0"x")", "0 5", "0null", "0true",
                    R"(0/admin,[])", R"(0/admin,"x")"})
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
}

// -- DISCONNECT ---------------------------------------------------------------

CAF_TEST(disconnect carries no payload) {
  CAF_CHECK(decode_ok("1") == make(packet_type::disconnect));
  CAF_CHECK(decode_ok("1/admin,") == make(packet_type::disconnect, "/admin"));
  for (auto text : {"1{}", "1[]", R"(1"x")", "1/admin,{}", "1 ", "1null"})
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
}

// -- EVENT --------------------------------------------------------------------

CAF_TEST(events are arrays named by a string) {
  auto query = decode_ok(
      R"(2["query",{"monitor_id":"672ef79b4d0a4805bc529d1ae44bc26b"}])");
  CAF_CHECK(
      query ==
      make(packet_type::event, "/", {}, 0,
           R"(["query",{"monitor_id":"672ef79b4d0a4805bc529d1ae44bc26b"}])"));
  CAF_CHECK(decode_ok(R"(2["hello"])") ==
            make(packet_type::event, "/", {}, 0, R"(["hello"])"));
  CAF_CHECK(decode_ok(R"(2/admin,["x",1,null])") ==
            make(packet_type::event, "/admin", {}, 0, R"(["x",1,null])"));
}

CAF_TEST(events may be named by a number) {
  CAF_CHECK(decode_ok(R"(2[5,"x"])").data == R"([5,"x"])");
  CAF_CHECK(decode_ok("2[-1.5e3]").data == "[-1.5e3]");
  CAF_CHECK(decode_ok("2[0]").data == "[0]");
}

CAF_TEST(event names that are no string or number are invalid) {
  for (auto text : {"2[null]", "2[true]", "2[false]", "2[{}]", R"(2[["x"]])",
                    R"(2[{"name":"x"}])"})
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
}

CAF_TEST(events need an array with a name) {
  for (auto text : {"2", "2[]", "2{}", R"(2"query")", "25", "2null",
                    R"(2{"0":"x"})", "2/admin,", "2/admin,[]", "2 "})
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
}

CAF_TEST(reserved event names are invalid) {
  for (auto name : {"connect", "connect_error", "disconnect", "disconnecting",
                    "newListener", "removeListener"}) {
    auto text = std::string{R"(2[")"} + name + R"(",{}])";
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
    CAF_CHECK_EQUAL(decode_error("51-" + text.substr(1)), "invalid payload");
  }
}

CAF_TEST(reserved names are compared exactly) {
  for (auto name : {"Connect", "CONNECT", "connect ", " connect", "connected",
                    "newlistener", "disconnect_", "error", "message", ""}) {
    auto text = std::string{R"(2[")"} + name + R"("])";
    CAF_CHECK_EQUAL(decode_ok(text).data, text.substr(1));
  }
  // The reserved names are fine as arguments.
  CAF_CHECK(decode(R"(2["x","connect"])").ok());
}

CAF_TEST(malformed packets of the conformance suite are invalid) {
  // The suite sends these as `4abc`, `42{}` and `42abc[...]`.
  CAF_CHECK_EQUAL(decode_error("abc"), "unknown packet type");
  CAF_CHECK_EQUAL(decode_error("2{}"), "invalid payload");
  CAF_CHECK_EQUAL(decode_error(R"(2abc["message"])"), "invalid payload");
}

CAF_TEST(event data keeps nested JSON and escapes verbatim) {
  auto text = R"(2["ünïcode ✓ 🚀",{"a":{"b":[1,"\"q\"\\",null,-0.5e-3]},)"
              R"("c":"\u00e9\n\t\/"}, true])"s;
  auto p = decode_ok(text);
  CAF_CHECK_EQUAL(p.data, text.substr(1));
  // Whitespace JSON.parse allows stays as it was.
  auto spaced = "2 [ \"x\" ,\n{ } ]\t\r\n"s;
  CAF_CHECK_EQUAL(decode_ok(spaced).data, spaced.substr(1));
}

CAF_TEST(trailing garbage after the JSON is invalid) {
  for (auto text :
       {R"(2["x"]])", R"(2["x"] ["y"])", R"(2["x"]x)", R"(0{}{})", R"(3[],)"})
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
  // RapidJSON alone would stop at a NUL byte as if the text ended there.
  CAF_CHECK_EQUAL(decode_error("2[\"x\"]\0"s), "invalid payload");
  CAF_CHECK_EQUAL(decode_error("2[\"x\"]\0garbage"s), "invalid payload");
  CAF_CHECK_EQUAL(decode_error("2[\"x\0\"]"s), "invalid payload");
  CAF_CHECK_EQUAL(decode_error("2\0[\"x\"]"s), "invalid payload");
}

CAF_TEST(malformed JSON is invalid) {
  for (auto text : {R"(2["x")", R"(2["x",])", R"(2['x'])", R"(2["x\q"])",
                    R"(2[NaN])", R"(2["x",undefined])", R"(0{a:1})",
                    "2[\"a\nb\"]", R"(2[01])", R"(2[1e400])"})
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
}

CAF_TEST(lone surrogate escapes are invalid) {
  // JSON.parse would accept them, but they have no UTF-8 form to echo.
  CAF_CHECK_EQUAL(decode_error(R"(2["\ud800"])"), "invalid payload");
  CAF_CHECK_EQUAL(decode_error(R"(2["\udc00x"])"), "invalid payload");
  CAF_CHECK_EQUAL(decode_error(R"(2["\ud83d\ude80\udfff"])"),
                  "invalid payload");
  CAF_CHECK_EQUAL(decode_error(R"(2["x",{"\uDC00":1}])"), "invalid payload");
  CAF_CHECK_EQUAL(decode_error(R"(2["\ud83d"])"), "invalid payload");
  CAF_CHECK_EQUAL(decode_error(R"(2["\ud83d\u0041"])"), "invalid payload");
  CAF_CHECK(decode(R"(2["\ud83d\ude80"])").ok());
  CAF_CHECK(decode(R"(2["\\udc00"])").ok()); // an escaped backslash
  CAF_CHECK(decode(R"(2["\ud7ff\ue000"])").ok());
  CAF_CHECK_EQUAL(show(string_member(R"([{"k":"\udc00"}])", "k")), "<none>");
}

CAF_TEST(malformed unicode text is invalid anywhere) {
  CAF_CHECK_EQUAL(decode_error("2[\"\xff\"]"), "invalid UTF-8");
  CAF_CHECK_EQUAL(decode_error("0/\xc3,"), "invalid UTF-8");
  CAF_CHECK_EQUAL(decode_error("0/a\xc0\xaf,"), "invalid UTF-8"); // overlong
  CAF_CHECK_EQUAL(decode_error("2[\"\xed\xa0\x80\"]"),
                  "invalid UTF-8"); // surrogate
  CAF_CHECK_EQUAL(decode_error("2[\"\xf4\x90\x80\x80\"]"), "invalid UTF-8");
  CAF_CHECK_EQUAL(decode_error("2[\"\xe0\x80\xaf\"]"), "invalid UTF-8");
  CAF_CHECK_EQUAL(decode_error("2[\"\xf0\x80\x80\xaf\"]"), "invalid UTF-8");
  CAF_CHECK_EQUAL(decode_error("2[\"\xe2\x9c\"]"), "invalid UTF-8"); // cut
  CAF_CHECK_EQUAL(decode_error("0/\xe2\x9c"), "invalid UTF-8");
  CAF_CHECK(decode("2[\"\xf4\x8f\xbf\xbf\"]").ok()); // U+10FFFF
  CAF_CHECK(decode("2[\"\xef\xbf\xbf\"]").ok());     // U+FFFF
}

CAF_TEST(nesting is limited) {
  CAF_CHECK(decode(event_of_depth(1000)).ok());
  CAF_CHECK_EQUAL(decode_error(event_of_depth(1001)), "invalid payload");
  CAF_CHECK_EQUAL(decode_error("2" + nested_arrays(100000)), "invalid payload");
  // Brackets inside strings are no nesting.
  auto text = R"(2["x",")" + std::string(5000, '[') + R"("])";
  CAF_CHECK(decode(text).ok());
}

// -- acks ---------------------------------------------------------------------

CAF_TEST(ack ids follow the namespace) {
  CAF_CHECK(
      decode_ok(R"(2456["message-with-ack",1,"2"])") ==
      make(packet_type::event, "/", 456, 0, R"(["message-with-ack",1,"2"])"));
  CAF_CHECK(decode_ok(R"(2/admin,13["x"])") ==
            make(packet_type::event, "/admin", 13, 0, R"(["x"])"));
  CAF_CHECK(decode_ok("20[\"x\"]").ack_id == uint64_t{0});
  CAF_CHECK(decode_ok("2007[\"x\"]").ack_id == uint64_t{7});
}

CAF_TEST(ack ids have at most 15 digits) {
  CAF_CHECK(decode_ok(R"(2123456789012345["x"])").ack_id ==
            uint64_t{123456789012345});
  CAF_CHECK(decode_ok(R"(2999999999999999["x"])").ack_id ==
            uint64_t{999999999999999});
  CAF_CHECK_EQUAL(decode_error(R"(21234567890123456["x"])"), "invalid ack id");
  CAF_CHECK_EQUAL(decode_error("3" + std::string(40, '9') + "[]"),
                  "invalid ack id");
}

CAF_TEST(ack packets carry an array) {
  CAF_CHECK(decode_ok(R"(3456[1,"2"])") ==
            make(packet_type::ack, "/", 456, 0, R"([1,"2"])"));
  CAF_CHECK(decode_ok("3/admin,13[]") ==
            make(packet_type::ack, "/admin", 13, 0, "[]"));
  CAF_CHECK(decode_ok("31[null]").data == "[null]");
  // Without data the reference accepts it: no payload, nothing to check.
  CAF_CHECK(decode_ok("31") == make(packet_type::ack, "/", 1));
  for (auto text : {"31{}", R"(31"x")", "315x", "3[", "31null"})
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
}

CAF_TEST(a digit run right before the data is always the ack id) {
  // `25` reads as EVENT with ack id 25 and no data, hence invalid, rather
  // than as EVENT with the payload 5.
  CAF_CHECK_EQUAL(decode_error("25"), "invalid payload");
  CAF_CHECK(decode_ok("112") == make(packet_type::disconnect, "/", 12));
  CAF_CHECK(decode_ok("07") == make(packet_type::connect, "/", 7));
}

// -- CONNECT_ERROR ------------------------------------------------------------

CAF_TEST(connect errors carry an object or a string) {
  CAF_CHECK(decode_ok(R"(4{"message":"Not authorized"})") ==
            make(packet_type::connect_error, "/", {}, 0,
                 R"({"message":"Not authorized"})"));
  CAF_CHECK(decode_ok(R"(4/random,{"message":"Invalid namespace"})") ==
            make(packet_type::connect_error, "/random", {}, 0,
                 R"({"message":"Invalid namespace"})"));
  CAF_CHECK(decode_ok(R"(4"not allowed")").data == R"("not allowed")");
  CAF_CHECK(decode_ok("4") == make(packet_type::connect_error));
  for (auto text : {"4[]", "4 5", "4null", "4true", R"(4["x"])"})
    CAF_CHECK_EQUAL(decode_error(text), "invalid payload");
}

// -- binary packets -----------------------------------------------------------

CAF_TEST(binary events count their attachments) {
  CAF_CHECK(decode_ok(R"(51-["baz",{"_placeholder":true,"num":0}])") ==
            make(packet_type::binary_event, "/", {}, 1,
                 R"(["baz",{"_placeholder":true,"num":0}])"));
  CAF_CHECK(decode_ok(R"(52-["x",{"_placeholder":true,"num":0},)"
                      R"({"_placeholder":true,"num":1}])")
                .attachments == 2u);
  CAF_CHECK(decode_ok(R"(50-["x"])").attachments == 0u);
  CAF_CHECK(decode_ok(R"(5001-["x"])").attachments == 1u);
}

CAF_TEST(the ack id comes after the attachments) {
  CAF_CHECK(decode_ok(R"(52-789["x",{"_placeholder":true,"num":0}])") ==
            make(packet_type::binary_event, "/", 789, 2,
                 R"(["x",{"_placeholder":true,"num":0}])"));
  CAF_CHECK(decode_ok(R"(62-789[{"_placeholder":true,"num":0}])") ==
            make(packet_type::binary_ack, "/", 789, 2,
                 R"([{"_placeholder":true,"num":0}])"));
  CAF_CHECK(decode_ok(R"(61-/admin,5[])") ==
            make(packet_type::binary_ack, "/admin", 5, 1, "[]"));
  CAF_CHECK(decode_ok(R"(53-/admin,["x"])") ==
            make(packet_type::binary_event, "/admin", {}, 3, R"(["x"])"));
}

CAF_TEST(binary packets without a count are illegal) {
  for (auto text : {R"(5["x"])", R"(5-["x"])", R"(51["x"])", "5", "6",
                    R"(5a-["x"])", R"(5 1-["x"])", R"(51.0-["x"])",
                    R"(5+1-["x"])", R"(5/admin,1-["x"])", R"(6-[])"})
    CAF_CHECK_EQUAL(decode_error(text), "illegal attachments");
}

CAF_TEST(attachments are limited) {
  CAF_CHECK(decode_ok(R"(510-["x"])").attachments == 10u);
  CAF_CHECK_EQUAL(decode_error(R"(511-["x"])"), "too many attachments");
  CAF_CHECK_EQUAL(decode_error(R"(5184467440737095516160-["x"])"),
                  "too many attachments");
  CAF_CHECK_EQUAL(decode_error(R"(52-["x"])", 1), "too many attachments");
  CAF_CHECK(decode_ok(R"(51-["x"])", 1).attachments == 1u);
  CAF_CHECK(decode_ok(R"(50-["x"])", 0).attachments == 0u);
}

CAF_TEST(binary payloads follow the rules of their plain types) {
  CAF_CHECK_EQUAL(decode_error("51-{}"), "invalid payload");
  CAF_CHECK_EQUAL(decode_error("51-[]"), "invalid payload");
  CAF_CHECK_EQUAL(decode_error("51-"), "invalid payload");
  CAF_CHECK_EQUAL(decode_error("61-{}"), "invalid payload");
  CAF_CHECK(decode_ok("61-1") == make(packet_type::binary_ack, "/", 1, 1));
}

// -- packet types -------------------------------------------------------------

CAF_TEST(unknown packet types are invalid) {
  for (auto text : {""s, "7"s, "8[]"s, "9"s, "a"s, " 2[\"x\"]"s, "-1"s, "\0"s,
                    "/admin,0"s, "[\"x\"]"s})
    CAF_CHECK_EQUAL(decode_error(text), "unknown packet type");
}

// -- encoding -----------------------------------------------------------------

CAF_TEST(encode writes each packet type) {
  CAF_CHECK_EQUAL(encode(make(packet_type::connect)), "0");
  CAF_CHECK_EQUAL(
      encode(make(packet_type::connect, "/", {}, 0, R"({"sid":"x"})")),
      R"(0{"sid":"x"})");
  CAF_CHECK_EQUAL(encode(make(packet_type::disconnect)), "1");
  CAF_CHECK_EQUAL(encode(make(packet_type::event, "/", {}, 0, R"(["x"])")),
                  R"(2["x"])");
  CAF_CHECK_EQUAL(encode(make(packet_type::ack, "/", 456, 0, R"([1,"2"])")),
                  R"(3456[1,"2"])");
  CAF_CHECK_EQUAL(encode(make(packet_type::connect_error, "/", {}, 0,
                              R"({"message":"Not authorized"})")),
                  R"(4{"message":"Not authorized"})");
  CAF_CHECK_EQUAL(encode(make(packet_type::binary_event, "/", {}, 1,
                              R"(["baz",{"_placeholder":true,"num":0}])")),
                  R"(51-["baz",{"_placeholder":true,"num":0}])");
  CAF_CHECK_EQUAL(encode(make(packet_type::binary_ack, "/", 789, 2,
                              R"([{"_placeholder":true,"num":0}])")),
                  R"(62-789[{"_placeholder":true,"num":0}])");
}

CAF_TEST(encode writes the namespace only when it is not the main one) {
  CAF_CHECK_EQUAL(encode(make(packet_type::connect, "/admin")), "0/admin,");
  CAF_CHECK_EQUAL(encode(make(packet_type::disconnect, "/admin")), "1/admin,");
  CAF_CHECK_EQUAL(encode(make(packet_type::ack, "/admin", 13, 0, "[]")),
                  "3/admin,13[]");
  CAF_CHECK_EQUAL(encode(make(packet_type::connect_error, "/random", {}, 0,
                              R"({"message":"Invalid namespace"})")),
                  R"(4/random,{"message":"Invalid namespace"})");
  CAF_CHECK_EQUAL(
      encode(make(packet_type::binary_event, "/admin", 5, 3, R"(["x"])")),
      R"(53-/admin,5["x"])");
  // As socket.io-parser's encoder: an empty namespace is the main one.
  CAF_CHECK_EQUAL(encode(make(packet_type::connect, "")), "0");
}

CAF_TEST(encode writes binary counts even when zero) {
  CAF_CHECK_EQUAL(
      encode(make(packet_type::binary_event, "/", {}, 0, R"(["x"])")),
      R"(50-["x"])");
  // Plain types never write a count.
  CAF_CHECK_EQUAL(encode(make(packet_type::event, "/", {}, 3, R"(["x"])")),
                  R"(2["x"])");
}

CAF_TEST(encode_message prefixes the Engine.IO message type) {
  CAF_CHECK_EQUAL(encode_message(make(packet_type::connect, "/", {}, 0,
                                      connect_data("Ue2JO2tRfWz1hYQ_AAAA"))),
                  R"(40{"sid":"Ue2JO2tRfWz1hYQ_AAAA"})");
  CAF_CHECK_EQUAL(encode_message(make(packet_type::disconnect)), "41");
  CAF_CHECK_EQUAL(encode_message(make(packet_type::disconnect, "/admin")),
                  "41/admin,");
  CAF_CHECK_EQUAL(
      encode_message(make(packet_type::connect_error, "/random", {}, 0,
                          connect_error_data("Invalid namespace"))),
      R"(44/random,{"message":"Invalid namespace"})");
  CAF_CHECK_EQUAL(
      encode_message(make(packet_type::ack, "/", 456, 0, R"([1,"2"])")),
      R"(43456[1,"2"])");
}

CAF_TEST(canonical texts survive decode and encode) {
  for (auto text : {"0",
                    R"(0{"token":"123"})",
                    "0/admin,",
                    R"(0/admin,{"token":"x"})",
                    "1",
                    "1/admin,",
                    R"(2["query",{"monitor_id":"x"}])",
                    R"(2456["message-with-ack",1,"2"])",
                    R"(2/admin,13["x"])",
                    R"(3456[1,"2"])",
                    "3/admin,13[]",
                    "31",
                    R"(4{"message":"Not authorized"})",
                    R"(4"x")",
                    "4",
                    R"(51-["baz",{"_placeholder":true,"num":0}])",
                    R"(52-789["x",{"_placeholder":true,"num":0}])",
                    R"(62-789[{"_placeholder":true,"num":0}])",
                    R"(53-/admin,5["x"])",
                    R"(2 [ "spaced" ] )",
                    R"(2[5,"x"])"})
    CAF_CHECK_EQUAL(encode(decode_ok(text)), text);
}

CAF_TEST(decoded packets survive encode and decode) {
  // Also texts whose encoding differs: a missing comma, leading zeros, "/,".
  for (auto text : {"0/custom", "2007[\"x\"]", "2/,[\"x\"]", "0/", "5001-[0]",
                    R"(0/admin{"a":1})"}) {
    auto p = decode_ok(text);
    CAF_CHECK(decode_ok(encode(p)) == p);
  }
  CAF_CHECK_EQUAL(encode(decode_ok("0/custom")), "0/custom,");
  CAF_CHECK_EQUAL(encode(decode_ok("2007[\"x\"]")), "27[\"x\"]");
}

// -- reserved names -----------------------------------------------------------

CAF_TEST(the reserved names are the six of the reference parser) {
  for (auto name : {"connect", "connect_error", "disconnect", "disconnecting",
                    "newListener", "removeListener"})
    CAF_CHECK(is_reserved_event(name));
  for (auto name : {"", "Connect", "connect ", "newlistener", "message",
                    "error", "connecting", "query", "ping", "disconnected"})
    CAF_CHECK(!is_reserved_event(name));
}

// -- reading events -----------------------------------------------------------

CAF_TEST(read_event splits name and arguments) {
  auto ev = read_event(decode_ok(R"(2["query",{"a":1},2])"));
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->name, "query");
  CAF_CHECK_EQUAL(ev->args_json, R"([{"a":1},2])");
  auto bare = read_event(decode_ok(R"(2["hello"])"));
  CAF_REQUIRE(bare);
  CAF_CHECK_EQUAL(bare->name, "hello");
  CAF_CHECK_EQUAL(bare->args_json, "[]");
}

CAF_TEST(read_event gives numeric names in their text) {
  auto five = read_event(decode_ok(R"(2[5,"x"])"));
  CAF_REQUIRE(five);
  CAF_CHECK_EQUAL(five->name, "5");
  CAF_CHECK_EQUAL(five->args_json, R"(["x"])");
  const std::pair<const char*, const char*> names[] = {
      {"2[-3]", "-3"},
      {"2[0]", "0"},
      {"2[5.0]", "5"},
      {"2[-0.0]", "0"},
      {"2[1.5]", "1.5"},
      {"2[18446744073709551615]", "18446744073709551615"},
      {"2[-9223372036854775808]", "-9223372036854775808"},
      {"2[1e300]", "1e300"},
  };
  for (auto [text, name] : names) {
    auto ev = read_event(decode_ok(text));
    CAF_REQUIRE(ev);
    CAF_CHECK_EQUAL(ev->name, name);
    CAF_CHECK_EQUAL(ev->args_json, "[]");
  }
}

CAF_TEST(read_event keeps the arguments as written) {
  // Sliced from the packet, not written back from a DOM: only the space
  // around the array's edges goes.
  auto ev =
      read_event(decode_ok("2 [ \"x\" , { \"a\" : [ 1 , 2 ] } , null ]\n"));
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->args_json, R"([{ "a" : [ 1 , 2 ] } , null ])");
  auto no_args = read_event(decode_ok("2[ \"x\" ]"));
  CAF_REQUIRE(no_args);
  CAF_CHECK_EQUAL(no_args->args_json, "[]");
  auto number = read_event(decode_ok("2[\t-1.5e3\n,\"x\" ]"));
  CAF_REQUIRE(number);
  CAF_CHECK_EQUAL(number->name, "-1500");
  CAF_CHECK_EQUAL(number->args_json, R"(["x" ])");
}

CAF_TEST(read_event finds the end of names with quotes and brackets) {
  auto ev = read_event(decode_ok(R"(2["a\"],b\\",1,"],"])"));
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->name, R"(a"],b\)");
  CAF_CHECK_EQUAL(ev->args_json, R"([1,"],"])");
  auto escaped = read_event(decode_ok(R"(2["\u0022,\\",[]])"));
  CAF_REQUIRE(escaped);
  CAF_CHECK_EQUAL(escaped->name, R"(",\)");
  CAF_CHECK_EQUAL(escaped->args_json, "[[]]");
}

CAF_TEST(read_event keeps escapes and unicode text) {
  auto ev = read_event(
      decode_ok(R"(2["ünï \"q\"","a\"b\\c\u0001\n","é✓🚀","\u00e9\/"])"));
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->name, "ünï \"q\"");
  CAF_CHECK_EQUAL(ev->args_json, R"(["a\"b\\c\u0001\n","é✓🚀","\u00e9\/"])");
}

CAF_TEST(arguments keep their numbers exactly) {
  auto ev = read_event(
      decode_ok(R"(2["x",888000000000000000007429588726130744701,0.1,1e-7,)"
                R"(123456789012345678901234567890,-2.5E+3,9007199254740993])"));
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->args_json,
                  "[888000000000000000007429588726130744701,0.1,1e-7,"
                  "123456789012345678901234567890,-2.5E+3,9007199254740993]");
  auto again = read_event(make(packet_type::event, "/", {}, 0,
                               event_data(ev->name, ev->args_json)));
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL(again->args_json, ev->args_json);
}

CAF_TEST(read_event reads binary events too) {
  auto ev =
      read_event(decode_ok(R"(51-["baz",{"_placeholder":true,"num":0}])"));
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->name, "baz");
  CAF_CHECK_EQUAL(ev->args_json, R"([{"_placeholder":true,"num":0}])");
}

CAF_TEST(read_event refuses what is no valid event) {
  CAF_CHECK(!read_event(decode_ok(R"(0{"a":1})")));
  CAF_CHECK(!read_event(decode_ok(R"(3456["x"])")));
  CAF_CHECK(!read_event(decode_ok(R"(62-1["x"])")));
  CAF_CHECK(!read_event(decode_ok(R"(4"x")")));
  // Packets built by hand, not by decode.
  for (auto data :
       {"", "{}", "[]", R"(["connect"])", "[null]", R"(["x")", R"(["x"] 1)"})
    CAF_CHECK(!read_event(make(packet_type::event, "/", {}, 0, data)));
  CAF_CHECK(!read_event(make(packet_type::ack, "/", 1, 0, R"(["x"])")));
}

// -- building events ----------------------------------------------------------

CAF_TEST(event_data puts the name first) {
  CAF_CHECK_EQUAL(event_data("query ok", R"([{"reason":"Query ok"}])"),
                  R"(["query ok",{"reason":"Query ok"}])");
  CAF_CHECK_EQUAL(event_data("message-back", R"([1,"2",{"a":[]}])"),
                  R"(["message-back",1,"2",{"a":[]}])");
  CAF_CHECK_EQUAL(event_data("x", "[]"), R"(["x"])");
  CAF_CHECK_EQUAL(event_data("x", " [ ] "), R"(["x"])");
}

CAF_TEST(event_data keeps the arguments as written) {
  CAF_CHECK_EQUAL(event_data("x", " [ 1 , 2 ]\n"), R"(["x", 1 , 2 ])");
  CAF_CHECK_EQUAL(event_data("x", R"(["]",[["["]]])"), R"(["x","]",[["["]]])");
}

CAF_TEST(event_data escapes the name) {
  CAF_CHECK_EQUAL(event_data("a\"b\\c\n\x01", "[]"), R"(["a\"b\\c\n\u0001"])");
  CAF_CHECK_EQUAL(event_data("ü ✓", "[]"), R"(["ü ✓"])");
  CAF_CHECK_EQUAL(event_data("", "[]"), R"([""])");
}

CAF_TEST(event_data ignores arguments that are no JSON array) {
  for (auto args : {"", "{}", "1", R"("x")", "[", "[1,]", "[1] [2]", "null"})
    CAF_CHECK_EQUAL(event_data("x", args), R"(["x"])");
}

CAF_TEST(events read back what event_data wrote) {
  auto data = event_data("message-back", R"([1,"2",{"a":null}])");
  auto ev = read_event(make(packet_type::event, "/", {}, 0, data));
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->name, "message-back");
  CAF_CHECK_EQUAL(ev->args_json, R"([1,"2",{"a":null}])");
  // And an event echoed under another name keeps its arguments.
  auto echoed = read_event(decode_ok("2[\"message\",1,\"2\",{\"3\":[4]}]"));
  CAF_REQUIRE(echoed);
  CAF_CHECK_EQUAL(
      encode_message(make(packet_type::event, "/", {}, 0,
                          event_data("message-back", echoed->args_json))),
      R"(42["message-back",1,"2",{"3":[4]}])");
}

// -- CONNECT and CONNECT_ERROR data -------------------------------------------

CAF_TEST(connect data holds the sid) {
  CAF_CHECK_EQUAL(connect_data("wZX3oN0bSVIhsaknAAAI"),
                  R"({"sid":"wZX3oN0bSVIhsaknAAAI"})");
  CAF_CHECK_EQUAL(connect_data("a\"b"), R"({"sid":"a\"b"})");
  CAF_CHECK(decode(std::string{"0"} + connect_data("x")).ok());
}

CAF_TEST(connect error data holds the message) {
  CAF_CHECK_EQUAL(connect_error_data("Invalid namespace"),
                  R"({"message":"Invalid namespace"})");
  CAF_CHECK_EQUAL(connect_error_data("Not authorized"),
                  R"({"message":"Not authorized"})");
  CAF_CHECK_EQUAL(connect_error_data("a\\b\t\"c\" é"),
                  R"({"message":"a\\b\t\"c\" é"})");
  CAF_CHECK(decode(std::string{"4"} + connect_error_data("x")).ok());
}

// -- arguments ----------------------------------------------------------------

CAF_TEST(string_member reads a string of the first argument) {
  CAF_CHECK_EQUAL(
      show(string_member(R"([{"monitor_id":"abc"}])", "monitor_id")), "'abc'");
  CAF_CHECK_EQUAL(show(string_member(R"([{"a":1,"command":""},2])", "command")),
                  "''");
  CAF_CHECK_EQUAL(show(string_member(R"( [ { "k" : "v" } ] )", "k")), "'v'");
}

CAF_TEST(string_member decodes escapes) {
  CAF_CHECK_EQUAL(show(string_member(R"([{"k":"a\u00e9\n\"\\\/"}])", "k")),
                  "'aé\n\"\\/'");
  CAF_CHECK_EQUAL(show(string_member(R"([{"k":"a\u0000b"}])", "k")),
                  show("a\0b"s));
  CAF_CHECK_EQUAL(show(string_member(R"([{"k\u00e9":"v"}])", "ké")), "'v'");
}

CAF_TEST(string_member takes the last of duplicate keys) {
  // JSON.parse and Python's json keep the last one.
  CAF_CHECK_EQUAL(show(string_member(R"([{"k":"first","k":"last"}])", "k")),
                  "'last'");
  CAF_CHECK_EQUAL(show(string_member(R"([{"k":"first","k":5}])", "k")),
                  "<none>");
  CAF_CHECK_EQUAL(show(string_member(R"([{"k":5,"k":"last"}])", "k")),
                  "'last'");
}

CAF_TEST(string_member finds nothing in other shapes) {
  for (auto args :
       {R"([{"k":5}])", R"([{"k":null}])", R"([{"k":true}])", R"([{"k":{}}])",
        R"([{"k":["v"]}])", R"([{"K":"v"}])", R"([{"other":"v"}])", R"([{}])",
        "[]", R"(["k"])", R"([["v"]])", R"([1,{"k":"v"}])", R"({"k":"v"})",
        R"("k")", "", "[", "null", R"([{"k":"v"}] x)", R"([{"k":{"k":"v"}}])"})
    CAF_CHECK_EQUAL(show(string_member(args, "k")), "<none>");
  CAF_CHECK_EQUAL(show(string_member("[{\"k\":\"v\"}]\0x"s, "k")), "<none>");
  CAF_CHECK(!first_arg_is_object("[{}]\0"s));
}

CAF_TEST(first_arg_is_object looks at the first argument only) {
  CAF_CHECK(first_arg_is_object("[{}]"));
  CAF_CHECK(first_arg_is_object(R"([{"a":1},"x"])"));
  for (auto args : {"[]", "[[]]", R"(["x",{}])", "[null]", "[1]", "{}", "",
                    "[{}", "[{}] x"})
    CAF_CHECK(!first_arg_is_object(args));
}
