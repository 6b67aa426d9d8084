#include "protocols/jmri/tcp_session.hpp"

#include <iostream>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace signalbox::jmri {

namespace asio = boost::asio;

class tcp_session::adapter : public transport {
public:
  explicit adapter(std::weak_ptr<tcp_session> session)
      : session_(std::move(session)) {
    // nop
  }

  void write_frame(std::shared_ptr<const std::string> frame) override {
    if (auto s = session_.lock())
      s->write_frame(std::move(frame));
  }

  void close_after_writes() override {
    if (auto s = session_.lock())
      s->close_when_drained();
  }

  void post(std::function<void()> fn) override {
    if (auto s = session_.lock())
      asio::post(s->socket_.get_executor(), std::move(fn));
  }

  void pause_input() override {
    if (auto s = session_.lock())
      s->pause_reading();
  }

  void resume_input() override {
    if (auto s = session_.lock())
      s->resume_reading();
  }

private:
  std::weak_ptr<tcp_session> session_;
};

tcp_session::tcp_session(http::wire&& socket, net_options limits,
                         std::shared_ptr<http::session_registry> sessions,
                         caf::actor_system& sys, jmri_directory_actor directory,
                         connection_settings settings)
    : socket_(std::move(socket)), limits_(std::move(limits)),
      sessions_(std::move(sessions)), sys_(sys),
      directory_(std::move(directory)), settings_(std::move(settings)),
      splitter_(limits_.max_frame_bytes), idle_timer_(socket_.get_executor()) {
  // nop
}

tcp_session::~tcp_session() {
  sessions_->remove(this);
}

void tcp_session::start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->conn_ = std::make_shared<jmri::connection>(
        self->sys_, self->directory_, self->settings_,
        std::make_shared<adapter>(self));
    self->conn_->on_open();
    self->arm_idle_timer();
    self->do_read();
  });
}

size_t tcp_session::queued_bytes() const {
  return queued_bytes_.load(std::memory_order_relaxed);
}

void tcp_session::shutdown() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (self->finished_ || self->draining_)
      return;
    // Goodbye ahead of anything still queued, then close.
    while (self->queue_.size() > (self->writing_ ? 1u : 0u)) {
      self->queued_bytes_ -= self->queue_.back()->size();
      self->queue_.pop_back();
    }
    self->write_frame(std::make_shared<const std::string>(goodbye_frame()));
    self->close_when_drained();
  });
}

void tcp_session::pause_reading() {
  // The client is not silent: the node is not reading it.
  paused_ = true;
  if (!draining_)
    idle_timer_.cancel();
  // No read and no timer hold the session now: it holds itself.
  paused_self_ = shared_from_this();
}

void tcp_session::resume_reading() {
  if (!paused_)
    return;
  paused_ = false;
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (!self->paused_) // not paused again meanwhile
      self->paused_self_.reset();
    if (self->finished_ || self->draining_ || self->paused_ ||
        self->read_pending_)
      return;
    self->arm_idle_timer();
    self->do_read();
  });
}

void tcp_session::do_read() {
  read_pending_ = true;
  socket_.async_read_some(
      asio::buffer(read_buffer_),
      [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        self->read_pending_ = false;
        if (ec || self->finished_) {
          self->finish();
          return;
        }
        self->arm_idle_timer();
        auto values = self->splitter_.feed({self->read_buffer_.data(), n});
        self->sessions_->counters().frames_received.add(values.size());
        for (auto& value : values)
          if (self->conn_)
            self->conn_->on_text(value);
        if (self->splitter_.failed()) {
          // The stream cannot be resynchronised: say why, then close.
          self->write_frame(std::make_shared<const std::string>(
              error_frame(code::internal_error,
                          error_processing_json(self->splitter_.error()))));
          self->close_when_drained();
          return;
        }
        if (!self->draining_ && !self->paused_)
          self->do_read(); // else resume_reading reads again
      });
}

void tcp_session::write_frame(std::shared_ptr<const std::string> frame) {
  if (finished_ || draining_ || frame->empty())
    return;
  if (queue_.size() >= limits_.max_queue_frames ||
      queued_bytes_ + frame->size() > limits_.max_queue_bytes) {
    // A slow consumer: dropping it keeps memory bounded and everyone else
    // unaffected.
    sessions_->counters().slow_consumers.add();
    finish();
    return;
  }
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  if (!writing_)
    do_write();
}

void tcp_session::do_write() {
  writing_ = true;
  auto frame = queue_.front();
  asio::async_write(
      socket_, asio::buffer(*frame),
      [self = shared_from_this(), frame](boost::system::error_code ec, size_t) {
        self->writing_ = false;
        if (!self->queue_.empty()) {
          self->queued_bytes_ -= self->queue_.front()->size();
          self->queue_.pop_front();
        }
        if (ec) {
          self->finish();
          return;
        }
        self->sessions_->counters().frames_sent.add();
        if (!self->queue_.empty())
          self->do_write();
        else if (self->draining_)
          self->finish();
      });
}

void tcp_session::close_when_drained() {
  if (finished_)
    return;
  if (queue_.empty() && !writing_) {
    finish();
    return;
  }
  draining_ = true;
  // A peer that does not read what is left is dropped after the timeout.
  idle_timer_.expires_after(limits_.close_timeout);
  idle_timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
          self->finish();
      });
}

void tcp_session::arm_idle_timer() {
  if (draining_)
    return;
  idle_timer_.expires_after(settings_.idle_timeout);
  std::weak_ptr<tcp_session> weak = shared_from_this();
  idle_timer_.async_wait([weak](boost::system::error_code ec) {
    if (ec)
      return; // re-armed or cancelled
    if (auto s = weak.lock())
      s->finish();
  });
}

void tcp_session::finish() {
  if (finished_)
    return;
  finished_ = true;
  paused_self_.reset();
  idle_timer_.cancel();
  queue_.clear();
  queued_bytes_ = 0;
  boost::system::error_code ignored;
  socket_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close();
  if (conn_) {
    conn_->on_closed();
    conn_.reset();
  }
  sessions_->remove(this);
}

} // namespace signalbox::jmri
