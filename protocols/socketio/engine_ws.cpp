#include "protocols/socketio/engine_ws.hpp"

#include <boost/asio/post.hpp>

#include "protocols/socketio/engine_socket.hpp"

namespace signalbox::engineio {

engine_ws::engine_ws(http::wire&& stream, net_options limits,
                     std::shared_ptr<http::session_registry> sessions,
                     std::shared_ptr<engine_socket> socket, role r)
    : http::ws_session(std::move(stream), limits, std::move(sessions)),
      socket_(std::move(socket)), role_(r),
      max_unhandled_(limits.max_waiting_requests) {
  // nop
}

engine_ws::~engine_ws() {
  // A session that was to be opened by this WebSocket, whose handshake
  // never completed, has nothing else to end it.
  if (socket_ && role_ == role::open_session)
    socket_->close("transport close");
}

std::shared_ptr<engine_ws> engine_ws::self_ptr() {
  return std::static_pointer_cast<engine_ws>(shared_from_this());
}

void engine_ws::close_soon() {
  boost::asio::post(executor(),
                    [self = self_ptr()] { self->close_when_drained(); });
}

void engine_ws::close_at_once() {
  boost::asio::post(executor(), [self = self_ptr()] {
    self->close_now(http::ws::close_code::normal, "");
  });
}

void engine_ws::on_open() {
  auto socket = socket_;
  auto self = self_ptr();
  if (role_ == role::open_session)
    boost::asio::post(socket->executor(),
                      [socket, self] { socket->open_websocket(self); });
  else
    boost::asio::post(socket->executor(),
                      [socket, self] { socket->on_probe_ws(self); });
}

void engine_ws::on_message(std::string_view text) {
  hand_on(std::string{text}, false);
}

void engine_ws::on_binary_message(std::string_view bytes) {
  hand_on(std::string{bytes}, true);
}

void engine_ws::hand_on(std::string data, bool binary) {
  if (!socket_)
    return;
  // Counted before it is posted: the session strand may handle it at once.
  if (++unhandled_ >= max_unhandled_ && !flow_held_.exchange(true))
    pause_reading();
  boost::asio::post(socket_->executor(), [socket = socket_, self = self_ptr(),
                                          data = std::move(data),
                                          binary]() mutable {
    socket->on_ws_message(self.get(), std::move(data), binary);
    self->handled();
  });
}

void engine_ws::handled() {
  if (--unhandled_ > max_unhandled_ / 2 || !flow_held_.load())
    return;
  boost::asio::post(executor(), [self = self_ptr()] {
    if (self->unhandled_.load() <= self->max_unhandled_ / 2 &&
        self->flow_held_.exchange(false))
      self->apply_holds();
  });
}

void engine_ws::hold_input(bool held) {
  boost::asio::post(executor(), [self = self_ptr(), held] {
    self->handler_held_ = held;
    self->apply_holds();
  });
}

void engine_ws::apply_holds() {
  if (handler_held_ || flow_held_.load())
    pause_reading();
  else
    resume_reading();
}

void engine_ws::on_closed() {
  // The session and this transport hold each other until here.
  if (auto socket = std::move(socket_))
    boost::asio::post(socket->executor(), [socket, self = self_ptr()] {
      socket->on_ws_closed(self.get());
    });
}

} // namespace signalbox::engineio
