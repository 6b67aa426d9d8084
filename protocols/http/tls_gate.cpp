#include "protocols/http/tls_gate.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "config/tls_files.hpp"
#include "core/log.hpp"
#include "protocols/http/wire.hpp"

namespace signalbox::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// A TLS connection starts with a handshake record.
constexpr unsigned char tls_handshake_record = 0x16;

/// Why a handshake failed: OpenSSL's reason, else the peer just left.
std::string last_tls_reason() {
  return openssl_reason("the connection ended");
}

} // namespace

tls_gate::tls_gate(tcp::socket&& socket, std::shared_ptr<const tls_port> port,
                   net_options limits,
                   std::shared_ptr<session_registry> sessions,
                   connection_factory make)
    : socket_(std::move(socket)), port_(std::move(port)),
      limits_(std::move(limits)), sessions_(std::move(sessions)),
      make_(std::move(make)), timer_(socket_.get_executor()) {
  // nop
}

tls_gate::~tls_gate() {
  if (ssl_ != nullptr)
    SSL_free(ssl_);
  if (registered_)
    sessions_->remove(this);
}

void tls_gate::start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->socket_.non_blocking(true, ec);
    // A client that never completes the handshake must not keep a
    // connection slot.
    self->timer_.expires_after(self->limits_.http_idle_timeout);
    self->timer_.async_wait(
        [weak = self->weak_from_this()](boost::system::error_code timer_ec) {
          if (auto gate = weak.lock(); gate && !timer_ec)
            gate->fail("the TLS handshake timed out");
        });
    self->socket_.async_wait(tcp::socket::wait_read,
                             [self](boost::system::error_code wait_ec) {
                               self->on_first_bytes(wait_ec);
                             });
  });
}

void tls_gate::shutdown() {
  asio::post(socket_.get_executor(),
             [self = shared_from_this()] { self->finish(); });
}

void tls_gate::on_first_bytes(boost::system::error_code ec) {
  if (finished_)
    return;
  if (ec) {
    finish();
    return;
  }
  unsigned char first = 0;
  auto n = ::recv(socket_.native_handle(), &first, 1, MSG_PEEK);
  if (n <= 0) {
    finish(); // closed before saying anything
    return;
  }
  if (first != tls_handshake_record) {
    refuse_plain();
    return;
  }
  ssl_ = port_->server->new_connection();
  if (ssl_ == nullptr || SSL_set_fd(ssl_, socket_.native_handle()) != 1) {
    fail("cannot start TLS: " + last_tls_reason());
    return;
  }
  handshake();
}

void tls_gate::handshake() {
  ERR_clear_error();
  auto ret = SSL_accept(ssl_);
  if (ret == 1) {
    hand_over();
    return;
  }
  auto err = SSL_get_error(ssl_, ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    auto wait = err == SSL_ERROR_WANT_READ ? tcp::socket::wait_read
                                           : tcp::socket::wait_write;
    socket_.async_wait(
        wait, [self = shared_from_this()](boost::system::error_code wait_ec) {
          if (self->finished_)
            return;
          if (wait_ec)
            self->finish();
          else
            self->handshake();
        });
    return;
  }
  std::string why = err == SSL_ERROR_SYSCALL ? "the client closed during the "
                                               "TLS handshake"
                                             : last_tls_reason();
  ERR_clear_error();
  fail("TLS handshake failed: " + why);
}

void tls_gate::refuse_plain() {
  // One answer the client can read, then the end. The bytes fit any
  // socket buffer; a client that does not read them loses nothing else.
  sessions_->counters().tls_failures.add();
  const auto& text = port_->plain_refusal;
  if (!text.empty()) [[maybe_unused]]
    auto n =
        ::send(socket_.native_handle(), text.data(), text.size(), MSG_NOSIGNAL);
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  timer_.expires_after(limits_.close_timeout);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto gate = weak.lock(); gate && !ec)
      gate->finish();
  });
  // Wait for the client to close (or the timer): closing with its request
  // unread would reset the connection and could destroy the answer.
  struct drain {
    std::shared_ptr<tls_gate> self;
    void operator()(boost::system::error_code ec = {}) {
      if (self->finished_)
        return;
      if (ec) {
        self->finish();
        return;
      }
      char discard[512];
      boost::system::error_code read_ec;
      auto n = self->socket_.read_some(asio::buffer(discard), read_ec);
      if (read_ec && read_ec != asio::error::would_block) {
        self->finish();
        return;
      }
      (void)n;
      self->socket_.async_wait(tcp::socket::wait_read, std::move(*this));
    }
  };
  drain{shared_from_this()}();
}

void tls_gate::hand_over() {
  timer_.cancel();
  finished_ = true;
  auto ssl = std::exchange(ssl_, nullptr);
  // The session registers in place of the gate (as a WebSocket does after
  // its upgrade).
  sessions_->remove(this);
  registered_ = false;
  auto session = make_(wire{std::move(socket_), ssl}, sessions_);
  if (sessions_->add(session))
    session->start();
}

void tls_gate::fail(const std::string& why) {
  if (finished_)
    return;
  sessions_->counters().tls_failures.add();
  boost::system::error_code ec;
  auto peer = socket_.remote_endpoint(ec);
  log::info(port_->service + ": " +
            (ec ? "a client" : peer.address().to_string()) + ": " + why);
  finish();
}

void tls_gate::finish() {
  if (finished_)
    return;
  finished_ = true;
  timer_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (registered_) {
    sessions_->remove(this);
    registered_ = false;
  }
}

} // namespace signalbox::http
