#include "protocols/ttmnotify/session.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_companion.hpp>
#include <caf/actor_system.hpp>
#include <caf/group_manager.hpp>

#include "actors/companion.hpp"
#include "actors/interfaces.hpp"

namespace signalbox::ttmnotify {

session::session(http::beast::tcp_stream&& stream, net_options limits,
                 std::shared_ptr<http::session_registry> sessions,
                 std::shared_ptr<http::ws_counters> counters,
                 caf::actor_system& sys)
    : ws_session(std::move(stream), std::move(limits), std::move(sessions),
                 std::move(counters)),
      sys_(sys) {
  // nop
}

void session::on_open() {
  companion_ = sys_.spawn<caf::actor_companion>();
  auto companion = caf::actor_cast<caf::actor_companion*>(companion_);
  std::weak_ptr<ws_session> weak_self = shared_from_this();
  companion->on_enqueue([weak_self](caf::mailbox_element_ptr msg) {
    auto& content = msg->content();
    if (!content.match_elements<notify_atom, notification_ptr>())
      return;
    auto& event = content.get_as<notification_ptr>(1);
    auto& frame = event->encoded(wire_format::ttmnotify);
    if (auto self = weak_self.lock())
      self->send({event, frame});
  });
  for (auto name : {groups::jobs, groups::gpio, groups::values}) {
    auto grp = sys_.groups().get_local(name);
    companion->join(grp);
    groups_.push_back(std::move(grp));
  }
}

session::~session() {
  // Normally on_closed() already did this; a session destroyed without
  // finishing (its io_context stopped first) must not leave a companion
  // behind, or the actor system would wait for it forever.
  retire_companion();
}

void session::on_closed() {
  retire_companion();
}

void session::retire_companion() {
  if (!companion_)
    return;
  auto companion = caf::actor_cast<caf::actor_companion*>(companion_);
  for (auto& grp : groups_)
    companion->leave(grp);
  groups_.clear();
  signalbox::retire_companion(companion_);
}

} // namespace signalbox::ttmnotify
