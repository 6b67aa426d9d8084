// The requests of one connection, handled strictly in order. A request that
// needs an actor's answer makes the queue wait; later requests queue behind
// it until the answer arrives (resume), so replies keep the order of the
// requests, as JMRI, RTOC and the altoponix relay require.
//
// Bounded by back-pressure, not by refusal: once `max_pending` requests or
// `max_bytes` of them wait, the queue asks its connection to stop reading
// the peer (throttle(true)); TCP's window then slows the peer down. Once it
// is down to half, it asks for reading again (throttle(false)). A client
// sending faster than the node answers is thus slowed, never dropped, and
// what waits for it is at most the bound plus what one read delivered.
// Strand-only, like the connection that owns it.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <utility>

namespace signalbox {

/// The bytes a queued request holds (the queue's byte bound).
inline size_t queued_size(const std::string& text) noexcept {
  return text.size();
}

template <class Request>
class request_queue {
public:
  /// Handles one request; false when it waits for an answer (the owner
  /// calls resume() once it arrived).
  using handler = std::function<bool(Request&)>;

  /// Stops (true) or restarts (false) reading the peer. Called from inside
  /// push() and resume(): the transport must not read synchronously.
  using throttle = std::function<void(bool paused)>;

  request_queue(size_t max_pending, size_t max_bytes, handler handle,
                throttle pause = {})
      : max_pending_(max_pending), max_bytes_(max_bytes),
        handle_(std::move(handle)), pause_(std::move(pause)) {
    // nop
  }

  /// Queues `req` and handles what can be handled now.
  void push(Request req) {
    if (stopped_)
      return;
    bytes_ += queued_size(req);
    pending_.push_back(std::move(req));
    if (!waiting_)
      process();
    if (!paused_ && full()) {
      paused_ = true;
      if (pause_)
        pause_(true);
    }
  }

  /// The awaited answer was handled: continue with the queue.
  void resume() {
    waiting_ = false;
    process();
  }

  /// Drops what is queued; later requests are still taken (a goodbye).
  void clear() {
    pending_.clear();
    bytes_ = 0;
    relieve();
  }

  /// Drops what is queued and takes nothing more (the connection closed).
  void stop() {
    stopped_ = true;
    pending_.clear();
    bytes_ = 0;
  }

  bool stopped() const noexcept { return stopped_; }

  /// The peer is not being read because too much of it waits.
  bool paused() const noexcept { return paused_; }

  size_t size() const noexcept { return pending_.size(); }

private:
  bool full() const noexcept {
    return pending_.size() >= max_pending_ || bytes_ >= max_bytes_;
  }

  void process() {
    while (!waiting_ && !stopped_ && !pending_.empty()) {
      auto req = std::move(pending_.front());
      pending_.pop_front();
      bytes_ -= queued_size(req);
      if (!handle_(req))
        waiting_ = true;
    }
    relieve();
  }

  /// Reads again once the queue is down to half of both bounds.
  void relieve() {
    if (!paused_ || stopped_ || pending_.size() > max_pending_ / 2 ||
        bytes_ > max_bytes_ / 2)
      return;
    paused_ = false;
    if (pause_)
      pause_(false);
  }

  size_t max_pending_;
  size_t max_bytes_;
  handler handle_;
  throttle pause_;
  std::deque<Request> pending_;
  size_t bytes_ = 0;
  bool waiting_ = false;
  bool stopped_ = false;
  bool paused_ = false;
};

} // namespace signalbox
