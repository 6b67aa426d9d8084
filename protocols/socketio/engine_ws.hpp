// A WebSocket carrying an Engine.IO session: one packet per message (never
// batched), text packets in text frames, binary messages in binary frames.
// It either opens a new session (`transport=websocket` without a sid), or
// is offered to an existing polling session as its upgrade (with a sid).
#pragma once

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

protected:
  void on_open() override;
  void on_message(std::string_view text) override;
  void on_binary_message(std::string_view bytes) override;
  void on_closed() override;

private:
  std::shared_ptr<engine_ws> self_ptr();

  std::shared_ptr<engine_socket> socket_;
  role role_;
};

} // namespace signalbox::engineio
