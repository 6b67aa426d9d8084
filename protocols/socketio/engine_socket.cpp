#include "protocols/socketio/engine_socket.hpp"

#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "protocols/socketio/engine_ws.hpp"
#include "protocols/socketio/socket_table.hpp"

namespace signalbox::engineio {

namespace asio = boost::asio;

namespace {

/// A text packet of the session's own (open, ping, noop, close, probe).
outbound_frame own_frame(std::string text) {
  auto owner = std::make_shared<const std::string>(std::move(text));
  std::string_view bytes{*owner};
  return {std::move(owner), bytes, false};
}

const std::string noop_text{"6"};
const std::string close_text{"1"};

} // namespace

http_answer error_answer(error_code code) {
  return {error_status(code), answer_kind::error, error_body(code)};
}

engine_socket::engine_socket(strand_type strand, std::string sid,
                             engine_settings settings,
                             std::weak_ptr<socket_table> table)
    : strand_(std::move(strand)), sid_(std::move(sid)),
      settings_(std::move(settings)), table_(std::move(table)),
      heartbeat_timer_(strand_), upgrade_timer_(strand_),
      close_timer_(strand_) {
  // nop
}

engine_socket::~engine_socket() = default;

void engine_socket::set_handler(std::shared_ptr<socket_handler> handler) {
  handler_ = std::move(handler);
}

// -- opening ------------------------------------------------------------------

void engine_socket::open_polling(answer_callback answer) {
  transport_ = transport_kind::polling;
  state_ = state::open;
  handshake h;
  h.sid = sid_;
  h.can_upgrade = true;
  h.ping_interval = settings_.ping_interval;
  h.ping_timeout = settings_.ping_timeout;
  h.max_payload = settings_.max_payload;
  answer({200, answer_kind::payload, open_packet(h)});
  start_heartbeat();
  if (handler_)
    handler_->on_open();
}

void engine_socket::open_websocket(std::shared_ptr<engine_ws> ws) {
  if (state_ != state::opening) {
    ws->close_at_once();
    return;
  }
  transport_ = transport_kind::websocket;
  state_ = state::open;
  ws_ = std::move(ws);
  handshake h;
  h.sid = sid_;
  h.can_upgrade = false;
  h.ping_interval = settings_.ping_interval;
  h.ping_timeout = settings_.ping_timeout;
  h.max_payload = settings_.max_payload;
  ws_->send(own_frame(open_packet(h)));
  start_heartbeat();
  if (handler_)
    handler_->on_open();
}

// -- heartbeat ----------------------------------------------------------------

void engine_socket::start_heartbeat() {
  schedule_ping();
}

void engine_socket::schedule_ping() {
  awaiting_pong_ = false;
  arm_heartbeat(settings_.ping_interval);
}

void engine_socket::arm_heartbeat(std::chrono::milliseconds delay) {
  heartbeat_timer_.expires_after(delay);
  heartbeat_timer_.async_wait(
      [weak = weak_from_this()](boost::system::error_code ec) {
        if (ec)
          return;
        if (auto self = weak.lock())
          self->on_heartbeat_timer();
      });
}

void engine_socket::on_heartbeat_timer() {
  if (state_ != state::open)
    return;
  if (awaiting_pong_) {
    terminate("ping timeout", false);
    return;
  }
  // As the Node server: the pong deadline starts when the ping is queued,
  // whether or not a GET is there to carry it.
  static const std::string ping_text{"2"};
  enqueue({nullptr, ping_text, false});
  awaiting_pong_ = true;
  arm_heartbeat(settings_.ping_timeout);
}

// -- sending ------------------------------------------------------------------

void engine_socket::send(outbound_frame frame) {
  asio::post(strand_,
             [self = shared_from_this(), frame = std::move(frame)]() mutable {
               self->enqueue(std::move(frame));
             });
}

void engine_socket::send_on_strand(outbound_frame frame) {
  enqueue(std::move(frame));
}

void engine_socket::enqueue(outbound_frame&& frame) {
  if (state_ != state::open)
    return;
  if (transport_ == transport_kind::websocket) {
    ws_->send(std::move(frame));
    return;
  }
  if (queue_.size() >= settings_.max_queue_packets ||
      queued_bytes_ + frame.bytes.size() > settings_.max_queue_bytes) {
    terminate("slow consumer", false);
    return;
  }
  queued_bytes_ += frame.bytes.size();
  queue_.push_back(std::move(frame));
  if (pending_get_)
    flush_poll();
}

void engine_socket::close_after_flush() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_ != state::open)
      return;
    if (self->transport_ == transport_kind::websocket) {
      self->state_ = state::closing;
      self->ws_->close_soon();
      self->terminate("server namespace disconnect", false);
      return;
    }
    // Polling: what is queued goes out first; the close packet comes in
    // a GET of its own. (The client handles a `41` on the next tick, so a
    // `1` in the same payload would overtake it: "transport close" instead
    // of "io server disconnect".)
    self->state_ = state::closing;
    self->heartbeat_timer_.cancel();
    if (self->pending_get_) {
      self->flush_poll();
      if (self->state_ == state::closed)
        return;
    }
    // A client that never polls again is dropped after a ping timeout.
    self->close_timer_.expires_after(self->settings_.ping_timeout);
    self->close_timer_.async_wait(
        [weak = self->weak_from_this()](boost::system::error_code ec) {
          if (ec)
            return;
          if (auto self = weak.lock())
            self->terminate("server namespace disconnect", false);
        });
  });
}

