// `socketio.*`: the Socket.IO v4 server's settings (defaults are the Node
// server's), declared by the Socket.IO service (service.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace signalbox::socketio {

struct options {
  bool enabled = true;
  uint16_t port = 5000;
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds upgrade_timeout{10000};
  std::chrono::milliseconds connect_timeout{45000}; // to join a namespace
  uint64_t max_payload = 1000000;        // per message and per polling POST
  std::vector<std::string> cors_origins; // browser origins allowed; "*": any
  bool tls = true; // with net.tls-cert: https:// and wss:// only
};

} // namespace signalbox::socketio
