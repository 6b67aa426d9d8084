// The ttmnotify fan-out of one listener: a single actor companion joined to
// the ttm groups stands for every subscriber of the listener. A
// notification reaches it once, is framed once (wire_format::ttmnotify_ws)
// and is appended to each subscriber's queue in one loop on the publisher's
// thread, where a companion per subscriber would cost a mailbox element and
// a strand post per subscriber per notification (docs/design.md).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/group.hpp>

namespace signalbox::ttmnotify {

class session;

class fanout {
public:
  /// `io`: where writes are started (the node's io_context).
  fanout(caf::actor_system& sys, boost::asio::any_io_executor io);
  ~fanout();

  fanout(const fanout&) = delete;
  fanout& operator=(const fanout&) = delete;

  /// Starts delivering to `s`; thread-safe. `s` must call remove before it
  /// is destroyed. No reference to a session is ever released while the
  /// fan-out's lock is held, so a session's destructor may call remove.
  void add(session* s);

  /// Stops delivering to `s` (idempotent); thread-safe. Once it returns, no
  /// delivery to `s` is under way.
  void remove(session* s);

  /// Leaves the groups and ends the companion (idempotent): the node's
  /// shutdown waits for every actor, this one included.
  void stop();

  /// Subscribers currently attached.
  size_t size() const;

private:
  boost::asio::any_io_executor io_;
  mutable std::mutex mutex_;
  std::vector<session*> sessions_; // guarded by mutex_
  caf::actor companion_;
  std::vector<caf::group> groups_;
};

} // namespace signalbox::ttmnotify
