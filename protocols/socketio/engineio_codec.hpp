// Engine.IO protocol 4, the transport layer under Socket.IO: packets, the
// long-polling payload (packets joined by the record separator 0x1e, binary
// as `b<base64>`), the open packet, the request query and the error bodies
// of the Node reference server. Pure: no sockets, no actors.
// See docs/socketio.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signalbox::engineio {

/// The packet type digit.
enum class packet_type : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

/// One decoded packet. For a binary message `binary` is set and `data`
/// holds the raw bytes; otherwise `data` is the text after the type digit.
struct packet {
  packet_type type = packet_type::message;
  bool binary = false;
  std::string data;

  friend bool operator==(const packet& a, const packet& b) {
    return a.type == b.type && a.binary == b.binary && a.data == b.data;
  }
};

/// Decodes one text packet: a WebSocket text frame, or one record of a
/// polling payload. A record `b<base64>` is a binary message, but only when
/// `allow_base64` (polling); over WebSocket binary data comes as a binary
/// frame. Empty text, an unknown type digit or bad base64: nothing.
std::optional<packet> decode_packet(std::string_view text,
                                    bool allow_base64 = false);

/// A WebSocket binary frame: a binary message with these bytes.
packet decode_binary_frame(std::string_view bytes);

/// Decodes the body of a polling POST: records split on 0x1e, each decoded
/// with base64 allowed. An empty body or any invalid record: nothing (the
/// Node server answers 400 and closes the session).
std::optional<std::vector<packet>> decode_payload(std::string_view body);

/// The text form of a packet: the type digit and the data (binary messages
/// as `b<base64>`, the polling form).
std::string encode_packet(const packet& p);

/// Appends one outbound record to a polling payload under construction: a
/// 0x1e first unless `payload` is empty, then the text packet as it is or,
/// for binary data, `b` and its base64.
void append_to_payload(std::string& payload, std::string_view bytes,
                       bool binary);

/// What the open packet announces.
struct handshake {
  std::string sid;
  bool can_upgrade = true; // upgrades ["websocket"]; [] when opened over WS
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  uint64_t max_payload = 1000000;
};

/// The open packet: `0{"sid":..,"upgrades":[..],"pingInterval":..,
/// "pingTimeout":..,"maxPayload":..}` (all five keys, always).
std::string open_packet(const handshake& h);

/// The transports of Engine.IO 4.
enum class transport_kind { polling, websocket };

/// The error codes of the Node server (engine.io Server.errors), answered
/// as JSON bodies `{"code":N,"message":"..."}`.
enum class error_code : int {
  unknown_transport = 0,            // "Transport unknown"
  unknown_sid = 1,                  // "Session ID unknown"
  bad_handshake_method = 2,         // "Bad handshake method"
  bad_request = 3,                  // "Bad request"
  forbidden = 4,                    // "Forbidden"
  unsupported_protocol_version = 5, // "Unsupported protocol version"
};

/// The message of an error code, exactly as the Node server words it.
std::string_view error_message(error_code code);

/// The HTTP status of an error code: 403 for forbidden, 400 otherwise.
unsigned error_status(error_code code);

/// The JSON body of an error answer.
std::string error_body(error_code code);

/// The Engine.IO parameters of a request target's query string (percent
/// decoding applied; other parameters such as the cache buster `t` are
/// ignored; a parameter given twice: the first counts).
struct request_query {
  std::optional<std::string> eio;       // "4" for this protocol
  std::optional<std::string> transport; // "polling" or "websocket"
  std::optional<std::string> sid;
};

/// Reads the query of `target` (the part after '?', if any).
request_query parse_query(std::string_view target);

/// The transport named by `name`, if it is one of the two.
std::optional<transport_kind> parse_transport(std::string_view name);

/// The path of `target` (before '?').
std::string_view target_path(std::string_view target);

/// A new session id: 20 characters of the base64url alphabet from 15
/// random bytes of the operating system's random source (the form of the
/// Node server's ids, e.g. "lv_VI97HAXpY6yYWAAAC").
std::string make_session_id();

} // namespace signalbox::engineio
