// The JMRI JSON listeners: WebSocket /json/ on jmri.port (12080) and the raw
// TCP JSON stream on jmri.tcp-port (2056), both speaking to the node's
// jmri_directory.
#pragma once

#include <memory>
#include <vector>

#include <caf/expected.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "protocols/http/listener_handle.hpp"
#include "protocols/jmri/options.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox::http {
class tls_server;
} // namespace signalbox::http

namespace signalbox::jmri {

/// The two JMRI listeners, bound first and serving once `serve` is called.
class servers {
public:
  virtual ~servers() = default;
  virtual std::vector<std::shared_ptr<listener_handle>> listeners() = 0;
  virtual void serve(caf::actor_system& sys,
                     jmri_directory_actor directory) = 0;
};

/// Binds both ports, each with TLS when given an identity; an
/// ec::system_error naming the port when one cannot be bound.
caf::expected<std::shared_ptr<servers>>
bind_servers(boost::asio::io_context& io, const net_options& net,
             const options& opts, std::shared_ptr<http::tls_server> ws_tls,
             std::shared_ptr<http::tls_server> tcp_tls);

} // namespace signalbox::jmri
