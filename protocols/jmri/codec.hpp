// The JMRI JSON protocol (docs/jmri.md, protocol "v5", JSON 5.1.0): parsing
// one client message with JsonClientHandler's dispatch rules, and the exact
// server frames of the util and message services. Pure: no sockets, no
// actors. The TCP framing (concatenated JSON values) is stream_splitter.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/jmri_types.hpp"

namespace signalbox::jmri {

// -- constants ----------------------------------------------------------------

/// JSON.JSON_PROTOCOL_VERSION, sent as "json" in the hello.
constexpr const char* json_protocol_version = "5.1.0";

/// JSON.VERSIONS: the only protocol version a client may select.
constexpr const char* current_version = "v5";

/// JsonServerPreferences defaults: the raw TCP port and the heartbeat
/// interval (the idle timeout of a connection).
constexpr uint16_t default_tcp_port = 2056;
constexpr int default_heartbeat_interval_ms = 15000;

/// Nesting deeper than this is refused as unprocessable (500), like Jackson
/// 2.15's StreamReadConstraints default. It also bounds the recursion when a
/// parsed value (e.g. a message context) is written out again.
constexpr size_t max_nesting_depth = 1000;

/// The error codes JMRI uses (HttpServletResponse.SC_*).
namespace code {
constexpr int bad_request = 400;
constexpr int not_found = 404;
constexpr int method_not_allowed = 405;
constexpr int conflict = 409;
constexpr int internal_error = 500;
} // namespace code

// -- parsing ------------------------------------------------------------------

/// One client message after JsonClientHandler.onMessage's rules. `data` stays
/// inside the parsed document, which the request keeps alive (copies share
/// it), so sessions can look at any field or forward parts of it.
struct request {
  /// root.type as text; replaced by root.list for the list syntaxes.
  std::string type;
  /// root.method, else the legacy data.method, else "get"; "list" for the
  /// list syntaxes.
  std::string method = "get";
  /// root.id if it is an integer number, else 0. Echoed only when > 0.
  int64_t id = 0;
  /// Whether the message had a "data" member (of any JSON type). Without
  /// one, JMRI uses {} (allowed only for hello/ping/goodbye and get/list).
  bool has_data = false;
  /// The whole parsed message (a JSON object).
  std::shared_ptr<const rapidjson::Document> doc;

  /// The "data" member as sent, or nullptr when absent.
  const rapidjson::Value* data() const;

  /// Whether data is an object with member `key` (any type, even null):
  /// Jackson's `!data.path(key).isMissingNode()`.
  bool data_has(const char* key) const;

  /// data[key] if it is a JSON string; nullopt when absent or not a string.
  std::optional<std::string> data_string(const char* key) const;

  /// Jackson's `data.path(key).asText()` for a present member: strings as
  /// is, numbers and booleans as their JSON text, null as "null", arrays and
  /// objects as "". nullopt when absent. JMRI's services read attributes
  /// this way (e.g. {"client":12} subscribes "12").
  std::optional<std::string> data_text(const char* key) const;

  /// Jackson's `data.path(key).asText(fallback)`: like data_text, but an
  /// absent member or null gives `fallback` (e.g. hello's data.version).
  std::string data_text_or(const char* key, std::string fallback) const;

  /// data[key] written as compact JSON; nullopt when absent.
  std::optional<std::string> data_member_json(const char* key) const;

  /// data written as compact JSON; "{}" when absent, as JMRI substitutes.
  std::string data_json() const;
};

/// The outcome of parse_request: a request, or the error frame's contents.
struct parse_result {
  std::optional<request> req;
  int error_code = 0;
  std::string error_message;
  /// The id to echo with the error (see error_frame); 0 for parse errors.
  int64_t error_id = 0;

