// A JMRI JSON client over WebSocket (ws://HOST:12080/json/): each text
// message is one JSON text for the connection logic (connection.hpp). A
// connection silent for longer than the heartbeat interval x 1.1 is closed,
// as JMRI's Jetty idle timeout does.
#pragma once

#include <chrono>

#include <boost/asio/steady_timer.hpp>

#include "protocols/http/ws_session.hpp"
#include "protocols/jmri/connection.hpp"

namespace signalbox::jmri {

class ws_session : public http::ws_session {
public:
  ws_session(http::wire&& stream, net_options limits,
             std::shared_ptr<http::session_registry> sessions,
             caf::actor_system& sys, jmri_directory_actor directory,
             connection_settings settings);

protected:
  void on_open() override;
  void on_message(std::string_view text) override;
  void on_closed() override;
  http::outbound_frame farewell() override;

private:
  class adapter;
  void pause();
  void resume();
  using clock = std::chrono::steady_clock;
  /// Starts the heartbeat timeout from now.
  void arm_idle_timer();
  /// Closes after `delay` unless the client spoke meanwhile.
  void wait_idle(clock::duration delay);

  caf::actor_system& sys_;
  jmri_directory_actor directory_;
  connection_settings settings_;
  std::shared_ptr<connection> conn_;
  boost::asio::steady_timer idle_timer_;
  clock::time_point last_heard_; // the last message
};

} // namespace signalbox::jmri
