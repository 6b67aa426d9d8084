// A TCP listener that hands every accepted connection, on its own strand, to
// an HTTP session of one site. Enforces the connection limit and closes every
// session on stop.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/options.hpp"
#include "protocols/http/session_registry.hpp"
#include "protocols/http/site.hpp"
#include "protocols/http/wire.hpp"

namespace signalbox::http {

class tls_server;

/// Makes the connection for an accepted socket (on its own strand), plain
/// or, on a TLS port, after the handshake.
using connection_factory = std::function<std::shared_ptr<connection>(
    wire&&, const std::shared_ptr<session_registry>&)>;

/// What a TLS port needs besides its sessions.
struct tls_port {
  std::shared_ptr<tls_server> server;
  std::string service;       // the listening line's name, for log lines
  std::string plain_refusal; // bytes a plain-text client gets before the end
};

/// The answer of an HTTP port (HTTPS, WSS) to a plain-text request.
std::string http_plain_refusal();

/// The factory of HTTP connections served by `s`.
connection_factory http_connections(std::shared_ptr<site> s,
                                    net_options limits);

class listener : public std::enable_shared_from_this<listener> {
public:
  listener(boost::asio::io_context& io, net_options limits);

  /// Binds and listens on `address`:`port` (0: ephemeral). Returns an error
  /// text, or "" on success.
  std::string open(const std::string& address, uint16_t port);

  /// The bound endpoint (after open).
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  /// Starts accepting; `make` turns each accepted socket into a connection.
  void run(connection_factory make);

  /// Makes the port a TLS port; before run.
  void use_tls(std::shared_ptr<const tls_port> tls) { tls_ = std::move(tls); }
  bool secure() const { return tls_ != nullptr; }

  /// Stops accepting and shuts every live session down; thread-safe.
  void stop();

  const std::shared_ptr<session_registry>& sessions() const {
    return sessions_;
  }

private:
  void do_accept();
  void on_accept(boost::beast::error_code ec,
                 boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_; // after a failed accept
  connection_factory make_;
  net_options limits_;
  std::shared_ptr<session_registry> sessions_;
  std::shared_ptr<const tls_port> tls_; // null: plain TCP
};

} // namespace signalbox::http
