#define CAF_SUITE relay_codec
#include "fixture.hpp"
#include "protocols/socketio/relay_codec.hpp"
#include "protocols/socketio/socketio_codec.hpp"

using namespace signalbox;
using namespace signalbox::relay;
using namespace std::literals;

namespace {

const std::string real_id = "672ef79b4d0a4805bc529d1ae44bc26b";

std::string show(const std::optional<std::string>& value) {
  return value ? "'" + *value + "'" : "<none>";
}

/// The arguments of an event whose only argument is `{"<key>":<json>}`.
std::string args_with(std::string_view key, std::string_view json) {
  return "[{\"" + std::string{key} + "\":" + std::string{json} + "}]";
}

/// `text` repeated `n` times.
std::string repeat(std::string_view text, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += text;
  return out;
}

std::string json_quoted(std::string_view text) {
  return "\"" + std::string{text} + "\"";
}

/// Decodes a frame as the client would: the Engine.IO message type, then a
/// Socket.IO EVENT on the main namespace.
socketio::event_view read_frame(const std::string& frame) {
  if (frame.empty() || frame.front() != '4')
    CAF_FAIL("no Engine.IO message: " << frame);
  auto decoded = socketio::decode(std::string_view{frame}.substr(1));
  if (!decoded.ok())
    CAF_FAIL("frame " << frame << " does not decode: " << decoded.error);
  CAF_CHECK(decoded.value->type == socketio::packet_type::event);
  CAF_CHECK_EQUAL(decoded.value->nsp, "/");
  CAF_CHECK(!decoded.value->ack_id);
  auto ev = socketio::read_event(*decoded.value);
  if (!ev)
    CAF_FAIL("frame " << frame << " is no event");
  return *ev;
}

} // namespace

// -- monitor ids --------------------------------------------------------------

CAF_TEST(a monitor id is a string of 32 characters) {
  CAF_CHECK_EQUAL(
      show(monitor_id_of(args_with("monitor_id", json_quoted(real_id)))),
      show(real_id));
  // Any characters: the original checks only the length.
  auto spaces = std::string(32, ' ');
  CAF_CHECK_EQUAL(
      show(monitor_id_of(args_with("monitor_id", json_quoted(spaces)))),
      show(spaces));
  auto upper = std::string(32, 'Z');
  CAF_CHECK_EQUAL(
      show(monitor_id_of(args_with("monitor_id", json_quoted(upper)))),
      show(upper));
}

CAF_TEST(monitor ids of other lengths are invalid) {
  for (size_t len : {0u, 1u, 31u, 33u, 64u}) {
    auto id = std::string(len, 'a');
    CAF_CHECK_EQUAL(
        show(monitor_id_of(args_with("monitor_id", json_quoted(id)))),
        "<none>");
  }
  CAF_CHECK(
      !monitor_id_of(args_with("monitor_id", json_quoted(real_id + "0"))));
  CAF_CHECK(
      !monitor_id_of(args_with("monitor_id", json_quoted(real_id.substr(1)))));
}

CAF_TEST(monitor id lengths count code points like Python) {
  // 32 two-byte characters (64 bytes): valid.
  auto accents = repeat("é", 32);
  CAF_CHECK_EQUAL(
      show(monitor_id_of(args_with("monitor_id", json_quoted(accents)))),
      show(accents));
  // 32 three- and four-byte characters.
  auto checks = repeat("✓", 32);
  CAF_CHECK(monitor_id_of(args_with("monitor_id", json_quoted(checks))));
  auto rockets = repeat("🚀", 32);
  CAF_CHECK_EQUAL(
      show(monitor_id_of(args_with("monitor_id", json_quoted(rockets)))),
      show(rockets));
  auto mixed = repeat("aé✓🚀", 8);
  CAF_CHECK(monitor_id_of(args_with("monitor_id", json_quoted(mixed))));
  // 16 two-byte characters are 32 bytes but 16 characters: invalid.
  CAF_CHECK(
      !monitor_id_of(args_with("monitor_id", json_quoted(repeat("é", 16)))));
  CAF_CHECK(
      !monitor_id_of(args_with("monitor_id", json_quoted(repeat("é", 31)))));
  CAF_CHECK(
      !monitor_id_of(args_with("monitor_id", json_quoted(repeat("é", 33)))));
  // Escapes count as the characters they stand for.
  auto escaped = repeat("\\u00e9", 32);
  CAF_CHECK_EQUAL(
      show(monitor_id_of(args_with("monitor_id", json_quoted(escaped)))),
      show(accents));
  auto pairs = repeat("\\ud83d\\ude80", 32); // a surrogate pair is one
  CAF_CHECK_EQUAL(
      show(monitor_id_of(args_with("monitor_id", json_quoted(pairs)))),
      show(rockets));
  auto nuls = repeat("\\u0000", 32);
  CAF_CHECK_EQUAL(
      show(monitor_id_of(args_with("monitor_id", json_quoted(nuls)))),
      show(std::string(32, '\0')));
}

