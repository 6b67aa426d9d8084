// A WebSocket carrying an Engine.IO session: one packet per message (never
// batched), text packets in text frames, binary messages in binary frames.
// It either opens a new session (`transport=websocket` without a sid), or
// is offered to an existing polling session as its upgrade (with a sid).
#pragma once

#include <atomic>
#include <memory>

#include "protocols/http/ws_session.hpp"

namespace signalbox::engineio {

class engine_socket;

class engine_ws : public http::ws_session {
public:
  enum class role {
    open_session, // the session's only transport from the start
    upgrade,      // offered to a polling session (`2probe`, `5`)
  };

  engine_ws(http::wire&& stream, net_options limits,
            std::shared_ptr<http::session_registry> sessions,
            std::shared_ptr<engine_socket> socket, role r);

  ~engine_ws() override;

  /// Closes normally once everything queued is written. Any thread.
  void close_soon();

  /// Closes at once (a refused or abandoned transport). Any thread.
  void close_at_once();

  /// Stops (true) or restarts (false) reading for the session's layer
  /// above (engine_socket::hold_input). Any thread.
  void hold_input(bool held);

protected:
  void on_open() override;
  void on_message(std::string_view text) override;
  void on_binary_message(std::string_view bytes) override;
  void on_closed() override;

private:
  std::shared_ptr<engine_ws> self_ptr();
  /// Hands a message read here to the session's strand, counted: at
  /// net.max-waiting-requests not yet handled there, reading stops.
  void hand_on(std::string data, bool binary);
  /// On the session's strand, after a message was handled.
  void handled();
  /// Pauses or resumes reading as the two holds say. Own strand.
  void apply_holds();

  std::shared_ptr<engine_socket> socket_;
  role role_;
  size_t max_unhandled_;
  // Messages posted to the session's strand and not handled there yet; the
  // session can lag behind this strand, which reads as fast as it can.
  std::atomic<size_t> unhandled_{0};
  std::atomic<bool> flow_held_{false}; // by unhandled_; set on own strand
  bool handler_held_ = false;          // by hold_input; own strand
};

} // namespace signalbox::engineio
