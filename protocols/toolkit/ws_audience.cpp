#include "protocols/toolkit/ws_audience.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace signalbox {

ws_audience::ws_audience(boost::asio::any_io_executor io) : io_(std::move(io)) {
  // nop
}

void ws_audience::add(http::ws_session* s) {
  std::lock_guard<std::mutex> guard{mutex_};
  sessions_.push_back(s);
}

void ws_audience::remove(http::ws_session* s) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = std::find(sessions_.begin(), sessions_.end(), s);
  if (i == sessions_.end())
    return;
  // Order among subscribers does not matter: swap with the last.
  *i = sessions_.back();
  sessions_.pop_back();
}

void ws_audience::send(const http::outbound_frame& frame) {
  // Sessions that were idle need their write started. One task on the io
  // thread starts them all: posting to each session's strand from here
  // would wake the io thread once per subscriber, and on a busy core the
  // two threads would take turns a thousand times per notification (seen
  // as a third of the core in context switches). `due` must outlive the
  // lock: a reference in it may be a session's last, and the session's
  // destructor leaves the audience (remove).
  //
  // The lock keeps a session from leaving (and being destroyed) while its
  // queue is appended to; publishers take turns, which keeps each
  // subscriber's frames in the order of every single publisher.
  std::vector<std::shared_ptr<http::ws_session>> due;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto* s : sessions_)
      if (auto d = s->queue_frame(frame))
        due.push_back(std::move(d));
  }
  flush_all(io_, std::move(due));
}

size_t ws_audience::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sessions_.size();
}

void flush_all(const boost::asio::any_io_executor& io,
               std::vector<std::shared_ptr<http::ws_session>> due) {
  if (due.empty())
    return;
  boost::asio::post(io, [due = std::move(due)] {
    for (auto& s : due)
      s->flush_soon();
  });
}

} // namespace signalbox
