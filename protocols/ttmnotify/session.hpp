// A ttmnotify WebSocket client: server -> client only. The session's CAF side
// is an actor_companion joined to the ttm groups; its enqueue handler runs on
// the publisher's thread and hands the shared, already encoded frame to the
// connection's strand, so a publication costs one post per subscriber and no
// encoding or copy per subscriber.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "protocols/http/ws_session.hpp"

namespace signalbox::ttmnotify {

class session : public http::ws_session {
public:
  session(http::beast::tcp_stream&& stream, net_options limits,
          std::shared_ptr<http::session_registry> sessions,
          std::shared_ptr<http::ws_counters> counters, caf::actor_system& sys);

  ~session() override;

protected:
  void on_open() override;
  // Client frames are not part of the interface: well-formed ones are
  // ignored (oversized ones never get here: Beast closes with 1009).
  void on_message(std::string_view) override {}
  void on_closed() override;

private:
  /// Leaves the groups and terminates the companion (idempotent).
  void retire_companion();

  caf::actor_system& sys_;
  caf::actor companion_;
  std::vector<caf::group> groups_;
};

} // namespace signalbox::ttmnotify
