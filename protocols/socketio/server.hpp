// Port 5000: Socket.IO v4 at /socket.io/ with the altoponix command relay on
// the default namespace.
#pragma once

#include <memory>

#include <caf/expected.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "protocols/http/listener_handle.hpp"
#include "protocols/socketio/options.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox::http {
class tls_server;
} // namespace signalbox::http

namespace signalbox::socketio {

/// The Socket.IO listener: bound first, serving once `serve` is called.
/// stop() closes every session (clients see a transport close and
/// reconnect), then the listener.
class server : public listener_handle {
public:
  virtual void serve(caf::actor_system& sys, sio_directory_actor directory) = 0;
};

/// Binds net.address:socketio.port, with TLS when given an identity; an
/// ec::system_error naming the service when the port cannot be bound.
caf::expected<std::shared_ptr<server>>
bind_server(boost::asio::io_context& io, const net_options& net,
            const options& opts, std::shared_ptr<http::tls_server> tls);

} // namespace signalbox::socketio