CAF_TEST(monitor ids that are no string are invalid) {
  for (auto json : {"12345678901234567890123456789012", "null", "true", "{}",
                    "[]", R"(["672ef79b4d0a4805bc529d1ae44bc26b"])",
                    R"({"monitor_id":"672ef79b4d0a4805bc529d1ae44bc26b"})"})
    CAF_CHECK_EQUAL(show(monitor_id_of(args_with("monitor_id", json))),
                    "<none>");
}

CAF_TEST(payloads without a monitor id are invalid) {
  auto id = json_quoted(real_id);
  for (auto args :
       {"[]"s, "[{}]"s, args_with("monitorid", id), args_with("Monitor_id", id),
        args_with("monitor_id ", id), "[" + id + "]",
        "[[" + args_with("monitor_id", id) + "]]", "[null]"s, "[1]"s,
        "[" + id + "," + args_with("monitor_id", id).substr(1),
        args_with("monitor_id", id).substr(1, 49), ""s, "{}"s,
        "[{\"monitor_id\":" + id + "}"})
    CAF_CHECK_EQUAL(show(monitor_id_of(args)), "<none>");
}

CAF_TEST(only the first argument counts for the monitor id) {
  auto args = "[{\"monitor_id\":" + json_quoted(real_id) + "},{\"x\":1},2]";
  CAF_CHECK_EQUAL(show(monitor_id_of(args)), show(real_id));
  auto other =
      "[{\"monitor_id\":" + json_quoted(real_id) + ",\"extra\":[1,2]}]";
  CAF_CHECK_EQUAL(show(monitor_id_of(other)), show(real_id));
}

CAF_TEST(the last duplicate monitor id counts as in Python) {
  auto short_then_valid =
      "[{\"monitor_id\":\"x\",\"monitor_id\":" + json_quoted(real_id) + "}]";
  CAF_CHECK_EQUAL(show(monitor_id_of(short_then_valid)), show(real_id));
  auto valid_then_short =
      "[{\"monitor_id\":" + json_quoted(real_id) + ",\"monitor_id\":\"x\"}]";
  CAF_CHECK_EQUAL(show(monitor_id_of(valid_then_short)), "<none>");
}

CAF_TEST(monitor ids from decoded events) {
  auto p = socketio::decode(
      R"(2["query",{"monitor_id":"672ef79b4d0a4805bc529d1ae44bc26b"}])");
  CAF_REQUIRE(p.ok());
  auto ev = socketio::read_event(*p.value);
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->name, ev_query);
  CAF_CHECK_EQUAL(show(monitor_id_of(ev->args_json)), show(real_id));
}

// -- commands -----------------------------------------------------------------

CAF_TEST(a command is a string that is not empty) {
  CAF_CHECK_EQUAL(show(command_of(R"([{"command":"light on"}])")),
                  "'light on'");
  CAF_CHECK_EQUAL(show(command_of(R"([{"command":" "}])")), "' '");
  CAF_CHECK_EQUAL(show(command_of(R"([{"command":"x"}])")), "'x'");
  CAF_CHECK_EQUAL(show(command_of(R"([{"command":"pump \"2\" ✓\n"}])")),
                  "'pump \"2\" ✓\n'");
  auto long_command = std::string(100000, 'c');
  CAF_CHECK_EQUAL(
      show(command_of(args_with("command", json_quoted(long_command)))),
      show(long_command));
}

