#include "protocols/ttmnotify/fanout.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_companion.hpp>
#include <caf/actor_system.hpp>
#include <caf/group_manager.hpp>

#include "actors/companion.hpp"
#include "actors/interfaces.hpp"
#include "protocols/ttmnotify/session.hpp"

namespace signalbox::ttmnotify {

fanout::fanout(caf::actor_system& sys, boost::asio::any_io_executor io)
    : io_(std::move(io)) {
  companion_ = sys.spawn<caf::actor_companion>();
  auto companion = caf::actor_cast<caf::actor_companion*>(companion_);
  // Runs on the publisher's thread. The lock keeps a session from leaving
  // (and being destroyed) while its queue is appended to; publishers of
  // different groups take turns, which keeps each subscriber's frames in
  // the order of every single publisher.
  companion->on_enqueue([this](caf::mailbox_element_ptr msg) {
    auto& content = msg->content();
    if (!content.match_elements<notify_atom, notification_ptr>())
      return;
    auto& event = content.get_as<notification_ptr>(1);
    auto& frame = event->encoded(wire_format::ttmnotify_ws);
    if (frame.empty())
      return;
    // Sessions that were idle need their write started. One task on the
    // io thread starts them all: posting to each session's strand from
    // here would wake the io thread once per subscriber, and on a busy
    // core the two threads would take turns a thousand times per
    // notification (seen as a third of the core in context switches).
    // `due` must outlive the lock: a reference in it may be a session's
    // last, and the session's destructor leaves the fan-out (remove).
    std::vector<std::shared_ptr<http::ws_session>> due;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      for (auto* s : sessions_)
        if (auto d = s->deliver(event, frame))
          due.push_back(std::move(d));
    }
    if (!due.empty())
      boost::asio::post(io_, [due = std::move(due)] {
        for (auto& s : due)
          s->flush_soon();
      });
  });
  for (auto name : {groups::jobs, groups::gpio, groups::values}) {
    auto grp = sys.groups().get_local(name);
    companion->join(grp);
    groups_.push_back(std::move(grp));
  }
}

fanout::~fanout() {
  stop();
}

void fanout::add(session* s) {
  std::lock_guard<std::mutex> guard{mutex_};
  sessions_.push_back(s);
}

void fanout::remove(session* s) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = std::find(sessions_.begin(), sessions_.end(), s);
  if (i == sessions_.end())
    return;
  // Order among subscribers does not matter: swap with the last.
  *i = sessions_.back();
  sessions_.pop_back();
}

void fanout::stop() {
  if (!companion_)
    return;
  auto companion = caf::actor_cast<caf::actor_companion*>(companion_);
  for (auto& grp : groups_)
    companion->leave(grp);
  groups_.clear();
  retire_companion(companion_);
}

size_t fanout::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sessions_.size();
}

} // namespace signalbox::ttmnotify