void engine_socket::close(std::string reason) {
  asio::post(strand_, [self = shared_from_this(), reason = std::move(reason)] {
    self->terminate(reason, false);
  });
}

// -- polling ------------------------------------------------------------------

void engine_socket::on_poll(answer_callback answer,
                            std::shared_ptr<http::connection_watch> watch) {
  asio::post(strand_, [self = shared_from_this(), answer = std::move(answer),
                       watch = std::move(watch)]() mutable {
    auto& s = *self;
    if (s.state_ == state::closed) {
      answer(error_answer(error_code::unknown_sid));
      return;
    }
    if (s.transport_ != transport_kind::polling || s.state_ == state::opening) {
      // Upgraded, or a WebSocket session still opening: polling requests
      // with this sid are refused.
      answer(error_answer(error_code::bad_request));
      return;
    }
    if (s.pending_get_) {
      // Overlapping GETs: the client (or a proxy) is confused. The Node
      // server refuses the second and closes the session; the first GET
      // learns it from a close packet.
      answer(error_answer(error_code::bad_request));
      s.terminate("transport error", false);
      return;
    }
    s.pending_get_ = std::move(answer);
    auto poll = ++s.polls_;
    if (watch)
      watch->on_close([weak = s.weak_from_this(), poll] {
        auto me = weak.lock();
        if (!me)
          return;
        asio::post(me->strand_, [me, poll] {
          // Still this GET waiting: the client is gone with it.
          if (me->pending_get_ && me->polls_ == poll &&
              me->state_ != state::closed)
            me->terminate("transport error", true);
        });
      });
    if (s.upgrading_) {
      // Mid-upgrade the client waits for this GET to return before it
      // finishes the upgrade: never hold it, and keep what is queued for
      // the WebSocket (docs/socketio.md).
      s.answer_poll({200, answer_kind::payload, noop_text});
      return;
    }
    if (!s.queue_.empty() || s.state_ == state::closing)
      s.flush_poll();
  });
}

void engine_socket::flush_poll() {
  std::string payload;
  payload.reserve(queued_bytes_ + queue_.size() * 2 + 2);
  for (auto& frame : queue_)
    append_to_payload(payload, frame.bytes, frame.binary);
  queue_.clear();
  queued_bytes_ = 0;
  if (payload.empty() && state_ == state::closing) {
    // Everything went out before: now the close packet.
    terminate("server namespace disconnect", false);
    return;
  }
  answer_poll({200, answer_kind::payload, std::move(payload)});
}

void engine_socket::answer_poll(http_answer answer) {
  if (!pending_get_)
    return;
  auto respond = std::move(*pending_get_);
  pending_get_.reset();
  respond(std::move(answer));
}

void engine_socket::on_post(std::string body, answer_callback answer) {
  asio::post(strand_, [self = shared_from_this(), body = std::move(body),
                       answer = std::move(answer)]() mutable {
    auto& s = *self;
    if (s.state_ == state::closed) {
      answer(error_answer(error_code::unknown_sid));
      return;
    }
    if (s.transport_ != transport_kind::polling) {
      answer(error_answer(error_code::bad_request));
      return;
    }
    if (body.size() > s.settings_.max_payload) {
      answer({413, answer_kind::error, error_body(error_code::bad_request)});
      s.terminate("transport error", false);
      return;
    }
    auto packets = decode_payload(body);
    if (!packets) {
      answer(error_answer(error_code::bad_request));
      s.terminate("parse error", false);
      return;
    }
    for (auto& p : *packets) {
      if (s.state_ == state::closed)
        break;
      s.handle_packet(std::move(p), true);
    }
    // The client sends its next POST once this one is answered: a client
    // whose messages wait for the node gets the answer when they are done.
    if (s.input_holds_ > 0 && s.state_ != state::closed)
      s.held_post_ = std::move(answer);
    else
      answer({200, answer_kind::ok, "ok"});
  });
}

void engine_socket::hold_input(bool held) {
  if (held) {
    if (input_holds_++ > 0)
      return;
  } else {
    if (input_holds_ == 0 || --input_holds_ > 0)
      return;
    release_post();
  }
  if (ws_)
    ws_->hold_input(held);
}

void engine_socket::release_post() {
  if (auto answer = std::exchange(held_post_, std::nullopt))
    (*answer)({200, answer_kind::ok, "ok"});
}

void engine_socket::on_oversized_post() {
  close("transport error");
}

// -- packets from the peer ----------------------------------------------------

