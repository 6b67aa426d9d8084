// One HTTP connection (Beast's advanced-server pattern): reads a request
// within the configured header and body limits, hands it to the site, writes
// the answer, and loops while the connection is kept alive. WebSocket
// upgrades leave this session for the site's WebSocket session.
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include "config/options.hpp"
#include "protocols/http/site.hpp"
#include "protocols/http/wire.hpp"

namespace signalbox::http {

class http_session : public std::enable_shared_from_this<http_session>,
                     public connection {
public:
  http_session(wire&& stream, std::shared_ptr<site> s, net_options limits,
               std::shared_ptr<session_registry> sessions);

  ~http_session() override;

  /// Starts reading requests (on the session's strand).
  void start() override;

  /// Closes the connection after the response in progress, if any.
  void shutdown() override;

private:
  void do_read();
  void on_read(beast::error_code ec, size_t bytes);
  void write(response_type&& res);
  void on_write(bool keep_alive, beast::error_code ec, size_t bytes);
  /// Answers an unusable request with `status` and closes (lingering, so
  /// that the client sees the answer rather than a reset).
  void fail_request(unsigned status, std::string text);
  /// While a request is answered: notices the client closing, so that a
  /// site holding the answer back (a long poll) can let go of it.
  void watch_connection();
  void on_watched(beast::error_code ec);
  void lingering_close();
  void do_close();
  /// Closes the connection unless it makes progress within `timeout`
  /// (idle keep-alive, a slow request or reader, a lingering close).
  void arm_timer(std::chrono::milliseconds timeout);

  wire stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<site> site_;
  net_options limits_;
  std::shared_ptr<session_registry> sessions_;
  boost::asio::steady_timer timer_;
  bool busy_ = false; // a request is being answered
  bool shutting_down_ = false;
  bool upgraded_ = false; // the socket now belongs to a WebSocket
  std::shared_ptr<connection_watch> watch_; // of the request being answered
  char discard_[4096];
};

} // namespace signalbox::http
