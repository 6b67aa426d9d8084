#include "protocols/jmri/tcp_session.hpp"

#include <algorithm>
#include <iostream>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace signalbox::jmri {

namespace asio = boost::asio;

namespace {

/// Values handed to the connection per turn before the session yields.
constexpr size_t max_values_per_turn = 32;

/// Bytes per write, gathered from the queued frames.
constexpr size_t max_write_bytes = 64 * 1024;

} // namespace

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
    while (self->queue_.size() > (self->writing_ ? self->batch_size_ : 0u)) {
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
    if (self->finished_ || self->draining_ || self->paused_)
      return;
    self->arm_idle_timer();
    self->hand_on_values(); // what was read before the pause, then read
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
        self->values_ = self->splitter_.feed({self->read_buffer_.data(), n});
        self->next_value_ = 0;
        self->sessions_->counters().frames_received.add(self->values_.size());
        self->hand_on_values();
      });
}

void tcp_session::hand_on_values() {
  for (size_t handed = 0; next_value_ < values_.size(); ++handed) {
    if (finished_ || !conn_ || paused_)
      return; // resume_reading continues here
    if (handed == max_values_per_turn) {
      // A client sending small values in a loop gets the io thread for
      // as long per turn as the others.
      asio::post(socket_.get_executor(),
                 [self = shared_from_this()] { self->hand_on_values(); });
      return;
    }
    conn_->on_text(values_[next_value_++]);
  }
  values_.clear();
  next_value_ = 0;
  if (finished_)
    return;
  if (splitter_.failed()) {
    // The stream cannot be resynchronised: say why, then close.
    write_frame(std::make_shared<const std::string>(error_frame(
        code::internal_error, error_processing_json(splitter_.error()))));
    close_when_drained();
    return;
  }
  if (!draining_ && !paused_ && !read_pending_)
    do_read(); // else resume_reading reads again
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
  // What is queued by now goes out in one write of one buffer (up to
  // max_write_bytes, at least one frame): replies as small as a pong, one
  // write each, fell behind a client sending in a loop, which was then
  // closed as a slow consumer. (Asio's gathered write takes 16 buffers a
  // call.)
  writing_ = true;
  batch_size_ = 0;
  write_buffer_.clear();
  while (
      batch_size_ < queue_.size() &&
      (batch_size_ == 0 ||
       write_buffer_.size() + queue_[batch_size_]->size() <= max_write_bytes))
    write_buffer_ += *queue_[batch_size_++];
  asio::async_write(
      socket_, asio::buffer(write_buffer_),
      [self = shared_from_this()](boost::system::error_code ec, size_t) {
        self->writing_ = false;
        auto written = std::min(self->batch_size_, self->queue_.size());
        for (size_t i = 0; i < written; ++i) {
          self->queued_bytes_ -= self->queue_.front()->size();
          self->queue_.pop_front();
        }
        self->batch_size_ = 0;
        if (self->write_buffer_.capacity() > max_write_bytes)
          std::string{}.swap(self->write_buffer_); // a big frame's
        if (ec) {
          self->finish();
          return;
        }
        self->sessions_->counters().frames_sent.add(written);
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
