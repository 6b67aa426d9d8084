// A connection's bytes: plain TCP, or TLS with OpenSSL working on the
// socket's own descriptor. Every session (HTTP, WebSocket, JMRI's raw TCP)
// reads and writes through a wire, so each protocol speaks TLS without
// knowing it.
//
// Why not asio::ssl::stream: it feeds OpenSSL through memory BIOs, which
// keeps the kernel from taking the records over (kTLS), and its synchronous
// operations lose bytes on a non-blocking socket, which the WebSocket
// session's batched writes need. Here OpenSSL owns the descriptor: a
// non-blocking call either completes or says what to wait for (readable or
// writable), and the session waits for that on its strand. The crypto is
// all OpenSSL's.
//
// Two ways in, for the two kinds of session:
//  - non-blocking calls (read_some, write_some with an iovec batch) plus
//    async_wait_readable/async_wait_writable: the WebSocket session's own
//    reactor loop;
//  - async_read_some/async_write_some: Asio's AsyncStream, so Beast's HTTP
//    parser and asio::async_write work on a wire as on a socket.
// Everything runs on the connection's strand; a wire is not thread-safe.
#pragma once

#include <memory>
#include <sys/uio.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

struct ssl_st; // OpenSSL's SSL

namespace signalbox::http {

class wire {
public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;
  using error_code = boost::system::error_code;

  /// Plain TCP.
  explicit wire(socket_type&& socket);

  /// TLS over `socket`, whose handshake `ssl` has completed (tls_gate).
  wire(socket_type&& socket, ssl_st* ssl);

  wire(wire&&) noexcept;
  wire& operator=(wire&&) noexcept;
  ~wire();

  executor_type get_executor() { return socket_.get_executor(); }
  socket_type& socket() { return socket_; }
  bool secure() const { return ssl_ != nullptr; }

  // -- non-blocking -----------------------------------------------------------

  /// Reads what is there into `buf`; would_block when nothing is, eof when
  /// the peer closed.
  size_t read_some(boost::asio::mutable_buffer buf, error_code& ec);

  /// Writes a prefix of the `count` buffers; would_block when none fits.
  /// After would_block, call again with the same bytes (more may follow
  /// them): TLS has sealed a record of them already.
  size_t write_some(const iovec* buffers, size_t count, error_code& ec);

  /// Calls `handler(error_code)` once read_some may make progress: at once
  /// (posted) when TLS holds decrypted input already.
  template <class Handler>
  void async_wait_readable(Handler&& handler) {
    if (input_buffered()) {
      boost::asio::post(
          socket_.get_executor(),
          [h = std::forward<Handler>(handler)]() mutable { h(error_code{}); });
      return;
    }
    socket_.async_wait(read_wait_, std::forward<Handler>(handler));
  }

  /// Calls `handler(error_code)` once write_some may make progress.
  template <class Handler>
  void async_wait_writable(Handler&& handler) {
    socket_.async_wait(write_wait_, std::forward<Handler>(handler));
  }

  // -- Asio's AsyncReadStream and AsyncWriteStream ----------------------------

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (!secure())
      return socket_.async_read_some(buffers, std::forward<Handler>(handler));
    return boost::asio::async_compose<Handler, void(error_code, size_t)>(
        io_op<true>{this, first_buffer(buffers), {}, false}, handler, socket_);
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (!secure())
      return socket_.async_write_some(buffers, std::forward<Handler>(handler));
    // Gather up to a record's worth into one buffer: one TLS record instead
    // of one per piece (an HTTP header and its body).
    iovec iov[max_gather];
    size_t count = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && count < max_gather;
         ++it) {
      boost::asio::const_buffer b{*it};
      if (b.size() > 0)
        iov[count++] = {const_cast<void*>(b.data()), b.size()};
    }
    return boost::asio::async_compose<Handler, void(error_code, size_t)>(
        io_op<false>{this, {}, gathered(iov, count), false}, handler, socket_);
  }

  /// What the peer did while we were not reading: closed the connection,
  /// sent more bytes (left unread), or nothing complete yet (wait for
  /// readable again). Non-blocking; reads nothing away.
  enum class peer_state { closed, data, nothing };
  peer_state peek_peer();

  /// Ends our side: TLS's close_notify (if it can be written now), then
  /// TCP's FIN. Reading goes on.
  void shutdown_send();

  /// Closes the connection (TLS state and socket).
  void close();

private:
  static constexpr size_t max_gather = 64;

  template <class MutableBuffers>
  static boost::asio::mutable_buffer first_buffer(const MutableBuffers& bs) {
    for (auto it = boost::asio::buffer_sequence_begin(bs);
         it != boost::asio::buffer_sequence_end(bs); ++it) {
      boost::asio::mutable_buffer b{*it};
      if (b.size() > 0)
        return b;
    }
    return {};
  }

  /// The pieces `iov` as a list kept by the operation (the caller's
  /// buffers stay valid until it completes, as Asio requires).
  struct gather_list {
    iovec iov[max_gather];
    size_t count = 0;
  };
  static gather_list gathered(const iovec* iov, size_t count) {
    gather_list g;
    for (size_t i = 0; i < count; ++i)
      g.iov[i] = iov[i];
    g.count = count;
    return g;
  }

  /// One TLS read or write, retried after each wait until it completes.
  /// Never completes inside the initiating call (Asio's rule): a result
  /// that is there at once is posted.
  template <bool Reading>
  struct io_op {
    wire* self_wire;
    boost::asio::mutable_buffer read_into;
    gather_list write_from;
    bool waited = false;

    template <class Self>
    void operator()(Self& self, error_code wait_ec = {}) {
      if (wait_ec) {
        self.complete(wait_ec, 0);
        return;
      }
      error_code ec;
      size_t n = 0;
      if constexpr (Reading) {
        if (read_into.size() > 0)
          n = self_wire->read_some(read_into, ec);
      } else {
        if (write_from.count > 0)
          n = self_wire->write_some(write_from.iov, write_from.count, ec);
      }
      if (ec == boost::asio::error::would_block) {
        waited = true;
        auto& socket = self_wire->socket_;
        if constexpr (Reading) {
          if (self_wire->input_buffered()) {
            boost::asio::post(socket.get_executor(), std::move(self));
            return;
          }
          socket.async_wait(self_wire->read_wait_, std::move(self));
        } else {
          socket.async_wait(self_wire->write_wait_, std::move(self));
        }
        return;
      }
      if (!waited) {
        waited = true;
        auto ex = self_wire->socket_.get_executor();
        boost::asio::post(ex, [self = std::move(self), ec, n]() mutable {
          self.complete(ec, n);
        });
        return;
      }
      self.complete(ec, n);
    }
  };

  /// Decrypted input waits inside OpenSSL (the socket may be drained).
  bool input_buffered() const;

  socket_type socket_;
  ssl_st* ssl_ = nullptr;
  // What the next wait is for: a TLS read may need the socket writable
  // (and a write readable) while keys are renegotiated.
  socket_type::wait_type read_wait_ = socket_type::wait_read;
  socket_type::wait_type write_wait_ = socket_type::wait_write;
};

} // namespace signalbox::http
