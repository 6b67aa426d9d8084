#include "protocols/http/ws_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket.hpp>

namespace signalbox::http {

namespace asio = boost::asio;
namespace websocket = beast::websocket;

ws_session::ws_session(beast::tcp_stream&& stream, net_options limits,
                       std::shared_ptr<session_registry> sessions,
                       std::shared_ptr<ws_counters> counters)
    : ws_(std::move(stream)), limits_(std::move(limits)),
      sessions_(std::move(sessions)), counters_(std::move(counters)),
      close_timer_(ws_.get_executor()) {
  // nop
}

ws_session::~ws_session() {
  if (registered_)
    sessions_->remove(this);
}

void ws_session::accept(request_type req, std::string subprotocol) {
  if (!sessions_->add(shared_from_this())) {
    // At the connection limit or shutting down: refuse before the handshake.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    return;
  }
  registered_ = true;
  // Beast's suggested server timeouts, but with keep-alive pings: a peer
  // that vanished without a FIN is detected and its session freed.
  auto timeouts =
      websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = std::chrono::seconds(60);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(limits_.max_frame_bytes);
  ws_.set_option(websocket::stream_base::decorator(
      [subprotocol](websocket::response_type& res) {
        res.set(bhttp::field::server, "signalbox");
        if (!subprotocol.empty())
          res.set(bhttp::field::sec_websocket_protocol, subprotocol);
      }));
  auto self = shared_from_this();
  auto req_ptr = std::make_shared<request_type>(std::move(req));
  asio::dispatch(ws_.get_executor(), [self, req_ptr] {
    self->ws_.async_accept(*req_ptr, [self, req_ptr](beast::error_code ec) {
      self->on_accept(ec);
    });
  });
}

void ws_session::on_accept(beast::error_code ec) {
  if (ec) {
    finish();
    return;
  }
  open_ = true;
  on_open();
  do_read();
}

void ws_session::do_read() {
  ws_.async_read(read_buffer_, beast::bind_front_handler(&ws_session::on_read,
                                                         shared_from_this()));
}

void ws_session::on_read(beast::error_code ec, size_t) {
  if (ec) {
    // websocket::error::message_too_big: Beast has already failed the
    // connection with close code 1009.
    if (ec == websocket::error::message_too_big)
      ++counters_->oversized_messages;
    finish();
    return;
  }
  auto data = read_buffer_.cdata();
  std::string_view message{static_cast<const char*>(data.data()), data.size()};
  if (ws_.got_binary())
    on_binary_message(message);
  else
    on_message(message);
  read_buffer_.consume(read_buffer_.size());
  do_read();
}

void ws_session::send(outbound_frame frame) {
  asio::post(ws_.get_executor(),
             [self = shared_from_this(), frame = std::move(frame)]() mutable {
               self->enqueue(std::move(frame));
             });
}

void ws_session::enqueue(outbound_frame&& frame) {
  // An empty binary message is valid (an empty attachment); an empty text
  // frame is never meant.
  if (!open_ || closing_ || draining_ || (frame.bytes.empty() && !frame.binary))
    return;
  if (queue_.size() >= limits_.max_queue_frames ||
      queued_bytes_ + frame.bytes.size() > limits_.max_queue_bytes) {
    ++counters_->slow_consumers;
    close_with(websocket::close_code::policy_error, "slow consumer");
    return;
  }
  queued_bytes_ += frame.bytes.size();
  queue_.push_back(std::move(frame));
  if (!writing_)
    do_write();
}

void ws_session::do_write() {
  writing_ = true;
  auto& front = queue_.front();
  ws_.text(!front.binary);
  ws_.async_write(
      asio::buffer(front.bytes.data(), front.bytes.size()),
      beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
}

void ws_session::on_write(beast::error_code ec, size_t) {
  writing_ = false;
  if (!queue_.empty()) {
    queued_bytes_ -= queue_.front().bytes.size();
    queue_.pop_front();
  }
  if (ec) {
    finish();
    return;
  }
  ++counters_->frames_sent;
  if (!queue_.empty() && !closing_) {
    do_write();
  } else if (queue_.empty() && draining_) {
    draining_ = false;
    close_with(drain_code_, drain_code_ == websocket::close_code::normal
                                ? "goodbye"
                                : "server shutdown");
  }
}

void ws_session::shutdown() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->open_ && !self->closing_ && !self->draining_) {
      auto last = self->farewell();
      if (!last.bytes.empty()) {
        // Send the farewell ahead of whatever is still queued, then close
        // once it is written (on_write); the close timer still bounds it.
        while (self->queue_.size() > (self->writing_ ? 1u : 0u)) {
          self->queued_bytes_ -= self->queue_.back().bytes.size();
          self->queue_.pop_back();
        }
        self->queued_bytes_ += last.bytes.size();
        self->queue_.push_back(std::move(last));
        self->draining_ = true;
        self->arm_close_timer();
        if (!self->writing_)
          self->do_write();
        return;
      }
    }
    self->close_with(websocket::close_code::going_away, "server shutdown");
  });
}

void ws_session::close_when_drained() {
  if (closing_ || draining_ || !open_)
    return;
  if (queue_.empty()) {
    close_with(websocket::close_code::normal, "goodbye");
    return;
  }
  drain_code_ = websocket::close_code::normal;
  draining_ = true;
  arm_close_timer();
}

void ws_session::arm_close_timer() {
  close_timer_.expires_after(limits_.close_timeout);
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) {
      // The peer did not take what is left in time: drop it hard.
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    }
  });
}

void ws_session::close_with(websocket::close_code code, const char* reason) {
  if (closing_ || finished_)
    return;
  closing_ = true;
  if (!open_) {
    finish();
    return;
  }
  // Drop what is queued but not yet being written; the close frame goes out
  // after the write in flight (Beast suspends the close until it is done).
  while (queue_.size() > (writing_ ? 1u : 0u)) {
    queued_bytes_ -= queue_.back().bytes.size();
    queue_.pop_back();
  }
  arm_close_timer();
  ws_.async_close(websocket::close_reason{code, reason},
                  [self = shared_from_this()](beast::error_code ec) {
                    // On success the read loop sees the end of the
                    // connection and finishes the session.
                    if (ec)
                      self->finish();
                  });
}

void ws_session::finish() {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  close_timer_.cancel();
  queue_.clear();
  queued_bytes_ = 0;
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  if (open_)
    on_closed();
  if (registered_) {
    sessions_->remove(this);
    registered_ = false;
  }
}

} // namespace signalbox::http
