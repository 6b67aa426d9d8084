// The first moments of a connection on a TLS port: wait for the client's
// first bytes, and either complete the TLS handshake and hand the
// connection, as a secure wire, to the port's session, or refuse a client
// that speaks plain text there with one clear answer (an HTTP 400, a JMRI
// error) and close. The handshake has the HTTP idle timeout; failures are
// counted per listener and logged at info with their reason (a client
// certificate missing or refused, an unknown authority at the client).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/options.hpp"
#include "protocols/http/listener.hpp"
#include "protocols/http/tls_server.hpp"

namespace signalbox::http {

class tls_gate : public connection,
                 public std::enable_shared_from_this<tls_gate> {
public:
  tls_gate(boost::asio::ip::tcp::socket&& socket,
           std::shared_ptr<const tls_port> port, net_options limits,
           std::shared_ptr<session_registry> sessions, connection_factory make);
  ~tls_gate() override;

  void start() override;
  void shutdown() override;

private:
  void on_first_bytes(boost::system::error_code ec);
  void handshake();
  void refuse_plain();
  void hand_over();
  void fail(const std::string& why);
  void finish();

  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<const tls_port> port_;
  net_options limits_;
  std::shared_ptr<session_registry> sessions_;
  connection_factory make_;
  boost::asio::steady_timer timer_;
  ssl_st* ssl_ = nullptr;  // owned until handed over
  bool registered_ = true; // the listener added this gate
  bool finished_ = false;
};

} // namespace signalbox::http
