// A running listener, as the node sees it: where it is bound, and how to
// stop it. Beast-free, so app/ and actors/ can hold one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace signalbox {

/// What a listener's connections did (GET /metrics): counts since start,
/// and what is open and queued right now.
struct listener_stats {
  size_t connections = 0;
  size_t queued_bytes = 0;
  uint64_t frames_received = 0;
  uint64_t frames_sent = 0;
  uint64_t slow_consumers = 0;
  uint64_t oversized_messages = 0;
  uint64_t refused = 0;
  uint64_t tls_failures = 0;
};

class listener_handle {
public:
  virtual ~listener_handle() = default;

  /// The service name of the listening line ("ttm", "jmri", ...).
  virtual std::string service() const = 0;

  /// The bound address and port (the real port when configured as 0).
  virtual std::string address() const = 0;
  virtual uint16_t port() const = 0;

  /// The port speaks TLS (net.tls-cert and the interface's switch).
  virtual bool secure() const { return false; }

  /// Stops accepting and closes every connection (WebSockets with 1001).
  /// Thread-safe.
  virtual void stop() = 0;

  /// Open connections right now.
  virtual size_t connections() const = 0;

  /// The connections' counters; a listener without any has only
  /// connections().
  virtual listener_stats stats() const {
    listener_stats out;
    out.connections = connections();
    return out;
  }
};

} // namespace signalbox
