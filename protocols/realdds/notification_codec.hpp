// The node's realdds notifications (docs/realdds.md lists them): its device
// description for each new reader, and its changes as they happen. Each is
// an object with an `id` and a ns `timestamp`, encoded once in both
// formats and within max_message_bytes. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/messages.hpp"
#include "protocols/realdds/message_codec.hpp"
#include "protocols/realdds/outbox_codec.hpp"

namespace signalbox::realdds {

/// One of the node's options: a GPIO output line (0 or 1) or a shared
/// value (text). Named exactly after the line or the key.
struct option_value {
  enum class kind : uint8_t { gpio, text };
  std::string name;
  kind type = kind::gpio;
  int64_t number = 0; // gpio
  std::string text;   // text
};

/// A JSON string of `s` (copied), and an option's value: a GPIO line's
/// number or a shared value's text (invalid UTF-8 repaired).
rapidjson::Value json_string(std::string_view s,
                             rapidjson::Document::AllocatorType& a);
rapidjson::Value option_value_json(const option_value& o,
                                   rapidjson::Document::AllocatorType& a);

/// `device-header`: no streams, no extrinsics.
encoded device_header(uint64_t timestamp);

/// `device-options`: the options as realdds option arrays, a GPIO line as
/// [name, value, 0, 1, 1, 0, description] (an unsigned option of range
/// 0..1), a shared value as [name, value, "", description] (a string
/// option). Options that do not fit in one message are left out:
/// `left_out` counts them.
encoded device_options(const std::vector<option_value>& options,
                       uint64_t timestamp, size_t* left_out = nullptr);

/// A spontaneous `query-options` (no control, no sample): the new value of
/// one option, as realdds servers announce changes to every client.
encoded option_update(const option_value& option, uint64_t timestamp);

/// `job-status`: job-id, name, status (ttmnotify's number: 15 = exited),
/// status-name, and exit-code / signal when known.
encoded job_status_notification(const job_status_changed& x,
                                uint64_t timestamp);

/// `gpio`: line and value.
encoded gpio_notification(const gpio_changed& x, uint64_t timestamp);

/// `value`: key and value, or key and "removed": true. A value too long
/// for one message is cut at a UTF-8 boundary and says so ("cut": true,
/// "length": its length in bytes).
encoded value_notification(const value_changed& x, uint64_t timestamp);

/// A line of a job's output as a `log` entry: stdout "I", stderr "W",
/// data {"job": name, "stream": "stdout"|"stderr"}.
log_entry job_output_entry(const std::string& job, const log_line& line);

/// The node's own log entry for a job that ended badly: "E" for a crash,
/// a failure to start or a watchdog kill, "W" for a non-zero exit; none for
/// other statuses.
std::optional<log_entry> job_status_entry(const job_status_changed& x,
                                          uint64_t timestamp);

/// ns since the Unix epoch of system_clock (realdds' timestamps).
uint64_t now_ns();

} // namespace signalbox::realdds
