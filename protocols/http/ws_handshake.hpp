// The server side of the WebSocket opening handshake (RFC 6455 section 4.2),
// without sockets: checks an upgrade request and makes the 101 answer. The
// checks and texts are Beast's, so clients see what they saw before
// signalbox framed WebSockets itself (ws_frame_codec.hpp says why it does).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "protocols/http/site.hpp"

namespace signalbox::http::ws {

/// Why an upgrade request is refused: an HTTP status and a text.
struct handshake_refusal {
  unsigned status = 400;
  std::string text;
};

/// The Sec-WebSocket-Accept value for a request's Sec-WebSocket-Key.
std::string accept_key(std::string_view sec_websocket_key);

/// Checks `req` (method, version, Host, Connection/Upgrade tokens, key and
/// version 13); the accept key when it is a valid opening handshake.
std::variant<std::string, handshake_refusal>
check_upgrade(const request_type& req);

/// The refusal as an HTTP response (426 names the version it speaks).
response_type refusal_response(const handshake_refusal& refusal,
                               unsigned version);

/// The Sec-WebSocket-Protocol offer of `req`, its header lines joined with
/// commas (an offer may be spread over several lines); "" for none.
std::string offered_subprotocols(const request_type& req);

/// The 101 Switching Protocols answer, with `subprotocol` when not empty.
std::string switching_protocols(std::string_view accept,
                                std::string_view subprotocol);

} // namespace signalbox::http::ws
