#define CAF_SUITE engineio_codec
#include <set>

#include "fixture.hpp"
#include "protocols/socketio/engineio_codec.hpp"

using namespace signalbox;
using namespace signalbox::engineio;
using namespace std::literals;

namespace {

/// The record separator, kept out of literals: "\x1e4b" would be read as
/// the single escape \x1e4b.
const std::string rs = "\x1e";

/// Decodes `text` and requires success.
packet decode_ok(std::string_view text, bool allow_base64 = false) {
  auto result = decode_packet(text, allow_base64);
  if (!result)
    CAF_FAIL("decode of " << std::string{text} << " failed");
  return *result;
}

/// Decodes a payload and requires success.
std::vector<packet> payload_ok(std::string_view body) {
  auto result = decode_payload(body);
  if (!result)
    CAF_FAIL("payload " << std::string{body} << " was refused");
  return *result;
}

packet text_packet(packet_type type, std::string data) {
  return packet{type, false, std::move(data)};
}

packet binary_packet(std::string bytes) {
  return packet{packet_type::message, true, std::move(bytes)};
}

std::string show(const std::optional<std::string>& value) {
  return value ? "'" + *value + "'" : "<none>";
}

} // namespace

// -- packets ------------------------------------------------------------------

CAF_TEST(every packet type decodes from its digit) {
  const std::pair<char, packet_type> types[] = {
      {'0', packet_type::open},    {'1', packet_type::close},
      {'2', packet_type::ping},    {'3', packet_type::pong},
      {'4', packet_type::message}, {'5', packet_type::upgrade},
      {'6', packet_type::noop},
  };
  for (auto [digit, type] : types) {
    auto bare = decode_ok(std::string(1, digit));
    CAF_CHECK(bare == text_packet(type, ""));
    auto with_data = decode_ok(std::string(1, digit) + "probe");
    CAF_CHECK(with_data == text_packet(type, "probe"));
    // Over polling, base64 being allowed changes nothing for text packets.
    CAF_CHECK(decode_ok(std::string(1, digit) + "x", true) ==
              text_packet(type, "x"));
  }
}

CAF_TEST(the data of a text packet is kept byte for byte) {
  CAF_CHECK_EQUAL(decode_ok("4hello").data, "hello");
  CAF_CHECK_EQUAL(decode_ok("42[\"query\",{\"monitor_id\":\"x\"}]").data,
                  "2[\"query\",{\"monitor_id\":\"x\"}]");
  CAF_CHECK_EQUAL(decode_ok("4ünïcode ✓ 🚀").data, "ünïcode ✓ 🚀");
  // A separator inside one packet is data: splitting is decode_payload's.
  CAF_CHECK_EQUAL(decode_ok("4a" + rs + "b").data, "a" + rs + "b");
  CAF_CHECK_EQUAL(decode_ok("4a\0b"s).data, "a\0b"s);
  CAF_CHECK_EQUAL(decode_ok("2probe").data, "probe");
  CAF_CHECK_EQUAL(decode_ok("3probe").data, "probe");
}

CAF_TEST(empty text and unknown type digits are invalid) {
  for (auto text : {""s, "7"s, "8x"s, "9"s, "a"s, "abc"s, "x4"s, " 4"s, "-1"s,
                    "\x1e"s, "\0004"s, "{}"s})
    CAF_CHECK(!decode_packet(text, true));
}

CAF_TEST(b records are binary messages only when base64 is allowed) {
  CAF_CHECK(!decode_packet("bAQIDBA=="));
  CAF_CHECK(!decode_packet("bAQIDBA==", false));
  auto bin = decode_ok("bAQIDBA==", true);
  CAF_CHECK(bin == binary_packet("\x01\x02\x03\x04"));
  CAF_CHECK(bin.type == packet_type::message);
  CAF_CHECK(bin.binary);
  // No base64 at all: an empty binary message.
  CAF_CHECK(decode_ok("b", true) == binary_packet(""));
  CAF_CHECK(!(decode_ok("bAA==", true) == binary_packet("")));
}

CAF_TEST(b records with bad base64 are invalid) {
  for (auto text : {"b!!!!", "bAQIDBA=", "bAQIDB",
                    "bAQ=DBA==", "b AQIDBA==", "bAQIDBA==\n", "b====", "bAR=="})
    CAF_CHECK(!decode_packet(text, true));
}

