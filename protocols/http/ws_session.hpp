// A server-side WebSocket connection with a bounded outbound queue (Beast's
// chat-multi pattern: frames queued per connection and drained in order with
// one write in flight). Frames are shared, immutable buffers: a notification
// encoded once is written to every subscriber without a copy.
//
// Back-pressure: a connection whose queue exceeds net.max-queue-bytes or
// net.max-queue-frames is a slow consumer. It is closed with 1008 "slow
// consumer" (and dropped hard if even the close cannot be written within
// net.close-timeout), so it never slows the publisher or anybody else and
// memory stays bounded.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "config/options.hpp"
#include "protocols/http/site.hpp"

namespace signalbox::http {

/// One outbound frame: bytes kept alive by `owner` (a notification, or a
/// string of the session's own), sent as a text frame unless `binary`.
struct outbound_frame {
  std::shared_ptr<const void> owner;
  std::string_view bytes;
  bool binary = false;
};

/// Counters shared by every session of a listener (metrics).
struct ws_counters {
  std::atomic<uint64_t> frames_sent{0};
  std::atomic<uint64_t> slow_consumers{0};
  std::atomic<uint64_t> oversized_messages{0};
};

class ws_session : public std::enable_shared_from_this<ws_session>,
                   public closable {
public:
  ws_session(beast::tcp_stream&& stream, net_options limits,
             std::shared_ptr<session_registry> sessions,
             std::shared_ptr<ws_counters> counters);

  ~ws_session() override;

  /// Completes the handshake, answering with `subprotocol` (if non-empty),
  /// and starts reading. Registers with the session registry first; when
  /// the listener is at its limit or shutting down, the connection is
  /// refused.
  void accept(request_type req, std::string subprotocol);

  /// Queues a frame; thread-safe (posts onto the session's strand).
  void send(outbound_frame frame);

  /// Closes with 1001 Going Away; thread-safe.
  void shutdown() override;

protected:
  /// Called on the strand once the handshake succeeded.
  virtual void on_open() {}

  /// Called on the strand for every complete text message, and for binary
  /// messages unless on_binary_message is overridden.
  virtual void on_message(std::string_view) {}

  /// Called on the strand for every complete binary message.
  virtual void on_binary_message(std::string_view data) { on_message(data); }

  /// Called on the strand once, when the connection is gone.
  virtual void on_closed() {}

  /// A last frame to send before the 1001 close of a shutdown (JMRI says
  /// goodbye); empty for none.
  virtual outbound_frame farewell() { return {}; }

  /// Closes normally (1000) once everything queued is written. Strand only.
  void close_when_drained();

  /// Closes now with `code` (queued frames are dropped). Strand only.
  void close_now(beast::websocket::close_code code, const char* reason) {
    close_with(code, reason);
  }

  /// The connection's strand.
  auto executor() { return ws_.get_executor(); }

  /// Queues a frame; must run on the strand.
  void enqueue_on_strand(outbound_frame frame) { enqueue(std::move(frame)); }

private:
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, size_t bytes);
  void enqueue(outbound_frame&& frame);
  void do_write();
  void on_write(beast::error_code ec, size_t bytes);
  /// Starts the close handshake with `code`; hard-closes the socket after
  /// the close timeout.
  void close_with(beast::websocket::close_code code, const char* reason);
  void finish();
  void arm_close_timer();

  beast::websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer read_buffer_;
  net_options limits_;
  std::shared_ptr<session_registry> sessions_;
  std::shared_ptr<ws_counters> counters_;
  boost::asio::steady_timer close_timer_;
  std::deque<outbound_frame> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool registered_ = false;
  bool draining_ = false; // close once the queue is written
  beast::websocket::close_code drain_code_ =
      beast::websocket::close_code::going_away;
};

} // namespace signalbox::http
