// An Engine.IO 4 server on one path (e.g. `/socket.io/`): checks every
// request as the Node server does (transport, sid, handshake method,
// protocol version), opens sessions by polling or WebSocket handshake, and
// routes polling requests and WebSocket upgrades to their session. The
// layer above comes from `make_handler`, once per session.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/options.hpp"
#include "protocols/http/site.hpp"
#include "protocols/http/ws_session.hpp"
#include "protocols/socketio/engine_socket.hpp"
#include "protocols/socketio/socket_table.hpp"

namespace signalbox::engineio {

/// Makes the layer above for a new session.
using handler_factory = std::function<std::shared_ptr<socket_handler>(
    const std::shared_ptr<engine_socket>&)>;

/// Cross-origin access for browser clients (Node's `cors` option).
struct cors_policy {
  std::vector<std::string> origins; // "*" allows every origin

  bool allows(std::string_view origin) const;
};

class engine_server : public std::enable_shared_from_this<engine_server> {
public:
  engine_server(boost::asio::io_context& io, engine_settings settings,
                net_options limits, cors_policy cors,
                handler_factory make_handler);

  /// A plain HTTP request for this server's path.
  /// `watch` (may be null): the connection of the request, for a polling
  /// GET that waits.
  void handle(http::request_type&& req, http::response_callback respond,
              const std::shared_ptr<http::connection_watch>& watch = nullptr);

  /// A WebSocket upgrade for this server's path: takes the stream, or
  /// returns the refusal.
  std::optional<http::response_type>
  upgrade(http::wire& stream, http::request_type& req,
          const std::shared_ptr<http::session_registry>& sessions);

  /// A POST whose body exceeded the limit: its session is closed.
  void body_too_large(const http::request_type& req);

  /// Closes every session (server shutdown): pending GETs get a close
  /// packet, WebSockets a close frame. Clients reconnect.
  void close_all();

  /// Live sessions.
  size_t sessions() const { return table_->size(); }

  const engine_settings& settings() const { return settings_; }

private:
  std::shared_ptr<engine_socket> make_socket();
  http::response_type make_response(const http::request_type& req,
                                    http_answer answer) const;
  void add_cors(const http::request_type& req, http::response_type& res) const;

  boost::asio::io_context& io_;
  engine_settings settings_;
  net_options limits_;
  cors_policy cors_;
  handler_factory make_handler_;
  std::shared_ptr<socket_table> table_;
};

} // namespace signalbox::engineio
