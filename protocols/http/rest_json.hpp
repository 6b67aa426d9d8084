// The JSON bodies of the REST API (docs/api.md): encoders for the
// snapshots the actors answer with, and validating decoders for request
// bodies. Pure: no sockets, no actors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/messages.hpp"
#include "protocols/jmri/codec.hpp"

namespace signalbox::rest {

// -- encoders -----------------------------------------------------------------

std::string encode(const job_info& x);
std::string encode(const std::vector<job_info>& xs);
std::string encode(const gpio_info& x);
std::string encode(const std::vector<gpio_info>& xs);
std::string encode(const value_info& x);
std::string encode(const std::vector<value_info>& xs);
std::string encode(const std::vector<log_line>& xs);
/// GET /api/cluster: `{"enabled","name","address","heartbeat_ms",
/// "members":[{"name"|null,"address","state","last_seen"|null}]}`, last_seen
/// in milliseconds since the epoch.
std::string encode(const cluster_view& x);

/// What GET /api/node tells a client (the dashboard) about the node.
struct node_summary {
  struct listener {
    std::string service; // as in its listening line: "ttm", "jmri", ...
    std::string address;
    uint16_t port = 0;
  };
  std::string name;    // cluster.name: the host name unless configured
  std::string version; // the build's
  bool jobs_editable = true;
  bool token_required = false; // mutating requests need the bearer token
  std::string gpio_backend;    // "simulated" or "gpiod"
  std::vector<listener> interfaces;
};

/// GET /api/node: `{"name","version","jobs_editable","token_required",
/// "gpio_backend","interfaces":[{"service","address","port"}]}`.
std::string encode(const node_summary& x);

/// `{"error":"<text>"}`.
std::string encode_error(std::string_view text);

/// Milliseconds since the epoch as RFC 3339 UTC with milliseconds
/// ("2026-11-22T03:04:05.678Z").
std::string format_timestamp(int64_t ts_ms);

// -- decoders -----------------------------------------------------------------

/// The outcome of decoding a request body: either a value or the text of a
/// 400 Bad Request.
template <class T>
struct decoded {
  T value{};
  std::string error; // empty: ok

  explicit operator bool() const { return error.empty(); }
};

/// `{"value":"..","persistent":bool,"notify":bool,"provider":".."}`; value
/// is required and must be a string; the flags default to false/true.
decoded<value_write> decode_value_write(std::string_view body);

/// `{"value":0|1}` (also accepts true/false).
decoded<int32_t> decode_gpio_value(std::string_view body);

/// `{"name","command":[argv...],"restart","watchdog_sec","notify",
/// "autostart","env","cwd"}`; name and command are required.
decoded<job_spec> decode_job_spec(std::string_view body);

/// `{"message","type","client"?,"context"?,"locale"?}` for POST
/// /api/messages: message is a required string; type is info (default),
/// success, warning or error; context any JSON (the message carries it only
/// when it is an object); locale "" means the node's default.
decoded<jmri::jmri_message> decode_jmri_message(std::string_view body);

/// `{"delivered":N}`.
std::string encode_delivered(uint64_t n);

} // namespace signalbox::rest