void engine_socket::handle_packet(packet&& p, bool) {
  switch (p.type) {
  case packet_type::message:
    if (handler_ && state_ == state::open)
      handler_->on_message(p.data, p.binary);
    return;
  case packet_type::pong:
    if (awaiting_pong_ && state_ == state::open)
      schedule_ping();
    return;
  case packet_type::ping:
    // Protocol 4 reversed the heartbeat: a client ping is an error.
    terminate("invalid heartbeat direction", false);
    return;
  case packet_type::close:
    terminate("transport close", true);
    return;
  case packet_type::open:
  case packet_type::upgrade:
  case packet_type::noop:
    // Meaningless here; the Node server ignores them too.
    return;
  }
}

// -- WebSocket ----------------------------------------------------------------

void engine_socket::on_probe_ws(std::shared_ptr<engine_ws> ws) {
  if (state_ != state::open || transport_ != transport_kind::polling ||
      probe_) {
    // Already on WebSocket or being upgraded: complete the 101 and close
    // (an HTTP 400 would crash clients without an error handler, §5.12).
    ws->close_at_once();
    return;
  }
  probe_ = std::move(ws);
  upgrade_timer_.expires_after(settings_.upgrade_timeout);
  upgrade_timer_.async_wait(
      [weak = weak_from_this()](boost::system::error_code ec) {
        if (ec)
          return;
        if (auto self = weak.lock())
          self->abandon_probe();
      });
}

void engine_socket::on_ws_message(const engine_ws* ws, std::string data,
                                  bool binary) {
  if (state_ == state::closed)
    return;
  if (probe_ && ws == probe_.get()) {
    on_probe_message(std::move(data), binary);
    return;
  }
  if (!ws_ || ws != ws_.get())
    return; // a stale transport
  std::optional<packet> p;
  if (binary)
    p = decode_binary_frame(data);
  else
    p = decode_packet(data, false);
  if (!p) {
    terminate("parse error", false);
    return;
  }
  handle_packet(std::move(*p), false);
}

void engine_socket::on_probe_message(std::string data, bool binary) {
  if (!binary && data == "2probe") {
    static const std::string pong_probe{"3probe"};
    probe_->send({nullptr, pong_probe, false});
    upgrading_ = true;
    // The heartbeat pauses while the transports change hands (as
    // socketioxide does): a ping queued now could only reach the client
    // after the upgrade, and its deadline would run meanwhile.
    heartbeat_timer_.cancel();
    awaiting_pong_ = false;
    // Release the GET the client is waiting on, or it stalls until the
    // next ping (docs/socketio.md).
    answer_poll({200, answer_kind::payload, noop_text});
    return;
  }
  if (!binary && data == "5" && upgrading_) {
    finish_upgrade();
    return;
  }
  // Anything else on a probe: give up the upgrade, keep polling.
  abandon_probe();
}

void engine_socket::finish_upgrade() {
  upgrade_timer_.cancel();
  upgrading_ = false;
  transport_ = transport_kind::websocket;
  ws_ = std::move(probe_);
  probe_ = nullptr;
  if (input_holds_ > 0)
    ws_->hold_input(true);
  if (pending_get_)
    answer_poll({200, answer_kind::payload, noop_text});
  // What the polling transport still held goes out on the WebSocket, in
  // order.
  for (auto& frame : queue_)
    ws_->send(std::move(frame));
  queue_.clear();
  queued_bytes_ = 0;
  schedule_ping();
}

void engine_socket::abandon_probe() {
  if (!probe_)
    return;
  upgrade_timer_.cancel();
  auto was_upgrading = upgrading_;
  upgrading_ = false;
  probe_->close_at_once();
  probe_ = nullptr;
  if (was_upgrading && state_ == state::open)
    schedule_ping();
}

void engine_socket::on_ws_closed(const engine_ws* ws) {
  if (probe_ && ws == probe_.get()) {
    upgrade_timer_.cancel();
    auto was_upgrading = upgrading_;
    upgrading_ = false;
    probe_ = nullptr;
    if (was_upgrading && state_ == state::open)
      schedule_ping();
    return;
  }
  if (ws_ && ws == ws_.get()) {
    ws_ = nullptr;
    terminate("transport close", true);
  }
}

// -- closing ------------------------------------------------------------------

void engine_socket::terminate(std::string_view reason, bool by_peer) {
  if (state_ == state::closed)
    return;
  state_ = state::closed;
  heartbeat_timer_.cancel();
  upgrade_timer_.cancel();
  close_timer_.cancel();
  queue_.clear();
  queued_bytes_ = 0;
  // A client that closed gets its pending GET back with a noop (as the Node
  // server's polling transport does); a session the server ends says so.
  if (pending_get_)
    answer_poll({200, answer_kind::payload, by_peer ? noop_text : close_text});
  release_post(); // the packets it carried were taken
  if (probe_) {
    probe_->close_at_once();
    probe_ = nullptr;
  }
  if (ws_) {
    ws_->close_soon();
    ws_ = nullptr;
  }
  if (auto table = table_.lock())
    table->remove(sid_);
  if (auto handler = std::move(handler_))
    handler->on_close(reason);
}

} // namespace signalbox::engineio