CAF_TEST(commands that are empty or missing or no string are invalid) {
  for (auto json : {R"("")", "null", "1", "true", "{}", "[]", R"(["x"])"})
    CAF_CHECK_EQUAL(show(command_of(args_with("command", json))), "<none>");
  for (auto args : {"[{}]", R"([{"Command":"x"}])", R"([{"cmd":"x"}])", "[]",
                    R"(["light on"])", R"([["light on"]])", "[null]", "",
                    R"({"command":"x"})", R"([1,{"command":"x"}])"})
    CAF_CHECK_EQUAL(show(command_of(args)), "<none>");
}

CAF_TEST(the last duplicate command counts) {
  CAF_CHECK_EQUAL(show(command_of(R"([{"command":"a","command":"b"}])")),
                  "'b'");
  CAF_CHECK_EQUAL(show(command_of(R"([{"command":"a","command":""}])")),
                  "<none>");
}

// -- command errors -----------------------------------------------------------

CAF_TEST(a command error gives its reason) {
  CAF_CHECK_EQUAL(error_reason_of(R"([{"reason":"pump jammed"}])"),
                  "pump jammed");
  CAF_CHECK_EQUAL(error_reason_of(R"([{"reason":"a\"b\\c é"},2])"),
                  "a\"b\\c é");
  // An empty reason is still the monitor's reason.
  CAF_CHECK_EQUAL(error_reason_of(R"([{"reason":""}])"), "");
}

CAF_TEST(a command error without a string reason is unspecified) {
  for (auto args :
       {"[]", "[{}]", R"([{"reason":null}])", R"([{"reason":5}])",
        R"([{"reason":{}}])", R"([{"reason":["x"]}])", R"(["pump jammed"])",
        "[null]", "", "{}", R"([{"Reason":"x"}])", R"([1,{"reason":"x"}])"})
    CAF_CHECK_EQUAL(error_reason_of(args), reason_unspecified_error);
}

// -- frames -------------------------------------------------------------------

CAF_TEST(reason frames are the original payloads) {
  CAF_CHECK_EQUAL(reason_frame(ev_query_ok, reason_query_ok),
                  R"(42["query ok",{"reason":"Query ok"}])");
  CAF_CHECK_EQUAL(reason_frame(ev_query_failed, reason_invalid_monitor_id),
                  R"(42["query failed",{"reason":"Invalid monitor_id"}])");
  CAF_CHECK_EQUAL(reason_frame(ev_con_ok, reason_connection_ok),
                  R"(42["con ok",{"reason":"Connection ok"}])");
  CAF_CHECK_EQUAL(reason_frame(ev_con_failed, reason_invalid_monitor_id),
                  R"(42["con failed",{"reason":"Invalid monitor_id"}])");
  CAF_CHECK_EQUAL(
      reason_frame(ev_con_failed, reason_already_registered),
      R"(42["con failed",{"reason":"monitor_id already registered"}])");
  CAF_CHECK_EQUAL(reason_frame(ev_command_ok, reason_command_ok),
                  R"(42["command ok",{"reason":"Command ok"}])");
  CAF_CHECK_EQUAL(reason_frame(ev_command_failed, reason_invalid_command),
                  R"(42["command failed",{"reason":"Invalid command"}])");
  CAF_CHECK_EQUAL(reason_frame(ev_command_finish, reason_command_finish),
                  R"(42["command finish",{"reason":"Command finish"}])");
}

CAF_TEST(reason frames for the cases the original crashed on) {
  CAF_CHECK_EQUAL(
      reason_frame(ev_command_failed, reason_no_monitor),
      R"(42["command failed",{"reason":"Query a monitor_id first"}])");
  CAF_CHECK_EQUAL(
      reason_frame(ev_command_failed, reason_not_a_monitor),
      R"(42["command failed",{"reason":"Not registered as a monitor"}])");
  CAF_CHECK_EQUAL(
      reason_frame(ev_command_failed, reason_unspecified_error),
      R"(42["command failed",)"
      R"({"reason":"Monitor reported an error without a reason"}])");
}

