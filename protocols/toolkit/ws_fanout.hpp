// A WebSocket fan-out: one actor companion, joined to a set of groups,
// stands for every subscriber of a listener. A notification reaches it
// once, is encoded and framed once in the fan-out's wire format, and is
// appended to each subscriber's queue in one loop on the publisher's thread
// (ws_audience), where a companion per subscriber would cost a mailbox
// element and a strand post per subscriber per notification
// (docs/design.md).
//
// ttmnotify is its first user; a protocol that streams the node's domain
// events to WebSocket clients gives it its groups and its wire format, and
// its sessions derive from fanout_session (or add themselves).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <caf/fwd.hpp>
#include <caf/group.hpp>

#include "actors/interfaces.hpp"
#include "core/notification.hpp"
#include "protocols/http/ws_session.hpp"
#include "protocols/toolkit/companion.hpp"
#include "protocols/toolkit/ws_audience.hpp"

namespace signalbox {

class ws_fanout {
public:
  /// `io`: where writes are started (the node's io_context); `groups`: the
  /// local groups whose notifications go out; `format`: their encoding, a
  /// whole WebSocket frame (empty for events the format skips).
  ws_fanout(caf::actor_system& sys, boost::asio::any_io_executor io,
            const std::vector<std::string>& groups, wire_format format);
  ~ws_fanout();

  ws_fanout(const ws_fanout&) = delete;
  ws_fanout& operator=(const ws_fanout&) = delete;

  /// Starts delivering to `s`; thread-safe. `s` must call remove before it
  /// is destroyed. No reference to a session is ever released while the
  /// fan-out's lock is held, so a session's destructor may call remove.
  void add(http::ws_session* s);

  /// Stops delivering to `s` (idempotent); thread-safe. Once it returns, no
  /// delivery to `s` is under way.
  void remove(http::ws_session* s);

  /// Leaves the groups and ends the companion (idempotent): the node's
  /// shutdown waits for every actor, this one included.
  void stop();

  /// Subscribers currently attached.
  size_t size() const;

private:
  /// Runs on the publisher's thread.
  void deliver(const notification_ptr& event);

  wire_format format_;
  ws_audience audience_;
  // The companion's handle type: it only takes notifications.
  using sink_actor =
      caf::typed_actor<caf::reacts_to<notify_atom, notification_ptr>>;
  companion_bridge<sink_actor, notify_atom, notification_ptr> sink_;
  std::vector<caf::group> groups_;
};

/// A WebSocket subscriber of a fan-out: it joins when its handshake is done
/// and leaves when it closes or is destroyed. Client messages are not part
/// of a pure notification stream: well-formed ones are ignored (a protocol
/// that reads them overrides on_message).
class fanout_session : public http::ws_session {
public:
  fanout_session(http::wire&& stream, net_options limits,
                 std::shared_ptr<http::session_registry> sessions,
                 std::shared_ptr<ws_fanout> hub);

  ~fanout_session() override;

protected:
  void on_open() override;
  void on_message(std::string_view) override {}
  void on_closed() override;

private:
  std::shared_ptr<ws_fanout> hub_;
};

} // namespace signalbox
