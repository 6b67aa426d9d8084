// The ttmnotify wire format (seed 000): one JSON object per WebSocket text
// frame, always with "cmd". Pure: no sockets, no actors.
#pragma once

#include <string>

#include "core/notification.hpp"

namespace signalbox::ttmnotify {

/// The ttmnotify frame for `event`:
/// - job_list_changed   ->
/// {"cmd":"refresh","reason":"newjob"|"jobremoved","jobid":N}
/// - job_status_changed -> {"cmd":"updatejob","jobid":N,"status":S}
/// - gpio_changed       -> {"cmd":"gpioupdate","gpio":"name","value":0|1}
/// - value_changed      -> {"cmd":"dbchange","key":"k","value":"v","reason":R}
///   (value "" when removed)
std::string encode(const domain_event& event);

/// The WebSocket subprotocol token.
constexpr const char* subprotocol = "ttmnotify";

/// The result of subprotocol negotiation for a Sec-WebSocket-Protocol offer.
enum class negotiation {
  none,     // the client offered nothing: accept, answer no protocol
  selected, // the offer includes "ttmnotify": accept and answer it
  rejected, // the offer lacks "ttmnotify": refuse with HTTP 400
};

/// Negotiates the subprotocol from the raw header value (a comma-separated
/// token list, RFC 6455 section 4.1). Tokens are compared exactly.
negotiation negotiate(const std::string& offered);

} // namespace signalbox::ttmnotify
