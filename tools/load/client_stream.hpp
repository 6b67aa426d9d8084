// A simulated client's connection: plain TCP, or TLS over it when the
// scenario says "tls": true (ttmnotify subscribers and REST writers). TLS
// goes through Asio's ssl::stream: on the client side nothing needs more,
// and the generator verifies no certificate (it measures the node; it
// trusts it).
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace signalbox::load {

/// The one client TLS context of the process: set once (before clients
/// connect) by the runner for a TLS scenario; null means plain TCP.
boost::asio::ssl::context* client_tls();
void enable_client_tls();

class client_stream {
public:
  using tcp_stream = boost::beast::tcp_stream;
  using executor_type = tcp_stream::executor_type;

  /// Plain or TLS, as client_tls() says now.
  explicit client_stream(executor_type ex);

  executor_type get_executor() { return tcp().get_executor(); }

  /// The TCP layer: connect, timeouts, the socket.
  tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }

  bool secure() const { return tls_ != nullptr; }

  /// The TLS handshake after the connect; at once (posted) when plain.
  template <class Handler>
  void async_handshake(Handler&& handler) {
    if (tls_) {
      tls_->async_handshake(boost::asio::ssl::stream_base::client,
                            std::forward<Handler>(handler));
      return;
    }
    boost::asio::post(get_executor(),
                      [h = std::forward<Handler>(handler)]() mutable {
                        h(boost::system::error_code{});
                      });
  }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_)
      return tls_->async_read_some(buffers, std::forward<Handler>(handler));
    return plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_)
      return tls_->async_write_some(buffers, std::forward<Handler>(handler));
    return plain_->async_write_some(buffers, std::forward<Handler>(handler));
  }

  /// Closes the socket (no close_notify: the generator just lets go).
  void close() {
    boost::system::error_code ignored;
    tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                            ignored);
    tcp().close();
  }

private:
  std::optional<tcp_stream> plain_;
  std::unique_ptr<boost::asio::ssl::stream<tcp_stream>> tls_;
};

} // namespace signalbox::load
