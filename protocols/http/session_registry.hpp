// The live connections of one listener, so that shutdown can close every one
// of them (WebSockets with 1001 Going Away) and the connection limit can be
// enforced, and the counters its sessions count into (GET /metrics).
// Thread-safe: sessions register and leave from Asio threads.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/metrics.hpp"

namespace signalbox::http {

/// Anything a shutdown must close. `shutdown()` may be called from any
/// thread; implementations post onto their own strand.
class closable {
public:
  virtual ~closable() = default;
  virtual void shutdown() = 0;

  /// Outbound bytes waiting to be written (metrics); thread-safe.
  virtual size_t queued_bytes() const { return 0; }
};

/// What the sessions of one listener count, whatever their protocol: a
/// frame is a WebSocket message, a JMRI JSON object on the raw stream.
struct connection_counters {
  metrics::counter frames_received;
  metrics::counter frames_sent;
  metrics::counter slow_consumers;     // closed: queue over its limit
  metrics::counter oversized_messages; // closed: a message over its limit
  metrics::counter refused;            // connection limit or shutting down
  metrics::counter tls_failures;       // failed handshakes, plain text on TLS
};

/// An accepted connection: started once by its listener.
class connection : public closable {
public:
  virtual void start() = 0;
};

class session_registry {
public:
  explicit session_registry(size_t max_sessions) : max_(max_sessions) {}

  /// Adds a session; false when the limit is reached (the caller refuses the
  /// connection).
  bool add(const std::shared_ptr<closable>& session) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_ || sessions_.size() >= max_) {
      counters_.refused.add();
      return false;
    }
    sessions_.emplace(session.get(), session);
    return true;
  }

  void remove(const closable* session) {
    std::lock_guard<std::mutex> guard{mtx_};
    sessions_.erase(session);
  }

  size_t size() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return sessions_.size();
  }

  connection_counters& counters() { return counters_; }
  const connection_counters& counters() const { return counters_; }

  /// The bytes every live session has queued; each session is asked
  /// outside this registry's lock (a session may leave meanwhile).
  size_t queued_bytes() const {
    std::vector<std::weak_ptr<closable>> live;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      live.reserve(sessions_.size());
      for (auto& [ptr, weak] : sessions_)
        live.push_back(weak);
    }
    size_t total = 0;
    for (auto& weak : live)
      if (auto session = weak.lock())
        total += session->queued_bytes();
    return total;
  }

  /// Refuses further sessions and shuts down every live one. They stay
  /// counted (size) until each has finished and removed itself, so that the
  /// node's shutdown can wait for their close handshakes.
  void shutdown_all() {
    std::unordered_map<const closable*, std::weak_ptr<closable>> live;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      closed_ = true;
      live = sessions_;
    }
    for (auto& [ptr, weak] : live)
      if (auto session = weak.lock())
        session->shutdown();
  }

private:
  mutable std::mutex mtx_;
  size_t max_;
  bool closed_ = false;
  std::unordered_map<const closable*, std::weak_ptr<closable>> sessions_;
  connection_counters counters_;
};

} // namespace signalbox::http
