// `rtoc.*`: the RTOC websocket server's settings (docs/rtoc.md), declared
// by the RTOC service (service.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace signalbox::rtoc {

struct options {
  bool enabled = true;
  uint16_t port = 5050;
  std::string password; // empty: none (RTOC's default)
  // Peers that need no encryption; empty: loopback encrypts too.
  std::vector<std::string> host_whitelist{"127.0.0.1", "localhost"};
  uint64_t record_length = 500000; // samples per signal in RAM
  uint64_t max_signals = 10000;
  uint64_t max_events = 1000000;
  size_t max_frame_bytes = 4 * 1024 * 1024; // one request frame
  bool mirror = true; // GPIO lines, values and jobs as signals and events
  uint64_t mirror_events = 1000; // per job or member; 0: up to max_events
  std::string tls_cert; // PEM certificate (chain): TLS on the port (wss://)
  std::string tls_key;  // its PEM private key
  bool tls = true;      // without tls_cert: the node's (net.tls-cert)
};

} // namespace signalbox::rtoc