CAF_TEST(binary frames are binary messages) {
  CAF_CHECK(decode_binary_frame("\x01\x02\x03\x04") ==
            binary_packet("\x01\x02\x03\x04"));
  CAF_CHECK(decode_binary_frame("") == binary_packet(""));
  // Text-looking bytes in a binary frame stay binary data.
  CAF_CHECK(decode_binary_frame("4hello") == binary_packet("4hello"));
  CAF_CHECK(decode_binary_frame("\0\xff"s) == binary_packet("\0\xff"s));
}

CAF_TEST(packets compare all three fields) {
  CAF_CHECK(text_packet(packet_type::message, "a") ==
            text_packet(packet_type::message, "a"));
  CAF_CHECK(!(text_packet(packet_type::message, "a") ==
              text_packet(packet_type::ping, "a")));
  CAF_CHECK(!(text_packet(packet_type::message, "a") ==
              text_packet(packet_type::message, "b")));
  CAF_CHECK(!(text_packet(packet_type::message, "a") == binary_packet("a")));
}

CAF_TEST(encode_packet writes the digit and the data) {
  CAF_CHECK_EQUAL(encode_packet(text_packet(packet_type::open, "{}")), "0{}");
  CAF_CHECK_EQUAL(encode_packet(text_packet(packet_type::close, "")), "1");
  CAF_CHECK_EQUAL(encode_packet(text_packet(packet_type::ping, "")), "2");
  CAF_CHECK_EQUAL(encode_packet(text_packet(packet_type::ping, "probe")),
                  "2probe");
  CAF_CHECK_EQUAL(encode_packet(text_packet(packet_type::pong, "probe")),
                  "3probe");
  CAF_CHECK_EQUAL(encode_packet(text_packet(packet_type::message, "hello")),
                  "4hello");
  CAF_CHECK_EQUAL(encode_packet(text_packet(packet_type::upgrade, "")), "5");
  CAF_CHECK_EQUAL(encode_packet(text_packet(packet_type::noop, "")), "6");
}

CAF_TEST(encode_packet writes binary messages as b and base64) {
  CAF_CHECK_EQUAL(encode_packet(binary_packet("\x01\x02\x03\x04")),
                  "bAQIDBA==");
  CAF_CHECK_EQUAL(encode_packet(binary_packet("")), "b");
}

CAF_TEST(encoded packets decode to themselves) {
  std::vector<packet> packets = {
      text_packet(packet_type::open, R"({"sid":"x"})"),
      text_packet(packet_type::close, ""),
      text_packet(packet_type::ping, "probe"),
      text_packet(packet_type::pong, ""),
      text_packet(packet_type::message, "2[\"x\"]"),
      text_packet(packet_type::message, ""),
      text_packet(packet_type::upgrade, ""),
      text_packet(packet_type::noop, ""),
      binary_packet(""),
      binary_packet("\xff\xfe\0"s),
      binary_packet("hello"),
  };
  for (auto& p : packets)
    CAF_CHECK(decode_ok(encode_packet(p), true) == p);
}

// -- payloads -----------------------------------------------------------------

CAF_TEST(payloads split on the record separator) {
  auto packets = payload_ok("4hello" + rs + "2" + rs + "4world");
  CAF_REQUIRE_EQUAL(packets.size(), 3u);
  CAF_CHECK(packets[0] == text_packet(packet_type::message, "hello"));
  CAF_CHECK(packets[1] == text_packet(packet_type::ping, ""));
  CAF_CHECK(packets[2] == text_packet(packet_type::message, "world"));
}

CAF_TEST(a payload of one packet has no separator) {
  auto packets = payload_ok("40");
  CAF_REQUIRE_EQUAL(packets.size(), 1u);
  CAF_CHECK(packets[0] == text_packet(packet_type::message, "0"));
}

CAF_TEST(client batches decode in order) {
  auto events = payload_ok("42[\"hello\"]" + rs + "42[\"world\"]");
  CAF_REQUIRE_EQUAL(events.size(), 2u);
  CAF_CHECK_EQUAL(events[0].data, "2[\"hello\"]");
  CAF_CHECK_EQUAL(events[1].data, "2[\"world\"]");
  auto pong_and_event = payload_ok("3" + rs + "42[\"query\",{}]");
  CAF_REQUIRE_EQUAL(pong_and_event.size(), 2u);
  CAF_CHECK(pong_and_event[0] == text_packet(packet_type::pong, ""));
  CAF_CHECK(pong_and_event[1] ==
            text_packet(packet_type::message, "2[\"query\",{}]"));
}

