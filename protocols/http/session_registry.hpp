// The live connections of one listener, so that shutdown can close every one
// of them (WebSockets with 1001 Going Away) and the connection limit can be
// enforced. Thread-safe: sessions register and leave from Asio threads.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace signalbox::http {

/// Anything a shutdown must close. `shutdown()` may be called from any
/// thread; implementations post onto their own strand.
class closable {
public:
  virtual ~closable() = default;
  virtual void shutdown() = 0;
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
    if (closed_ || sessions_.size() >= max_)
      return false;
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
};

} // namespace signalbox::http
