// The relay's cluster topics (docs/cluster.md): the node where monitor id X
// is registered takes "relay/monitor/X" (users' commands go there), and
// every node with users attached to X takes "relay/users/X" (the monitor's
// finish and failed frames go there).
#pragma once

#include <string>
#include <string_view>

namespace signalbox::relay {

/// The service name the directory takes cluster traffic under.
constexpr std::string_view cluster_service = "relay";
constexpr std::string_view monitor_prefix = "relay/monitor/";
constexpr std::string_view users_prefix = "relay/users/";

inline std::string monitor_topic(const std::string& id) {
  return std::string{monitor_prefix} + id;
}

inline std::string users_topic(const std::string& id) {
  return std::string{users_prefix} + id;
}

} // namespace signalbox::relay
