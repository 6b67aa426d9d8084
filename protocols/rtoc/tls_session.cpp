#include "protocols/rtoc/tls_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace signalbox::rtoc {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

class tls_session::adapter : public transport {
public:
  explicit adapter(std::weak_ptr<tls_session> s) : session_(std::move(s)) {
    // nop
  }

  void write(shared_frame text) override {
    if (auto s = session_.lock())
      s->write(std::move(text));
  }

  void post(std::function<void()> fn) override {
    if (auto s = session_.lock())
      s->post(std::move(fn));
  }

  void abort(const char* reason) override {
    if (auto s = session_.lock())
      s->post([s, reason] {
        s->close(websocket::close_code::policy_error, reason);
      });
  }

private:
  std::weak_ptr<tls_session> session_;
};

std::shared_ptr<asio::ssl::context>
make_tls_context(const std::string& cert_file, const std::string& key_file,
                 std::string& error) {
  auto ctx =
      std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds |
                   asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                   asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    error = "the certificate " + cert_file + " cannot be used: " + ec.message();
    return nullptr;
  }
  ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) {
    error = "the key " + key_file + " cannot be used: " + ec.message();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    error =
        "the key " + key_file + " does not match the certificate " + cert_file;
    return nullptr;
  }
  return ctx;
}

tls_session::tls_session(asio::ip::tcp::socket&& socket, net_options limits,
                         std::shared_ptr<http::session_registry> sessions,
                         std::shared_ptr<asio::ssl::context> tls,
                         std::shared_ptr<const session_settings> settings)
    : ws_(beast::tcp_stream{std::move(socket)}, *tls),
      limits_(std::move(limits)), sessions_(std::move(sessions)),
      tls_(std::move(tls)), settings_(std::move(settings)) {
  boost::system::error_code ec;
  peer_ = beast::get_lowest_layer(ws_)
              .socket()
              .remote_endpoint(ec)
              .address()
              .to_string();
}

tls_session::~tls_session() {
  sessions_->remove(this);
}

void tls_session::start() {
  asio::dispatch(ws_.get_executor(), [self = shared_from_this()] {
    // The handshakes must not hang a connection slot forever.
    beast::get_lowest_layer(self->ws_).expires_after(
        self->limits_.http_idle_timeout);
    self->ws_.next_layer().async_handshake(
        asio::ssl::stream_base::server,
        [self](beast::error_code ec) { self->on_handshake(ec); });
  });
}

void tls_session::on_handshake(beast::error_code ec) {
  if (ec) {
    finish();
    return;
  }
  ws_.read_message_max(limits_.max_frame_bytes);
  ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
    self->on_accept(ec);
  });
}

void tls_session::on_accept(beast::error_code ec) {
  if (ec) {
    finish();
    return;
  }
  // From now on the websocket's own keep-alive pings watch the peer.
  beast::get_lowest_layer(ws_).expires_never();
  auto opts =
      websocket::stream_base::timeout::suggested(beast::role_type::server);
  opts.idle_timeout = limits_.ws_idle_timeout;
  opts.keep_alive_pings = true;
  ws_.set_option(opts);
  ws_.text(true);
  conn_ = std::make_shared<rtoc::connection>(
      settings_, std::make_shared<adapter>(shared_from_this()), peer_);
  conn_->on_open();
  do_read();
}

void tls_session::do_read() {
  ws_.async_read(buffer_,
                 [self = shared_from_this()](beast::error_code ec, size_t n) {
                   self->on_read(ec, n);
                 });
}

void tls_session::on_read(beast::error_code ec, size_t) {
  if (ec) {
    finish();
    return;
  }
  if (ws_.got_text())
    conn_->on_text(beast::buffers_to_string(buffer_.data()));
  else
    conn_->on_binary();
  buffer_.consume(buffer_.size());
  do_read();
}

void tls_session::write(shared_frame text) {
  post([self = shared_from_this(), text = std::move(text)]() mutable {
    if (self->finished_ || self->closing_)
      return;
    self->queued_bytes_ += text->size();
    self->queue_.push_back(std::move(text));
    // A consumer that does not read is dropped, as on plain websockets.
    if (self->queued_bytes_ > self->limits_.max_queue_bytes ||
        self->queue_.size() > self->limits_.max_queue_frames) {
      self->close(websocket::close_code::policy_error, "slow consumer");
      return;
    }
    if (!self->writing_)
      self->do_write();
  });
}

void tls_session::do_write() {
  writing_ = true;
  auto frame = queue_.front();
  ws_.async_write(asio::buffer(*frame), [self = shared_from_this(),
                                         frame](beast::error_code ec, size_t) {
    self->queued_bytes_ -= frame->size();
    self->queue_.pop_front();
    self->writing_ = false;
    if (ec) {
      self->finish();
      return;
    }
    if (!self->queue_.empty() && !self->closing_)
      self->do_write();
  });
}

void tls_session::post(std::function<void()> fn) {
  asio::post(ws_.get_executor(), std::move(fn));
}

void tls_session::close(uint16_t code, const char* reason) {
  if (closing_ || finished_)
    return;
  closing_ = true;
  if (!conn_) {
    // Still in a handshake: nothing to say goodbye to.
    beast::get_lowest_layer(ws_).close();
    finish();
    return;
  }
  beast::get_lowest_layer(ws_).expires_after(limits_.close_timeout);
  ws_.async_close(
      websocket::close_reason{static_cast<websocket::close_code>(code), reason},
      [self = shared_from_this()](beast::error_code) { self->finish(); });
}

void tls_session::shutdown() {
  post([self = shared_from_this()] {
    self->close(websocket::close_code::going_away, "");
  });
}

void tls_session::finish() {
  if (finished_)
    return;
  finished_ = true;
  if (conn_)
    conn_->on_closed();
  conn_.reset();
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().close(ec);
  sessions_->remove(this);
}

} // namespace signalbox::rtoc
