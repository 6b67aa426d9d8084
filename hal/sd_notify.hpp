// The sd_notify(3) datagram protocol, as systemd 252 reads it: a datagram is
// newline-separated VARIABLE=VALUE assignments. Pure: the job actor parses
// the raw datagrams the notify socket reader forwards.
//
// Honoured (like a systemd service with NotifyAccess=all):
//   READY=1            the job finished starting up (notify jobs: 11 -> 10)
//   WATCHDOG=1         keep-alive ping: re-arms the watchdog
//   WATCHDOG=trigger   the job asks to be treated as hung (status 18)
//   WATCHDOG_USEC=n    replaces the job's watchdog timeout; 0 disables it
//   STATUS=text        free-form status text (job_info::status_text)
// Everything else (STOPPING=1, RELOADING=1, MAINPID=, ERRNO=, BARRIER=1,
// FDSTORE=1, ...) is accepted and ignored. BARRIER=1's file descriptor is
// closed by the socket reader, which is all a barrier needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signalbox::hal {

/// What one datagram asks for.
struct sd_notify_message {
  bool ready = false;                    // READY=1
  bool watchdog_ping = false;            // WATCHDOG=1
  bool watchdog_trigger = false;         // WATCHDOG=trigger
  std::optional<uint64_t> watchdog_usec; // WATCHDOG_USEC=<decimal>
  std::optional<std::string> status;     // STATUS=<UTF-8 text>
};

/// Parses one datagram. Answers nullopt for a datagram systemd would drop as
/// a whole: one with an embedded NUL byte. Malformed single assignments
/// (READY=2, WATCHDOG_USEC=abc, a STATUS= that is not UTF-8) are ignored
/// one by one, like systemd does; a repeated variable: the last one counts.
std::optional<sd_notify_message> parse_sd_notify(std::string_view datagram);

} // namespace signalbox::hal
