// `realdds.*`: the realdds interface's settings (docs/realdds.md), declared
// by its service (service.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace signalbox::realdds {

struct options {
  bool enabled = true;
  uint32_t domain = 0;
  std::string topic_root;      // empty: "signalbox/<hostname>"
  std::string format = "json"; // data_format of DDS messages: json | cbor
  std::chrono::milliseconds log_flush{100};
  uint16_t port = 5151; // the WebSocket mirror
  bool tls = true;      // with net.tls-cert: the mirror serves wss:// only
  /// More addresses to announce the participant to (DDS initial peers).
  std::vector<std::string> peers;
};

} // namespace signalbox::realdds
