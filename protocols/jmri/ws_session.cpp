#include "protocols/jmri/ws_session.hpp"

#include <boost/asio/post.hpp>

namespace signalbox::jmri {

/// The transport the connection logic writes through. It holds the session
/// weakly: the session owns the connection, not the other way round.
class ws_session::adapter : public transport {
public:
  explicit adapter(std::weak_ptr<ws_session> session)
      : session_(std::move(session)) {
    // nop
  }

  void write_frame(std::shared_ptr<const std::string> frame) override {
    if (auto s = session_.lock()) {
      std::string_view bytes{*frame};
      s->enqueue_on_strand({std::move(frame), bytes});
    }
  }

  void close_after_writes() override {
    if (auto s = session_.lock())
      s->close_when_drained();
  }

  void post(std::function<void()> fn) override {
    if (auto s = session_.lock())
      boost::asio::post(s->executor(), std::move(fn));
  }

  void pause_input() override {
    if (auto s = session_.lock())
      s->pause();
  }

  void resume_input() override {
    if (auto s = session_.lock())
      s->resume();
  }

private:
  std::weak_ptr<ws_session> session_;
};

ws_session::ws_session(http::wire&& stream, net_options limits,
                       std::shared_ptr<http::session_registry> sessions,
                       caf::actor_system& sys, jmri_directory_actor directory,
                       connection_settings settings)
    : http::ws_session(std::move(stream), std::move(limits),
                       std::move(sessions)),
      sys_(sys), directory_(std::move(directory)),
      settings_(std::move(settings)), idle_timer_(executor()) {
  // nop
}

void ws_session::on_open() {
  auto self = std::static_pointer_cast<ws_session>(shared_from_this());
  conn_ = std::make_shared<connection>(sys_, directory_, settings_,
                                       std::make_shared<adapter>(self));
  conn_->on_open();
  arm_idle_timer();
}

void ws_session::on_message(std::string_view text) {
  // Noted, not re-armed: a timer cancelled per message costs a handler per
  // message, and a client sending in a loop sends many.
  last_heard_ = clock::now();
  conn_->on_text(text);
}

void ws_session::on_closed() {
  idle_timer_.cancel();
  if (conn_)
    conn_->on_closed();
  conn_.reset();
}

http::outbound_frame ws_session::farewell() {
  // JMRI says goodbye to its clients when it shuts down.
  static const auto frame =
      std::make_shared<const std::string>(goodbye_frame());
  return {frame, *frame};
}

void ws_session::pause() {
  // The client is not silent: the node is not reading it.
  idle_timer_.cancel();
  pause_reading();
}

void ws_session::resume() {
  arm_idle_timer();
  resume_reading();
}

void ws_session::arm_idle_timer() {
  last_heard_ = clock::now();
  wait_idle(settings_.idle_timeout);
}

void ws_session::wait_idle(clock::duration delay) {
  idle_timer_.expires_after(delay);
  std::weak_ptr<http::ws_session> weak = shared_from_this();
  idle_timer_.async_wait([weak](boost::beast::error_code ec) {
    if (ec)
      return; // cancelled
    auto s = weak.lock();
    if (!s)
      return;
    auto& self = static_cast<ws_session&>(*s);
    auto silent = clock::now() - self.last_heard_;
    if (silent < self.settings_.idle_timeout)
      self.wait_idle(self.settings_.idle_timeout - silent);
    else
      self.close_now(http::ws::close_code::going_away, "idle timeout");
  });
}

} // namespace signalbox::jmri
