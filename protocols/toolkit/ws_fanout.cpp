#include "protocols/toolkit/ws_fanout.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <caf/actor_system.hpp>
#include <caf/group_manager.hpp>

namespace signalbox {

ws_fanout::ws_fanout(caf::actor_system& sys, boost::asio::any_io_executor io,
                     const std::vector<std::string>& groups, wire_format format)
    : io_(std::move(io)), format_(format) {
  sink_.open(sys, [this](const notification_ptr& event) { deliver(event); });
  for (auto& name : groups) {
    auto grp = sys.groups().get_local(name);
    sink_.companion()->join(grp);
    groups_.push_back(std::move(grp));
  }
}

ws_fanout::~ws_fanout() {
  stop();
}

void ws_fanout::deliver(const notification_ptr& event) {
  auto& frame = event->encoded(format_);
  if (frame.empty())
    return;
  // Sessions that were idle need their write started. One task on the io
  // thread starts them all: posting to each session's strand from here
  // would wake the io thread once per subscriber, and on a busy core the
  // two threads would take turns a thousand times per notification (seen
  // as a third of the core in context switches). `due` must outlive the
  // lock: a reference in it may be a session's last, and the session's
  // destructor leaves the fan-out (remove).
  //
  // The lock keeps a session from leaving (and being destroyed) while its
  // queue is appended to; publishers of different groups take turns, which
  // keeps each subscriber's frames in the order of every single publisher.
  std::vector<std::shared_ptr<http::ws_session>> due;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto* s : sessions_)
      if (auto d = s->queue_frame({event, frame, false, true}))
        due.push_back(std::move(d));
  }
  if (!due.empty())
    boost::asio::post(io_, [due = std::move(due)] {
      for (auto& s : due)
        s->flush_soon();
    });
}

void ws_fanout::add(http::ws_session* s) {
  std::lock_guard<std::mutex> guard{mutex_};
  sessions_.push_back(s);
}

void ws_fanout::remove(http::ws_session* s) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = std::find(sessions_.begin(), sessions_.end(), s);
  if (i == sessions_.end())
    return;
  // Order among subscribers does not matter: swap with the last.
  *i = sessions_.back();
  sessions_.pop_back();
}

void ws_fanout::stop() {
  if (!sink_)
    return;
  for (auto& grp : groups_)
    sink_.companion()->leave(grp);
  groups_.clear();
  sink_.retire();
}

size_t ws_fanout::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sessions_.size();
}

fanout_session::fanout_session(http::beast::tcp_stream&& stream,
                               net_options limits,
                               std::shared_ptr<http::session_registry> sessions,
                               std::shared_ptr<http::ws_counters> counters,
                               std::shared_ptr<ws_fanout> hub)
    : ws_session(std::move(stream), std::move(limits), std::move(sessions),
                 std::move(counters)),
      hub_(std::move(hub)) {
  // nop
}

fanout_session::~fanout_session() {
  // Normally on_closed() already did this; a session destroyed without
  // finishing (its io_context stopped first) must not stay in the fan-out.
  hub_->remove(this);
}

void fanout_session::on_open() {
  hub_->add(this);
}

void fanout_session::on_closed() {
  hub_->remove(this);
}

} // namespace signalbox
