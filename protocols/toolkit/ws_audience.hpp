// The WebSocket sessions one publisher writes to. A frame, encoded and
// framed once, is appended to every session's queue in one loop on the
// publisher's thread, and the sessions that were idle get their writes
// started by one task on the io thread (docs/design.md, "Fan-out").
// ws_fanout (a fan-out of group notifications) and the realdds mirror are
// built on it.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "protocols/http/ws_session.hpp"

namespace signalbox {

class ws_audience {
public:
  /// `io`: where writes are started (the node's io_context).
  explicit ws_audience(boost::asio::any_io_executor io);

  ws_audience(const ws_audience&) = delete;
  ws_audience& operator=(const ws_audience&) = delete;

  /// Starts delivering to `s`; thread-safe. `s` must call remove before it
  /// is destroyed. No reference to a session is ever released while the
  /// lock is held, so a session's destructor may call remove.
  void add(http::ws_session* s);

  /// Stops delivering to `s` (idempotent); thread-safe. Once it returns, no
  /// delivery to `s` is under way.
  void remove(http::ws_session* s);

  /// Queues `frame` to every session and starts the writes.
  void send(const http::outbound_frame& frame);

  /// Sessions currently attached.
  size_t size() const;

private:
  boost::asio::any_io_executor io_;
  mutable std::mutex mutex_;
  std::vector<http::ws_session*> sessions_; // guarded by mutex_
};

/// Starts the writes of `due` (sessions that queue_frame returned) with one
/// task on `io`.
void flush_all(const boost::asio::any_io_executor& io,
               std::vector<std::shared_ptr<http::ws_session>> due);

} // namespace signalbox
