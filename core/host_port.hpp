// "host:port" strings, as cluster.peers and the cluster's members name
// the routers of other nodes. Pure: no sockets, no name resolution.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signalbox {

struct host_port {
  std::string host; // a name or an address; IPv6 without its brackets
  uint16_t port = 0;
};

/// Splits "host:port" or "[v6]:port". Nothing for an empty host, a missing
/// or non-numeric port, a port of 0 or above 65535, or anything after it.
std::optional<host_port> parse_host_port(std::string_view text);

/// The text parse_host_port reads back ("[::1]:4100" for an IPv6 host).
std::string to_string(const host_port& x);

} // namespace signalbox
