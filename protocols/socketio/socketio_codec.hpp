// Socket.IO protocol 5 (socket.io 3.x/4.x), carried in Engine.IO message
// packets: `<type>[<#attachments>-][<nsp>,][<ackId>][JSON]`. Decoding follows
// socket.io-parser 4.2's Decoder, including its payload checks
// (isPayloadValid), so that the server rejects exactly what the reference
// server rejects. Pure: no sockets, no actors.
// See docs/socketio.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signalbox::socketio {

enum class packet_type : int {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

/// One Socket.IO packet. `data` is the JSON text verbatim (empty when the
/// packet has none). For binary packets `data` still holds the
/// `{"_placeholder":true,"num":N}` objects; the attachments travel as
/// separate Engine.IO binary messages.
struct packet {
  packet_type type = packet_type::event;
  std::string nsp = "/";
  std::optional<uint64_t> ack_id;
  size_t attachments = 0; // binary_event / binary_ack only
  std::string data;

  friend bool operator==(const packet& a, const packet& b) {
    return a.type == b.type && a.nsp == b.nsp && a.ack_id == b.ack_id &&
           a.attachments == b.attachments && a.data == b.data;
  }
};

/// The outcome of decoding: the packet, or why it is invalid (the Node
/// server closes the connection on any of these).
struct decode_result {
  std::optional<packet> value;
  std::string error; // e.g. "unknown packet type", "invalid payload"

  bool ok() const { return value.has_value(); }
};

/// Decodes one packet from the text of an Engine.IO message (the part after
/// the `4`). Rules, as socket.io-parser:
/// - type digit 0..6; binary types need `<n>-` (n decimal, at most
///   max_attachments, as socket.io-parser's `n > maxAttachments` check);
/// - the namespace starts with `/` and ends at `,` or at the end of the text
///   (`40/custom` is the namespace `/custom` with no data);
/// - an ack id is the run of digits that follows (at most 15 digits);
/// - the rest is JSON and must be valid for the type: CONNECT an object,
///   DISCONNECT nothing, CONNECT_ERROR an object or string, EVENT and
///   BINARY_EVENT a non-empty array whose first element is a number or a
///   string that is not a reserved event name, ACK and BINARY_ACK an array;
/// - EVENT and BINARY_EVENT without data are invalid too (the reference
///   server would dispatch an event without a name);
/// - the text must be UTF-8, and the JSON must not hold a NUL byte or escape
///   a lone surrogate (nothing we could echo as UTF-8).
decode_result decode(std::string_view text, size_t max_attachments = 10);

/// The text of a packet (without the Engine.IO `4`); the namespace is
/// written only when it is not `/`.
std::string encode(const packet& p);

/// The Engine.IO message packet carrying `p`: `4` + encode(p).
std::string encode_message(const packet& p);

/// The names the client rejects as event names (socket.io-parser
/// RESERVED_EVENTS): connect, connect_error, disconnect, disconnecting,
/// newListener, removeListener.
bool is_reserved_event(std::string_view name);

/// An EVENT's name and arguments, read from a decoded EVENT/BINARY_EVENT.
struct event_view {
  std::string name;      // the event name (a number is given in its text)
  std::string args_json; // the arguments after the name, as a JSON array
};

/// Splits the data of an EVENT or BINARY_EVENT into name and arguments:
/// `["query",{"a":1},2]` -> name "query", args `[{"a":1},2]`. Nothing when
/// `p` is not a valid event.
std::optional<event_view> read_event(const packet& p);

/// Builds the data of an EVENT: the JSON array of `name` followed by the
/// elements of `args_json` (a JSON array text; "[]" for none).
std::string event_data(std::string_view name, std::string_view args_json);

/// The CONNECT answer: `{"sid":"<sid>"}` (the key the 4.x client requires).
std::string connect_data(std::string_view sid);

/// The CONNECT_ERROR data: `{"message":"<message>"}`.
std::string connect_error_data(std::string_view message);

/// The first element (the object) of an event's arguments, when there is one
/// and it is a JSON object; and a string member of it. For handlers that
/// take `{"key": "value"}` payloads.
std::optional<std::string> string_member(std::string_view args_json,
                                         std::string_view key);

/// Whether the first argument exists and is a JSON object.
bool first_arg_is_object(std::string_view args_json);

} // namespace signalbox::socketio