CAF_TEST(command do frames carry the command) {
  CAF_CHECK_EQUAL(command_do_frame("light on"),
                  R"(42["command do",{"command":"light on"}])");
  CAF_CHECK_EQUAL(command_do_frame(""), R"(42["command do",{"command":""}])");
}

CAF_TEST(frames escape quotes backslashes and control characters) {
  CAF_CHECK_EQUAL(command_do_frame(R"(say "hi" \o/)"),
                  R"(42["command do",{"command":"say \"hi\" \\o/"}])");
  CAF_CHECK_EQUAL(command_do_frame("a\nb\tc\rd\x01\x1f\x7f"),
                  R"(42["command do",{"command":"a\nb\tc\rd\u0001\u001F)"
                  "\x7f\"}]");
  CAF_CHECK_EQUAL(command_do_frame("\0"s),
                  R"(42["command do",{"command":"\u0000"}])");
  CAF_CHECK_EQUAL(reason_frame(ev_command_failed, "pump \"2\" jammed\\"),
                  R"(42["command failed",{"reason":"pump \"2\" jammed\\"}])");
}

CAF_TEST(frames keep text beyond ASCII unescaped) {
  CAF_CHECK_EQUAL(command_do_frame("lümière ✓ 🚀"),
                  R"(42["command do",{"command":"lümière ✓ 🚀"}])");
  CAF_CHECK_EQUAL(reason_frame(ev_command_failed, "échec"),
                  R"(42["command failed",{"reason":"échec"}])");
}

CAF_TEST(frames decode as events on the main namespace) {
  auto command = "say \"hi\"\n\\ ✓ \x01"s;
  auto ev = read_frame(command_do_frame(command));
  CAF_CHECK_EQUAL(ev.name, ev_command_do);
  CAF_CHECK_EQUAL(show(socketio::string_member(ev.args_json, "command")),
                  show(command));
  auto reason = read_frame(reason_frame(ev_command_failed, "a\"b\\c"));
  CAF_CHECK_EQUAL(reason.name, ev_command_failed);
  CAF_CHECK_EQUAL(error_reason_of(reason.args_json), "a\"b\\c");
}

CAF_TEST(a command read from a user is relayed unchanged) {
  auto p = socketio::decode(R"(2["command send",{"command":"x\"\u00e9\n"}])");
  CAF_REQUIRE(p.ok());
  auto ev = socketio::read_event(*p.value);
  CAF_REQUIRE(ev);
  CAF_CHECK_EQUAL(ev->name, ev_command_send);
  auto command = command_of(ev->args_json);
  CAF_REQUIRE(command);
  CAF_CHECK_EQUAL(command_do_frame(*command),
                  R"(42["command do",{"command":"x\"é\n"}])");
}

CAF_TEST(event names are the wire names) {
  CAF_CHECK_EQUAL(ev_query, "query");
  CAF_CHECK_EQUAL(ev_command_send, "command send");
  CAF_CHECK_EQUAL(ev_con, "con");
  CAF_CHECK_EQUAL(ev_command_done, "command done");
  CAF_CHECK_EQUAL(ev_command_error, "command error");
  CAF_CHECK_EQUAL(ev_query_ok, "query ok");
  CAF_CHECK_EQUAL(ev_query_failed, "query failed");
  CAF_CHECK_EQUAL(ev_con_ok, "con ok");
  CAF_CHECK_EQUAL(ev_con_failed, "con failed");
  CAF_CHECK_EQUAL(ev_command_ok, "command ok");
  CAF_CHECK_EQUAL(ev_command_do, "command do");
  CAF_CHECK_EQUAL(ev_command_finish, "command finish");
  CAF_CHECK_EQUAL(ev_command_failed, "command failed");
  // None of them is reserved, so clients accept every frame.
  for (auto name :
       {ev_query_ok, ev_query_failed, ev_con_ok, ev_con_failed, ev_command_ok,
        ev_command_do, ev_command_finish, ev_command_failed})
    CAF_CHECK(!socketio::is_reserved_event(name));
}
