// An RTOC connection over TLS on the RTOC port (rtoc.tls-cert and
// rtoc.tls-key, as RTOC's websocket.ssl): the TLS handshake, then the
// websocket handshake and frames with Beast's websocket stream over
// OpenSSL (through Asio's ssl::stream). TLS connections are few, so they
// use Beast's stream rather than signalbox's own batched framing, which
// writes the socket directly.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "config/options.hpp"
#include "protocols/http/session_registry.hpp"
#include "protocols/rtoc/connection.hpp"

namespace signalbox::rtoc {

/// The server's TLS context from a PEM certificate (chain) and key; an
/// error text when they cannot be used.
std::shared_ptr<boost::asio::ssl::context>
make_tls_context(const std::string& cert_file, const std::string& key_file,
                 std::string& error);

class tls_session : public http::connection,
                    public std::enable_shared_from_this<tls_session> {
public:
  tls_session(boost::asio::ip::tcp::socket&& socket, net_options limits,
              std::shared_ptr<http::session_registry> sessions,
              std::shared_ptr<boost::asio::ssl::context> tls,
              std::shared_ptr<const session_settings> settings);
  ~tls_session() override;

  void start() override;
  void shutdown() override;

  /// Queues a text frame; any thread.
  void write(shared_frame text);

  /// Runs `fn` on the strand; any thread.
  void post(std::function<void()> fn);

  /// Closes with `code`; on the strand.
  void close(uint16_t code, const char* reason);

private:
  class adapter;
  using ws_stream = boost::beast::websocket::stream<
      boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  void on_handshake(boost::beast::error_code ec);
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t n);
  void do_write();
  void finish();

  ws_stream ws_;
  net_options limits_;
  std::shared_ptr<http::session_registry> sessions_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<const session_settings> settings_;
  std::string peer_;
  boost::beast::flat_buffer buffer_;
  std::deque<shared_frame> queue_; // strand only
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::shared_ptr<rtoc::connection> conn_;
};

} // namespace signalbox::rtoc
