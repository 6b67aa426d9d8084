// One Engine.IO 4 session (a sid): its transport (long-polling, or a
// WebSocket after the upgrade or from the start), the outbound buffer, the
// server-side heartbeat and the upgrade from polling to WebSocket.
//
// Every session runs on its own strand, not on a connection's: the Node
// client sends each polling request on a new TCP connection, so a GET and a
// POST of one session arrive concurrently on different connections
// (docs/socketio.md). Connections post onto the session's strand.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "protocols/http/ws_session.hpp"
#include "protocols/socketio/engineio_codec.hpp"

namespace signalbox::engineio {

using http::outbound_frame;
using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

/// The Engine.IO parameters of a server (Node's defaults).
struct engine_settings {
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds upgrade_timeout{10000};
  uint64_t max_payload = 1000000;
  // The outbound buffer of a polling session; a peer that lets it fill up
  // is a slow consumer and is closed.
  size_t max_queue_bytes = 4 * 1024 * 1024;
  size_t max_queue_packets = 4096;
};

/// What the layer above (Socket.IO, or an echo) gets from a session. Every
/// call happens on the session's strand.
class socket_handler {
public:
  virtual ~socket_handler() = default;

  /// The session is open: the open packet is out.
  virtual void on_open() {}

  /// One message from the peer: the text after the `4`, or binary bytes.
  virtual void on_message(std::string_view data, bool binary) = 0;

  /// The session is over; `reason` in the Node server's words ("transport
  /// close", "ping timeout", "parse error", "server shutting down", ...).
  /// Called once.
  virtual void on_close(std::string_view reason) = 0;
};

/// How a session answers an HTTP request; the server adds the headers
/// (content type by kind, CORS) and writes it.
enum class answer_kind { payload, ok, error };

struct http_answer {
  unsigned status = 200;
  answer_kind kind = answer_kind::payload;
  std::string body;
};

using answer_callback = std::function<void(http_answer)>;

/// An answer with an Engine.IO error body.
http_answer error_answer(error_code code);

class engine_ws;
class socket_table;

class engine_socket : public std::enable_shared_from_this<engine_socket> {
public:
  engine_socket(strand_type strand, std::string sid, engine_settings settings,
                std::weak_ptr<socket_table> table);
  ~engine_socket();

  engine_socket(const engine_socket&) = delete;
  engine_socket& operator=(const engine_socket&) = delete;

  const std::string& sid() const { return sid_; }
  const strand_type& executor() const { return strand_; }

  /// Sets the layer above; before the session opens.
  void set_handler(std::shared_ptr<socket_handler> handler);

  // -- opening (on the strand) ----------------------------------------------

  /// Opened by a polling handshake: answers it with the open packet and
  /// starts the heartbeat.
  void open_polling(answer_callback answer);

  /// Opened by a WebSocket handshake: the open packet is the first frame.
  void open_websocket(std::shared_ptr<engine_ws> ws);

  // -- sending (any thread) -------------------------------------------------

  /// Sends one message packet: a text packet (`4...`, the type digit
  /// included) or binary bytes.
  void send(outbound_frame frame);

  /// The same, on the strand.
  void send_on_strand(outbound_frame frame);

  /// Closes once everything queued has gone out (a server-side disconnect
  /// after a Socket.IO `41`). Any thread.
  void close_after_flush();

  /// Closes now with `reason` (shutdown, protocol errors). Any thread.
  void close(std::string reason);

  /// The layer above has too much of this client waiting (true) or room
  /// again (false); calls nest (one per namespace). While held, the
  /// WebSocket is not read and a polling POST is answered only once
  /// released, so the client sends nothing more meanwhile. Strand only.
  void hold_input(bool held);

  // -- requests from the transports (any thread; posted onto the strand) ---

  /// A polling GET: answered when there is something to send. If its
  /// connection closes first (`watch`, may be null), the session ends with
  /// "transport error", as the Node server's "poll connection closed
  /// prematurely".
  void on_poll(answer_callback answer,
               std::shared_ptr<http::connection_watch> watch = nullptr);

  /// A polling POST with `body`.
  void on_post(std::string body, answer_callback answer);

  /// A POST whose body exceeded max-payload (the HTTP layer answers 413).
  void on_oversized_post();

  /// A WebSocket with this sid asks to take over (`2probe` follows). A
  /// session that is already on WebSocket or being upgraded refuses: the
  /// new WebSocket is closed.
  void on_probe_ws(std::shared_ptr<engine_ws> ws);

  /// A text or binary message read on WebSocket `ws`.
  void on_ws_message(const engine_ws* ws, std::string data, bool binary);

  /// WebSocket `ws` is gone.
  void on_ws_closed(const engine_ws* ws);

private:
  enum class state { opening, open, closing, closed };

  void start_heartbeat();
  void schedule_ping();
  /// The heartbeat timer fires after `delay`: the next ping, or the pong
  /// deadline.
  void arm_heartbeat(std::chrono::milliseconds delay);
  void on_heartbeat_timer();
  void handle_packet(packet&& p, bool over_polling);
  void enqueue(outbound_frame&& frame);
  /// Answers the pending GET with everything queued (plus a close packet
  /// when closing).
  void flush_poll();
  void answer_poll(http_answer answer);
  void on_probe_message(std::string data, bool binary);
  /// Answers a POST held by hold_input.
  void release_post();
  void finish_upgrade();
  void abandon_probe();
  /// Ends the session. `by_peer`: the client closed (a pending GET gets a
  /// noop); otherwise the server did (a pending GET gets a close packet).
  void terminate(std::string_view reason, bool by_peer);

  strand_type strand_;
  std::string sid_;
  engine_settings settings_;
  std::weak_ptr<socket_table> table_;
  std::shared_ptr<socket_handler> handler_;
  state state_ = state::opening;
  transport_kind transport_ = transport_kind::polling;
  std::shared_ptr<engine_ws> ws_;    // the WebSocket transport, once on it
  std::shared_ptr<engine_ws> probe_; // a WebSocket being upgraded to
  bool upgrading_ = false;           // the probe is answered, `5` is due
  std::optional<answer_callback> pending_get_;
  std::optional<answer_callback> held_post_; // answered when input is free
  uint32_t input_holds_ = 0;                 // hold_input(true) not undone
  uint64_t polls_ = 0; // GETs taken: tells a closed GET from a later one
  std::deque<outbound_frame> queue_; // polling: waiting for a GET
  size_t queued_bytes_ = 0;
  boost::asio::steady_timer heartbeat_timer_;
  bool awaiting_pong_ = false;
  boost::asio::steady_timer upgrade_timer_;
  boost::asio::steady_timer close_timer_; // a closing session waits this
                                          // long for the GET to say so
};

} // namespace signalbox::engineio
