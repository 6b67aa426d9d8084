// `jmri.*`: the JMRI JSON message service's settings, declared by the JMRI
// service (service.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace signalbox::jmri {

struct options {
  bool enabled = true;
  uint16_t port = 12080;    // WebSocket /json/
  uint16_t tcp_port = 2056; // raw TCP JSON stream
  std::chrono::milliseconds heartbeat_interval{15000};
  std::string railroad = "signalbox";
  std::string node;             // empty: "signalbox-<hostname>"
  std::string active_profile;   // empty: null
  std::string locale = "en";    // the locale of the node's own messages
  bool job_messages = true;     // broadcast job status changes as messages
  bool cluster_messages = true; // cluster members up/down as messages
  bool tls = true;              // with net.tls-cert: WSS on port
  bool tcp_tls = true;          // with net.tls-cert: TLS on tcp_port
};

} // namespace signalbox::jmri