CAF_TEST(payloads carry b records as binary messages) {
  auto packets = payload_ok("4hello" + rs + "bAQIDBA==");
  CAF_REQUIRE_EQUAL(packets.size(), 2u);
  CAF_CHECK(packets[0] == text_packet(packet_type::message, "hello"));
  CAF_CHECK(packets[1] == binary_packet("\x01\x02\x03\x04"));
  // A binary event: the placeholder text, then one record per attachment.
  auto event = payload_ok("451-[\"baz\",{\"_placeholder\":true,\"num\":0}]" +
                          rs + "bAQID");
  CAF_REQUIRE_EQUAL(event.size(), 2u);
  CAF_CHECK(event[1] == binary_packet("\x01\x02\x03"));
}

CAF_TEST(empty bodies and empty records are invalid) {
  CAF_CHECK(!decode_payload(""));
  CAF_CHECK(!decode_payload(rs));
  CAF_CHECK(!decode_payload("4a" + rs + rs + "4b"));
  CAF_CHECK(!decode_payload("4a" + rs));
  CAF_CHECK(!decode_payload(rs + "4a"));
}

CAF_TEST(one invalid record spoils the payload) {
  CAF_CHECK(!decode_payload("abc"));
  CAF_CHECK(!decode_payload("4a" + rs + "abc"));
  CAF_CHECK(!decode_payload("abc" + rs + "4a"));
  CAF_CHECK(!decode_payload("4a" + rs + "7"));
  CAF_CHECK(!decode_payload("4a" + rs + "b!!!!"));
  CAF_CHECK(!decode_payload("bAQIDBA" + rs + "4a"));
}

CAF_TEST(append_to_payload separates records) {
  std::string payload;
  append_to_payload(payload, "4test1", false);
  CAF_CHECK_EQUAL(payload, "4test1");
  append_to_payload(payload, "4test2", false);
  append_to_payload(payload, "4test3", false);
  CAF_CHECK_EQUAL(payload, "4test1" + rs + "4test2" + rs + "4test3");
  append_to_payload(payload, "\x01\x02\x03\x04", true);
  CAF_CHECK_EQUAL(payload,
                  "4test1" + rs + "4test2" + rs + "4test3" + rs + "bAQIDBA==");
}

CAF_TEST(append_to_payload writes binary data as b and base64) {
  std::string payload;
  append_to_payload(payload, "\x01\x02\x03\x04", true);
  CAF_CHECK_EQUAL(payload, "bAQIDBA==");
  append_to_payload(payload, "", true);
  CAF_CHECK_EQUAL(payload, "bAQIDBA==" + rs + "b");
  append_to_payload(payload, "6", false);
  auto packets = payload_ok(payload);
  CAF_REQUIRE_EQUAL(packets.size(), 3u);
  CAF_CHECK(packets[0] == binary_packet("\x01\x02\x03\x04"));
  CAF_CHECK(packets[1] == binary_packet(""));
  CAF_CHECK(packets[2] == text_packet(packet_type::noop, ""));
}

// -- handshake ----------------------------------------------------------------

CAF_TEST(the open packet has the five keys in Node order) {
  handshake h;
  h.sid = "lv_VI97HAXpY6yYWAAAC";
  CAF_CHECK_EQUAL(
      open_packet(h),
      R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],)"
      R"("pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
}

CAF_TEST(sessions opened over websocket announce no upgrades) {
  handshake h;
  h.sid = "abc";
  h.can_upgrade = false;
  h.ping_interval = std::chrono::milliseconds{300};
  h.ping_timeout = std::chrono::milliseconds{200};
  CAF_CHECK_EQUAL(open_packet(h),
                  R"(0{"sid":"abc","upgrades":[],"pingInterval":300,)"
                  R"("pingTimeout":200,"maxPayload":1000000})");
}

CAF_TEST(the open packet writes large values and escapes the sid) {
  handshake h;
  h.sid = "a\"b\\c";
  h.ping_interval = std::chrono::milliseconds{86400000};
  h.max_payload = 100000000000ull;
  CAF_CHECK_EQUAL(open_packet(h),
                  R"(0{"sid":"a\"b\\c","upgrades":["websocket"],)"
                  R"("pingInterval":86400000,"pingTimeout":20000,)"
                  R"("maxPayload":100000000000})");
}

// -- errors -------------------------------------------------------------------

