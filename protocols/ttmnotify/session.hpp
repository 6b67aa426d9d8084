// A ttmnotify WebSocket client: server -> client only. Notifications reach
// it through the listener's fan-out (fanout.hpp), already framed, and are
// queued without a copy; client messages are not part of the interface.
#pragma once

#include <memory>

#include "actors/notification.hpp"
#include "protocols/http/ws_session.hpp"

namespace signalbox::ttmnotify {

class fanout;

class session : public http::ws_session {
public:
  session(http::beast::tcp_stream&& stream, net_options limits,
          std::shared_ptr<http::session_registry> sessions,
          std::shared_ptr<http::ws_counters> counters,
          std::shared_ptr<fanout> hub);

  ~session() override;

  /// Queues `frame` (the whole WebSocket frame of `event`); any thread.
  /// Returns the session when its write must be started (flush_soon).
  std::shared_ptr<ws_session> deliver(const notification_ptr& event,
                                      const std::string& frame) {
    return queue_frame({event, frame, false, true});
  }

protected:
  void on_open() override;
  // Client frames are not part of the interface: well-formed ones are
  // ignored (oversized ones never get here: they fail with 1009).
  void on_message(std::string_view) override {}
  void on_closed() override;

private:
  std::shared_ptr<fanout> hub_;
};

} // namespace signalbox::ttmnotify
