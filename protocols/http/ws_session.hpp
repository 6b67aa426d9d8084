// A server-side WebSocket connection with a bounded outbound queue, framed by
// signalbox itself (ws_frame_codec.hpp says why Beast's stream is not used).
//
// Writes: frames are shared, immutable buffers. Any thread may queue one
// (`send`): it is appended under a short lock, and only when the connection
// is not already writing is a flush posted onto its strand. The flush writes
// every frame queued by then with one sendmsg (up to IOV_MAX buffers), so a
// connection that falls behind catches up in large writes instead of one
// syscall per frame, and a publisher never waits for the socket.
//
// Back-pressure: a connection whose queue exceeds net.max-queue-bytes or
// net.max-queue-frames is a slow consumer. It is closed with 1008 "slow
// consumer" (and dropped hard if even the close cannot be written within
// net.close-timeout), so it never slows the publisher or anybody else and
// memory stays bounded.
//
// Reads: the socket is polled for readability and read without a buffer of
// its own until data arrives, so an idle subscriber costs no read buffer.
// Pings are answered, the peer's close is echoed, protocol errors fail the
// connection with the RFC's close codes, and a peer silent for
// net.ws-idle-timeout (pinged halfway) is dropped. A subclass whose peer
// sends faster than the node answers pauses reading (pause_reading): the
// frames already read wait in the buffer, and TCP slows the peer down.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "config/options.hpp"
#include "protocols/http/site.hpp"
#include "protocols/http/ws_frame_codec.hpp"

namespace signalbox::http {

/// One outbound message: bytes kept alive by `owner` (a notification, or a
/// string of the session's own), sent as a text frame unless `binary`.
/// `framed`: `bytes` is already a whole frame (ws::make_frame), framed once
/// for every connection it goes to, and is written as it is.
struct outbound_frame {
  std::shared_ptr<const void> owner;
  std::string_view bytes;
  bool binary = false;
  bool framed = false;
};

class ws_session : public std::enable_shared_from_this<ws_session>,
                   public closable {
public:
  ws_session(wire&& stream, net_options limits,
             std::shared_ptr<session_registry> sessions);

  ~ws_session() override;

  /// Completes the handshake, answering with `subprotocol` (if non-empty),
  /// and starts reading. Registers with the session registry first; when
  /// the listener is at its limit or shutting down, the connection is
  /// refused. A request that is no valid opening handshake is answered
  /// with 400 (426 for a version other than 13) and closed.
  void accept(request_type req, std::string subprotocol);

  /// Queues a frame; thread-safe.
  void send(outbound_frame frame);

  /// Queues a frame like send, but leaves starting the write to the caller:
  /// when this returns a session, call its flush_soon() (from any thread,
  /// best from the io thread). A publisher fanning out to many sessions
  /// collects them and hands the io thread one task for all, instead of
  /// waking it once per session.
  std::shared_ptr<ws_session> queue_frame(outbound_frame frame);

  /// Starts writing what is queued; see queue_frame.
  void flush_soon();

  /// Closes with 1001 Going Away; thread-safe.
  void shutdown() override;

  /// Bytes queued and not yet written (metrics); thread-safe.
  size_t queued_bytes() const override;

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
  void close_now(uint16_t code, const char* reason) {
    close_with(code, reason);
  }

  /// The connection's strand.
  auto executor() { return wire_.get_executor(); }

  /// Queues a frame; must run on the strand.
  void enqueue_on_strand(outbound_frame frame) { send(std::move(frame)); }

  /// Stops handing messages on and reading the socket: the peer's requests
  /// wait for the node (request_queue). What was read stays in the buffer.
  /// A paused peer is not idle: the keep-alive leaves it alone. Strand only.
  void pause_reading();

  /// Hands on what was read and reads again; posts, so it may be called
  /// from inside on_message. Strand only.
  void resume_reading();

private:
  /// A frame in the queue, with the header it is written with.
  struct queued {
    outbound_frame frame;
    char header[ws::max_header_bytes];
    uint8_t header_size = 0;
    bool ends_output = false; // a close frame or a refusal: nothing follows
    size_t size() const { return header_size + frame.bytes.size(); }
  };

  // Reading.
  void start_reading();
  void wait_readable();
  void on_readable(beast::error_code ec);
  /// After a pause or a yield: the buffered frames first, then the socket.
  void continue_reading();
  /// Posts continue_reading when handle_input left frames for the next
  /// turn; true if it did.
  bool yield_if_backlog();
  /// Handles every complete frame in the read buffer; false once the
  /// connection is finished.
  bool handle_input();
  void on_peer_close(uint16_t code, std::string_view reason);

  // Writing.
  /// Appends under the lock; the session when a flush must be scheduled
  /// (none is under way), else nothing (also when the connection takes no
  /// more).
  std::shared_ptr<ws_session> push(queued&& entry);
  /// Queues a control frame or raw bytes of the session's own.
  void push_own(std::string bytes, bool ends_output);
  void schedule_flush(std::shared_ptr<ws_session> self);
  void flush();
  void on_written(size_t bytes);
  void on_output_ended();
  void drop_pending();

  void close_with(uint16_t code, const char* reason);
  void arm_keepalive();
  void arm_close_timer();
  void finish();

  wire wire_; // plain or TLS
  beast::flat_buffer read_buffer_;
  ws::frame_parser parser_;
  net_options limits_;
  std::shared_ptr<session_registry> sessions_;
  connection_counters& counters_;   // the listener's, kept by sessions_
  boost::asio::steady_timer timer_; // keep-alive, then the close timeout

  // Shared with the threads that queue frames: guarded by mutex_.
  mutable std::mutex mutex_;
  std::vector<queued> pending_;
  size_t queued_bytes_ = 0;    // pending_ + batch_ not yet written
  size_t queued_frames_ = 0;   // likewise
  bool flushing_ = false;      // a flush is posted or under way
  bool accepting_ = false;     // false once closing: frames are dropped
  bool output_closed_ = false; // the last entry (a close) is queued

  // Strand only.
  std::vector<queued> batch_; // taken from pending_, being written
  size_t batch_next_ = 0;     // first entry of batch_ not completely written
  size_t batch_offset_ = 0;   // bytes of it already written
  bool open_ = false;
  bool closing_ = false; // the close frame is queued (or refused)
  bool output_ended_ = false;
  bool peer_closed_ = false; // the peer's close frame arrived
  bool discard_input_ = false;
  bool failed_ = false; // a protocol error: the close is not answered
  bool finished_ = false;
  bool registered_ = false;
  bool draining_ = false; // close once the queue is written
  bool heard_ = false;    // something arrived since the last keep-alive tick
  bool pinged_ = false;   // a keep-alive ping is unanswered
  bool reading_paused_ = false; // pause_reading: the node is behind
  bool read_pending_ = false;   // a wait for readability is under way
  bool input_backlog_ = false;  // handle_input yielded with frames left
  uint16_t drain_code_ = ws::close_code::going_away;
};

} // namespace signalbox::http