CAF_TEST(error messages are those of the Node server) {
  CAF_CHECK_EQUAL(error_message(error_code::unknown_transport),
                  "Transport unknown");
  CAF_CHECK_EQUAL(error_message(error_code::unknown_sid), "Session ID unknown");
  CAF_CHECK_EQUAL(error_message(error_code::bad_handshake_method),
                  "Bad handshake method");
  CAF_CHECK_EQUAL(error_message(error_code::bad_request), "Bad request");
  CAF_CHECK_EQUAL(error_message(error_code::forbidden), "Forbidden");
  CAF_CHECK_EQUAL(error_message(error_code::unsupported_protocol_version),
                  "Unsupported protocol version");
}

CAF_TEST(only forbidden is a 403) {
  CAF_CHECK_EQUAL(error_status(error_code::unknown_transport), 400u);
  CAF_CHECK_EQUAL(error_status(error_code::unknown_sid), 400u);
  CAF_CHECK_EQUAL(error_status(error_code::bad_handshake_method), 400u);
  CAF_CHECK_EQUAL(error_status(error_code::bad_request), 400u);
  CAF_CHECK_EQUAL(error_status(error_code::forbidden), 403u);
  CAF_CHECK_EQUAL(error_status(error_code::unsupported_protocol_version), 400u);
}

CAF_TEST(error bodies are code and message) {
  CAF_CHECK_EQUAL(error_body(error_code::unknown_transport),
                  R"({"code":0,"message":"Transport unknown"})");
  CAF_CHECK_EQUAL(error_body(error_code::unknown_sid),
                  R"({"code":1,"message":"Session ID unknown"})");
  CAF_CHECK_EQUAL(error_body(error_code::bad_handshake_method),
                  R"({"code":2,"message":"Bad handshake method"})");
  CAF_CHECK_EQUAL(error_body(error_code::bad_request),
                  R"({"code":3,"message":"Bad request"})");
  CAF_CHECK_EQUAL(error_body(error_code::forbidden),
                  R"({"code":4,"message":"Forbidden"})");
  CAF_CHECK_EQUAL(error_body(error_code::unsupported_protocol_version),
                  R"({"code":5,"message":"Unsupported protocol version"})");
}

// -- request targets ----------------------------------------------------------

CAF_TEST(a handshake query names protocol and transport) {
  auto q = parse_query("/socket.io/?EIO=4&transport=polling&t=N8hyd6w");
  CAF_CHECK_EQUAL(show(q.eio), "'4'");
  CAF_CHECK_EQUAL(show(q.transport), "'polling'");
  CAF_CHECK_EQUAL(show(q.sid), "<none>");
}

CAF_TEST(later queries carry the sid in any order) {
  auto q = parse_query(
      "/socket.io/?EIO=4&transport=polling&t=90ytcsfw&sid=4l2cRPq_AAAB");
  CAF_CHECK_EQUAL(show(q.eio), "'4'");
  CAF_CHECK_EQUAL(show(q.transport), "'polling'");
  CAF_CHECK_EQUAL(show(q.sid), "'4l2cRPq_AAAB'");
  auto ws = parse_query("/socket.io/?sid=x-y_z&transport=websocket&EIO=4");
  CAF_CHECK_EQUAL(show(ws.eio), "'4'");
  CAF_CHECK_EQUAL(show(ws.transport), "'websocket'");
  CAF_CHECK_EQUAL(show(ws.sid), "'x-y_z'");
}

CAF_TEST(targets without a query have no parameters) {
  for (auto target : {"/socket.io/", "/socket.io/?", "", "?", "/?&&"}) {
    auto q = parse_query(target);
    CAF_CHECK(!q.eio && !q.transport && !q.sid);
  }
}

CAF_TEST(query values are percent decoded) {
  auto q = parse_query("/?EIO=%34&transport=web%73ocket&sid=a%2Bb%2Fc%3D%3d");
  CAF_CHECK_EQUAL(show(q.eio), "'4'");
  CAF_CHECK_EQUAL(show(q.transport), "'websocket'");
  CAF_CHECK_EQUAL(show(q.sid), "'a+b/c=='");
  // Names too, as querystring.parse does.
  CAF_CHECK_EQUAL(show(parse_query("/?E%49O=4").eio), "'4'");
  // Form encoding: '+' is a space.
  CAF_CHECK_EQUAL(show(parse_query("/?sid=a+b").sid), "'a b'");
  // UTF-8 arrives escaped byte by byte.
  CAF_CHECK_EQUAL(show(parse_query("/?sid=%C3%A9").sid), "'é'");
}

