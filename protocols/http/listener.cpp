#include "protocols/http/listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "protocols/http/http_session.hpp"
#include "protocols/http/rest_json.hpp"
#include "protocols/http/tls_gate.hpp"

namespace signalbox::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

listener::listener(asio::io_context& io, net_options limits)
    : io_(io), acceptor_(asio::make_strand(io)),
      retry_timer_(acceptor_.get_executor()), limits_(std::move(limits)),
      sessions_(std::make_shared<session_registry>(limits_.max_connections)) {
  // nop
}

std::string listener::open(const std::string& address, uint16_t port) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec)
    return "invalid address '" + address + "': " + ec.message();
  tcp::endpoint endpoint{addr, port};
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor_.bind(endpoint, ec);
  if (!ec)
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + address + ":" + std::to_string(port) + ": " +
           ec.message();
  return {};
}

tcp::endpoint listener::local_endpoint() const {
  beast::error_code ec;
  return acceptor_.local_endpoint(ec);
}

connection_factory http_connections(std::shared_ptr<site> s,
                                    net_options limits) {
  return [s, limits](wire&& w,
                     const std::shared_ptr<session_registry>& sessions) {
    return std::make_shared<http_session>(std::move(w), s, limits, sessions);
  };
}

std::string http_plain_refusal() {
  auto body = rest::encode_error(
      "this port speaks TLS: connect with https:// or wss://");
  return "HTTP/1.1 400 Bad Request\r\nServer: signalbox\r\n"
         "Content-Type: application/json\r\nConnection: close\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

void listener::run(connection_factory make) {
  asio::dispatch(acceptor_.get_executor(),
                 [self = shared_from_this(), make = std::move(make)]() mutable {
                   self->make_ = std::move(make);
                   self->do_accept();
                 });
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->retry_timer_.cancel();
    self->acceptor_.close(ignored);
  });
  sessions_->shutdown_all();
}

void listener::do_accept() {
  // Each connection gets its own strand: its handlers never run
  // concurrently, whatever the number of io threads.
  acceptor_.async_accept(
      asio::make_strand(io_),
      beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open())
    return;
  if (ec) {
    // Out of descriptors (EMFILE/ENFILE) or memory: accepting again at once
    // would fail again at once and spin this thread. Pause, let connections
    // close, then try again; the pending ones wait in the backlog.
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait(
        [self = shared_from_this()](beast::error_code timer_ec) {
          if (!timer_ec && self->acceptor_.is_open())
            self->do_accept();
        });
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  std::shared_ptr<connection> session;
  if (tls_)
    session = std::make_shared<tls_gate>(std::move(socket), tls_, limits_,
                                         sessions_, make_);
  else
    session = make_(wire{std::move(socket)}, sessions_);
  if (sessions_->add(session))
    session->start();
  // else: over the limit; the session's destructor closes the socket.
  do_accept();
}

} // namespace signalbox::http
