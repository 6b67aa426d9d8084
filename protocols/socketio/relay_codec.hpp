// The altoponix command relay's payloads (../shared/seeds/
// 004_6481c25742118d39.txt, docs/socketio.md): the checks on what users
// and monitors send, and the frames the relay emits, as complete Engine.IO
// text packets on the default namespace (`42["event",{...}]`), built once
// and shared by every recipient. Pure: no sockets, no actors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace signalbox::relay {

// -- event names --------------------------------------------------------------

// Users send:
constexpr std::string_view ev_query = "query";
constexpr std::string_view ev_command_send = "command send";
// Monitors send:
constexpr std::string_view ev_con = "con";
constexpr std::string_view ev_command_done = "command done";
constexpr std::string_view ev_command_error = "command error";
// The relay emits:
constexpr std::string_view ev_query_ok = "query ok";
constexpr std::string_view ev_query_failed = "query failed";
constexpr std::string_view ev_con_ok = "con ok";
constexpr std::string_view ev_con_failed = "con failed";
constexpr std::string_view ev_command_ok = "command ok";
constexpr std::string_view ev_command_do = "command do";
constexpr std::string_view ev_command_finish = "command finish";
constexpr std::string_view ev_command_failed = "command failed";

// -- reasons (the texts of the original server, and ours for the cases it
// crashed on) ------------------------------------------------------------------

constexpr std::string_view reason_query_ok = "Query ok";
constexpr std::string_view reason_connection_ok = "Connection ok";
constexpr std::string_view reason_command_ok = "Command ok";
constexpr std::string_view reason_command_finish = "Command finish";
constexpr std::string_view reason_invalid_monitor_id = "Invalid monitor_id";
constexpr std::string_view reason_already_registered =
    "monitor_id already registered";
constexpr std::string_view reason_invalid_command = "Invalid command";
// `command send` before a successful `query`.
constexpr std::string_view reason_no_monitor = "Query a monitor_id first";
// `command done` / `command error` from a connection that is no monitor.
constexpr std::string_view reason_not_a_monitor =
    "Not registered as a monitor";
// `command error` whose payload has no string `reason`.
constexpr std::string_view reason_unspecified_error =
    "Monitor reported an error without a reason";

/// The length of a monitor id (the original checks only the length; real
/// ids are 32 hex digits).
constexpr size_t monitor_id_length = 32;

// -- checks on incoming payloads (the JSON array of an event's arguments) --

/// The monitor id of a `query` or `con`: the first argument is an object
/// whose `monitor_id` is a string of exactly 32 characters (any characters,
/// counted as UTF-8 code points, as Python's len does). Nothing otherwise
/// (missing payload, not an object, missing key, not a string, other
/// length).
std::optional<std::string> monitor_id_of(std::string_view args_json);

/// The command of a `command send`: the first argument is an object whose
/// `command` is a non-empty string. Nothing otherwise.
std::optional<std::string> command_of(std::string_view args_json);

/// The reason of a `command error`: the first argument's string `reason`,
/// or reason_unspecified_error when there is none.
std::string error_reason_of(std::string_view args_json);

// -- frames ---------------------------------------------------------------

/// `42["<event>",{"reason":"<reason>"}]` (JSON-escaped).
std::string reason_frame(std::string_view event, std::string_view reason);

/// `42["command do",{"command":"<command>"}]` (JSON-escaped).
std::string command_do_frame(std::string_view command);

} // namespace signalbox::relay