CAF_TEST(malformed escapes stay as they are) {
  CAF_CHECK_EQUAL(show(parse_query("/?sid=%zz").sid), "'%zz'");
  CAF_CHECK_EQUAL(show(parse_query("/?sid=a%4").sid), "'a%4'");
  CAF_CHECK_EQUAL(show(parse_query("/?sid=a%").sid), "'a%'");
  CAF_CHECK_EQUAL(show(parse_query("/?sid=%%41").sid), "'%A'");
}

CAF_TEST(the first of duplicate parameters counts) {
  auto q = parse_query("/?EIO=4&EIO=3&transport=polling&transport=abc&sid=1"
                       "&sid=2");
  CAF_CHECK_EQUAL(show(q.eio), "'4'");
  CAF_CHECK_EQUAL(show(q.transport), "'polling'");
  CAF_CHECK_EQUAL(show(q.sid), "'1'");
  // Even when the first is empty.
  CAF_CHECK_EQUAL(show(parse_query("/?EIO=&EIO=4").eio), "''");
}

CAF_TEST(parameters without values are empty) {
  auto q = parse_query("/?EIO&transport=&sid");
  CAF_CHECK_EQUAL(show(q.eio), "''");
  CAF_CHECK_EQUAL(show(q.transport), "''");
  CAF_CHECK_EQUAL(show(q.sid), "''");
  CAF_CHECK_EQUAL(show(parse_query("/?sid=a=b").sid), "'a=b'");
}

CAF_TEST(other parameters are ignored) {
  auto q = parse_query("/?t=N8hyd6w&b64=1&eio=3&Transport=x&EIO=4&j=0");
  CAF_CHECK_EQUAL(show(q.eio), "'4'");
  CAF_CHECK_EQUAL(show(q.transport), "<none>");
  CAF_CHECK_EQUAL(show(q.sid), "<none>");
  CAF_CHECK_EQUAL(show(parse_query("/?t=&EIO=abc").eio), "'abc'");
}

CAF_TEST(a fragment ends the query) {
  auto q = parse_query("/?EIO=4&sid=abc#def&transport=polling");
  CAF_CHECK_EQUAL(show(q.sid), "'abc'");
  CAF_CHECK_EQUAL(show(q.transport), "<none>");
}

CAF_TEST(only the two transports are known) {
  CAF_CHECK(parse_transport("polling") == transport_kind::polling);
  CAF_CHECK(parse_transport("websocket") == transport_kind::websocket);
  for (auto name : {"", "abc", "Polling", "WEBSOCKET", "flashsocket",
                    "polling ", "webtransport"})
    CAF_CHECK(!parse_transport(name));
}

CAF_TEST(the target path ends at the query) {
  CAF_CHECK_EQUAL(target_path("/socket.io/?EIO=4&transport=polling"),
                  "/socket.io/");
  CAF_CHECK_EQUAL(target_path("/engine.io/"), "/engine.io/");
  CAF_CHECK_EQUAL(target_path("/socket.io"), "/socket.io");
  CAF_CHECK_EQUAL(target_path("/socket.io/?"), "/socket.io/");
  CAF_CHECK_EQUAL(target_path("?EIO=4"), "");
  CAF_CHECK_EQUAL(target_path(""), "");
}

// -- session ids --------------------------------------------------------------

CAF_TEST(session ids are 20 base64url characters) {
  const std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < 100; ++i) {
    auto id = make_session_id();
    CAF_CHECK_EQUAL(id.size(), 20u);
    CAF_CHECK_EQUAL(id.find_first_not_of(alphabet), std::string::npos);
  }
}

CAF_TEST(session ids do not repeat) {
  // 120 random bits: a repeat among 1000 would mean a broken source.
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i)
    ids.insert(make_session_id());
  CAF_CHECK_EQUAL(ids.size(), 1000u);
}

CAF_TEST(session ids use the whole alphabet) {
  // With 100 ids (2000 characters), every one of the 64 digits shows up
  // unless the random bytes or the mapping are broken (a missed digit has
  // probability ~64 * (63/64)^2000, i.e. never).
  std::set<char> seen;
  for (int i = 0; i < 100; ++i)
    for (char ch : make_session_id())
      seen.insert(ch);
  CAF_CHECK_EQUAL(seen.size(), 64u);
}
