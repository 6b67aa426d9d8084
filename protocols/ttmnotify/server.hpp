// Port 1777: the ttmnotify WebSocket ("/" and "/ttmnotify") and the REST API
// ("/api/...") on one listener.
#pragma once

#include <memory>

#include <caf/expected.hpp>

#include "config/options.hpp"
#include "protocols/http/listener_handle.hpp"
#include "protocols/http/rest.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox::ttmnotify {

/// The ttm listener: bound first (so that the node knows its real port, for
/// SIGNALBOX_URL, before it spawns the jobs), serving once `serve` is called.
class server : public listener_handle {
public:
  virtual void serve(caf::actor_system& sys, http::rest_context rest) = 0;
};

/// Binds net.address:ttm.port; an ec::system_error with a clear text when
/// the port cannot be bound.
caf::expected<std::shared_ptr<server>> bind_server(boost::asio::io_context& io,
                                                   const node_options& opts);

} // namespace signalbox::ttmnotify
