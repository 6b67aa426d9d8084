#include "protocols/http/wire.hpp"

#include <algorithm>
#include <cerrno>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace signalbox::http {

namespace asio = boost::asio;

namespace {

/// Bytes sealed per SSL_write: four full records. More would only hold the
/// strand longer; a batch larger than this takes several calls.
constexpr size_t write_chunk = 64 * 1024;

/// The record's plaintext, gathered from the batch. Per thread: OpenSSL
/// copies what it seals, and a retry after would_block gathers the same
/// bytes again (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
thread_local char gather_space[write_chunk];

} // namespace

wire::wire(socket_type&& socket) : socket_(std::move(socket)) {
  error_code ignored;
  socket_.non_blocking(true, ignored);
}

wire::wire(socket_type&& socket, ssl_st* ssl)
    : socket_(std::move(socket)), ssl_(ssl) {
  error_code ignored;
  socket_.non_blocking(true, ignored);
}

wire::wire(wire&& other) noexcept
    : socket_(std::move(other.socket_)),
      ssl_(std::exchange(other.ssl_, nullptr)), read_wait_(other.read_wait_),
      write_wait_(other.write_wait_) {
  // nop
}

wire& wire::operator=(wire&& other) noexcept {
  if (this != &other) {
    close();
    socket_ = std::move(other.socket_);
    ssl_ = std::exchange(other.ssl_, nullptr);
    read_wait_ = other.read_wait_;
    write_wait_ = other.write_wait_;
  }
  return *this;
}

wire::~wire() {
  if (ssl_ != nullptr)
    SSL_free(ssl_);
}

bool wire::input_buffered() const {
  return ssl_ != nullptr && SSL_has_pending(ssl_) == 1;
}

namespace {

/// What a failed TLS call means for the caller, and which way to wait when
/// it is worth retrying.
wire::error_code tls_failure(SSL* ssl, int ret,
                             wire::socket_type::wait_type& wait) {
  switch (SSL_get_error(ssl, ret)) {
  case SSL_ERROR_WANT_READ:
    wait = wire::socket_type::wait_read;
    return asio::error::would_block;
  case SSL_ERROR_WANT_WRITE:
    wait = wire::socket_type::wait_write;
    return asio::error::would_block;
  case SSL_ERROR_ZERO_RETURN: // close_notify, or EOF (IGNORE_UNEXPECTED_EOF)
    return asio::error::eof;
  case SSL_ERROR_SYSCALL: {
    auto code = errno;
    ERR_clear_error();
    if (code == 0)
      return asio::error::eof;
    return {code, boost::system::system_category()};
  }
  default: {
    auto code = ERR_get_error();
    ERR_clear_error();
    return {static_cast<int>(code), asio::error::get_ssl_category()};
  }
  }
}

} // namespace

size_t wire::read_some(asio::mutable_buffer buf, error_code& ec) {
  ec = {};
  if (ssl_ == nullptr)
    return socket_.read_some(buf, ec);
  ERR_clear_error();
  size_t n = 0;
  auto ret = SSL_read_ex(ssl_, buf.data(), buf.size(), &n);
  if (ret == 1) {
    read_wait_ = socket_type::wait_read;
    return n;
  }
  ec = tls_failure(ssl_, ret, read_wait_);
  return 0;
}

size_t wire::write_some(const iovec* buffers, size_t count, error_code& ec) {
  ec = {};
  if (ssl_ == nullptr) {
    msghdr msg{};
    msg.msg_iov = const_cast<iovec*>(buffers);
    msg.msg_iovlen = count;
    for (;;) {
      auto n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL);
      if (n >= 0)
        return static_cast<size_t>(n);
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        ec = asio::error::would_block;
      else
        ec = {errno, boost::system::system_category()};
      return 0;
    }
  }
  size_t size = 0;
  for (size_t i = 0; i < count && size < write_chunk; ++i) {
    auto take = std::min(buffers[i].iov_len, write_chunk - size);
    std::copy_n(static_cast<const char*>(buffers[i].iov_base), take,
                gather_space + size);
    size += take;
  }
  if (size == 0)
    return 0;
  ERR_clear_error();
  size_t n = 0;
  auto ret = SSL_write_ex(ssl_, gather_space, size, &n);
  if (ret == 1) {
    write_wait_ = socket_type::wait_write;
    return n;
  }
  ec = tls_failure(ssl_, ret, write_wait_);
  return 0;
}

wire::peer_state wire::peek_peer() {
  if (ssl_ == nullptr) {
    char byte = 0;
    auto n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0)
      return peer_state::data;
    if (n == 0)
      return peer_state::closed;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
               ? peer_state::nothing
               : peer_state::closed;
  }
  // TLS: a close_notify, a reset or EOF ends it; a record of data stays in
  // OpenSSL for the next read.
  ERR_clear_error();
  char byte = 0;
  size_t n = 0;
  auto ret = SSL_peek_ex(ssl_, &byte, 1, &n);
  if (ret == 1)
    return peer_state::data;
  auto ec = tls_failure(ssl_, ret, read_wait_);
  return ec == asio::error::would_block ? peer_state::nothing
                                        : peer_state::closed;
}

void wire::shutdown_send() {
  error_code ignored;
  if (ssl_ != nullptr) {
    // Best effort: a close_notify that does not fit now is skipped, the
    // FIN still says we are done (peers accept that, OpenSSL included with
    // SSL_OP_IGNORE_UNEXPECTED_EOF).
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
  }
  socket_.shutdown(socket_type::shutdown_send, ignored);
}

void wire::close() {
  error_code ignored;
  socket_.close(ignored);
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
}

} // namespace signalbox::http
