#include "protocols/http/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "protocols/http/rest_json.hpp"

namespace signalbox::http {

namespace asio = boost::asio;

response_type make_json_response(unsigned status, std::string body,
                                 unsigned version, bool keep_alive) {
  response_type res{static_cast<bhttp::status>(status), version};
  res.set(bhttp::field::server, "signalbox");
  if (!body.empty())
    res.set(bhttp::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

response_type make_upgrade_required(std::string_view what, unsigned version,
                                    bool keep_alive) {
  auto res = make_json_response(
      426,
      rest::encode_error(std::string{what} +
                         "; connect with a WebSocket client"),
      version, keep_alive);
  res.set(bhttp::field::upgrade, "websocket");
  return res;
}

http_session::http_session(wire&& stream, std::shared_ptr<site> s,
                           net_options limits,
                           std::shared_ptr<session_registry> sessions)
    : stream_(std::move(stream)), site_(std::move(s)),
      limits_(std::move(limits)), sessions_(std::move(sessions)),
      timer_(stream_.get_executor()) {
  // nop
}

http_session::~http_session() {
  sessions_->remove(this);
}

void http_session::start() {
  // The socket's executor is a strand (the listener accepts onto one); run
  // the first read there.
  asio::dispatch(stream_.get_executor(),
                 [self = shared_from_this()] { self->do_read(); });
}

void http_session::shutdown() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->shutting_down_ = true;
    // A request in progress still gets its answer; the connection closes
    // after it (on_write sees shutting_down_).
    if (!self->busy_ && !self->upgraded_)
      self->do_close();
  });
}

void http_session::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_body_bytes);
  arm_timer(limits_.http_idle_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::arm_timer(std::chrono::milliseconds timeout) {
  // Closing the socket ends the read or write in progress, whose handler
  // then ends the session.
  timer_.expires_after(timeout);
  timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec)
      self->do_close();
  });
}

void http_session::on_read(beast::error_code ec, size_t) {
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::operation_aborted ||
      ec == asio::error::bad_descriptor ||
      ec == asio::error::connection_reset) {
    do_close();
    return;
  }
  if (ec == bhttp::error::body_limit) {
    site_->body_too_large(parser_->get());
    fail_request(413, "request body exceeds the limit of " +
                          std::to_string(limits_.max_body_bytes) + " bytes");
    return;
  }
  if (ec == bhttp::error::header_limit) {
    fail_request(431, "request header exceeds the limit of " +
                          std::to_string(limits_.max_header_bytes) + " bytes");
    return;
  }
  if (ec) {
    fail_request(400, "malformed HTTP request: " + ec.message());
    return;
  }
  if (shutting_down_) {
    do_close();
    return;
  }
  if (beast::websocket::is_upgrade(parser_->get())) {
    auto req = parser_->release();
    // The timer would otherwise still run against the WebSocket.
    timer_.cancel();
    // The WebSocket session registers itself; this one is about to end.
    sessions_->remove(this);
    auto refusal = site_->upgrade(stream_, req, sessions_);
    if (refusal) {
      refusal->keep_alive(false);
      write(std::move(*refusal));
      return;
    }
    upgraded_ = true;
    return;
  }
  busy_ = true;
  auto version = parser_->get().version();
  auto keep_alive = parser_->get().keep_alive();
  watch_ = std::make_shared<connection_watch>();
  site_->handle(
      parser_->release(),
      [self = shared_from_this(), version,
       keep_alive](response_type res) mutable {
        res.version(version);
        res.keep_alive(keep_alive && res.keep_alive());
        asio::post(self->stream_.get_executor(),
                   [self, res = std::move(res)]() mutable {
                     self->write(std::move(res));
                   });
      },
      watch_);
  if (busy_)
    watch_connection();
}

void http_session::watch_connection() {
  stream_.socket().async_wait(
      asio::ip::tcp::socket::wait_read,
      [weak = weak_from_this(), watch = watch_](beast::error_code ec) {
        auto self = weak.lock();
        // Answered meanwhile (the next request is being read), or gone.
        if (!self || self->watch_ != watch)
          return;
        self->on_watched(ec);
      });
}

void http_session::on_watched(beast::error_code ec) {
  auto state = ec ? wire::peer_state::closed : stream_.peek_peer();
  switch (state) {
  case wire::peer_state::nothing:
    watch_connection();
    return;
  case wire::peer_state::data:
    // A pipelined request: it waits for its turn, unwatched.
    return;
  case wire::peer_state::closed: {
    auto watch = std::move(watch_);
    watch->closed();
    do_close();
    return;
  }
  }
}

void http_session::write(response_type&& res) {
  watch_.reset(); // answered: the watch's wait no longer matters
  if (shutting_down_)
    res.keep_alive(false);
  auto keep_alive = res.keep_alive();
  auto msg = std::make_shared<response_type>(std::move(res));
  arm_timer(limits_.http_idle_timeout);
  bhttp::async_write(stream_, *msg,
                     [self = shared_from_this(), msg,
                      keep_alive](beast::error_code ec, size_t bytes) {
                       self->on_write(keep_alive, ec, bytes);
                     });
}

void http_session::on_write(bool keep_alive, beast::error_code ec, size_t) {
  busy_ = false;
  if (ec) {
    do_close();
    return;
  }
  if (!keep_alive || shutting_down_) {
    lingering_close();
    return;
  }
  do_read();
}

void http_session::fail_request(unsigned status, std::string text) {
  busy_ = true;
  write(make_json_response(status, rest::encode_error(text), 11, false));
}

void http_session::lingering_close() {
  // Half-close, then read and discard until the client closes too (or the
  // close timeout passes): closing with unread request bytes pending would
  // make the kernel send a reset that can destroy the answer in flight.
  stream_.shutdown_send();
  arm_timer(limits_.close_timeout);
  struct drain {
    std::shared_ptr<http_session> self;
    void operator()(beast::error_code ec = {}, size_t = 0) {
      if (ec) {
        self->timer_.cancel();
        self->do_close();
        return;
      }
      self->stream_.socket().async_read_some(asio::buffer(self->discard_),
                                             std::move(*this));
    }
  };
  drain{shared_from_this()}();
}

void http_session::do_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

} // namespace signalbox::http