  bool ok() const { return req.has_value(); }
};

/// Parses one client message (one complete JSON text) and applies
/// JsonClientHandler's dispatch rules (docs/jmri.md):
/// - malformed JSON, invalid UTF-8, nesting over max_nesting_depth, or a
///   valid JSON text that is not an object -> 500 "Unable to process JSON
///   message with error: <detail>.", never with an id. (JMRI would read a
///   non-object root as type "" and answer 404; a 500 says what is wrong.)
/// - {"type":"X","method":"list"}, {"type":"list","list":"X"} and
///   {"list":"X"} all give type X, method list.
/// - no "data": fine for type hello/ping/goodbye or method get/list;
///   otherwise 400 "Data property of JSON message missing." with the id.
/// - root.method absent and data.method a scalar -> method = data.method.
parse_result parse_request(std::string_view text);

/// Whether `version` is one of JSON.VERSIONS ({"v5"}).
bool is_known_version(std::string_view version);

/// The 404 a hello with an unknown data.version gets:
/// "Unknown object type v4 was requested."; nullopt for a known version.
std::optional<std::string> check_version(std::string_view version);

/// Math.round(interval * 0.9f): the heartbeat advertised in the hello, so
/// that clients ping before the server's idle timeout (15000 -> 13500).
int advertised_heartbeat_ms(int heartbeat_interval_ms);

// -- server frames
// --------------------------------------------------------------

/// The contents of the server hello (JsonUtilHttpService.getHello).
struct hello_info {
  std::string jmri_version;
  std::string json_version = json_protocol_version;
  int heartbeat_ms = 13500;
  std::string railroad;
  std::string node;
  std::optional<std::string> active_profile; // nullopt -> null
};

/// {"type":"hello","data":{"JMRI":..,"json":..,"heartbeat":N,"railroad":..,
/// "node":..,"activeProfile":..|null}} plus "id":N when id > 0.
std::string hello_frame(const hello_info& info, int64_t id = 0);

/// {"type":"pong"}: never with an id.
std::string pong_frame();

/// {"type":"goodbye"}: no data, no id.
std::string goodbye_frame();

/// {"type":"error","data":{"code":C,"message":"M"}} plus "id":|id| when
/// id != 0 (JsonException.getId() is Math.abs(id), echoed when > 0).
std::string error_frame(int code, std::string_view message, int64_t id = 0);

/// {"type":"client","data":{"client":"X"}}: never with an id.
std::string client_frame(std::string_view client);

/// The list of a connection's client ids: a bare array of client frames
/// when id <= 0, else {"type":"list","data":[...],"id":N}.
std::string client_list_frame(const std::vector<std::string>& clients,
                              int64_t id = 0);

/// Whether `type` is a JsonMessage.TYPE: info, success, warning or error.
bool is_message_type(std::string_view type);

/// {"type":"message","data":{"message":..,"context":{..}|null,"type":..,
/// "locale":..}}: never with an id.
std::string message_frame(const jmri_message& msg);

// -- error texts (Bundle.properties) ------------------------------------------

/// Property "{attribute}" must not be empty for type {type}.
std::string error_empty_attribute(std::string_view attribute,
                                  std::string_view type);

/// Property "{attribute}" is required for type {type}.
std::string error_missing_attribute(std::string_view attribute,
                                    std::string_view type);

/// Client "client" is in use by another connection. JMRI passes the
/// constant "client", not the id, so the text never varies.
std::string error_client_conflict();

/// {type} cannot be listed.
std::string error_unlistable_service(std::string_view type);

/// No client "{client}" found for with this connection.
std::string error_client_not_for_this_connection(std::string_view client);

/// No client found for with this connection.
std::string error_no_client_for_this_connection();

/// Data property of JSON message missing.
std::string error_missing_data();

/// Unknown object type {type} was requested.
std::string error_unknown_type(std::string_view type);

/// Unable to process JSON message with error: {detail}.
std::string error_processing_json(std::string_view detail);

/// Unsupported operation attempted: {detail}.
std::string error_unsupported_operation(std::string_view detail);

} // namespace signalbox::jmri
