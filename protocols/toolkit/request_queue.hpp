// The requests of one connection, handled strictly in order. A request that
// needs an actor's answer makes the queue wait; later requests queue behind
// it until the answer arrives (resume), so replies keep the order of the
// requests, as JMRI and the altoponix relay require. Bounded: a client that
// floods the node while it waits is refused (the caller drops it).
// Strand-only, like the connection that owns it.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <utility>

namespace signalbox {

template <class Request>
class request_queue {
public:
  /// Handles one request; false when it waits for an answer (the owner
  /// calls resume() once it arrived).
  using handler = std::function<bool(Request&)>;

  request_queue(size_t max_pending, handler handle)
      : max_pending_(max_pending), handle_(std::move(handle)) {
    // nop
  }

  /// Queues `req` and handles what can be handled now. False when the
  /// queue is full (the request was not taken).
  bool push(Request req) {
    if (stopped_)
      return true;
    if (pending_.size() >= max_pending_)
      return false;
    pending_.push_back(std::move(req));
    if (!waiting_)
      process();
    return true;
  }

  /// The awaited answer was handled: continue with the queue.
  void resume() {
    waiting_ = false;
    process();
  }

  /// Drops what is queued; later requests are still taken (a goodbye).
  void clear() { pending_.clear(); }

  /// Drops what is queued and takes nothing more (the connection closed).
  void stop() {
    stopped_ = true;
    pending_.clear();
  }

  bool stopped() const noexcept { return stopped_; }

private:
  void process() {
    while (!waiting_ && !stopped_ && !pending_.empty()) {
      auto req = std::move(pending_.front());
      pending_.pop_front();
      if (!handle_(req))
        waiting_ = true;
    }
  }

  size_t max_pending_;
  handler handle_;
  std::deque<Request> pending_;
  bool waiting_ = false;
  bool stopped_ = false;
};

} // namespace signalbox
