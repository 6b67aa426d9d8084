#include "protocols/socketio/sio_directory.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>

#include "core/errors.hpp"
#include "protocols/socketio/relay_codec.hpp"
#include "protocols/socketio/sio_monitor.hpp"

namespace signalbox {

namespace {

using self_pointer = sio_directory_actor::stateful_pointer<sio_directory_state>;
using monitor_id = sio_directory_state::monitor_id;
using connection = sio_directory_state::connection;

caf::error check_arguments(const std::string& id, const sio_sink_actor& conn) {
  // The session validates the id's format (32 characters); these are the
  // arguments no caller may send.
  if (id.empty())
    return make_error(ec::invalid_argument, "monitor_id must not be empty");
  if (!conn)
    return make_error(ec::invalid_argument, "no connection");
  return caf::none;
}

/// The entry of monitor id `id`, with its actor spawned if the id is new.
monitor_id& acquire(self_pointer self, const std::string& id) {
  auto& ids = self->state.ids;
  auto i = ids.find(id);
  if (i == ids.end()) {
    // Linked: id actors end with the directory. A retired one quits
    // normally, which does not affect the directory.
    auto actor = self->spawn<caf::linked>(sio_monitor, id);
    i = ids.emplace(id, monitor_id{std::move(actor), sio_sink_actor{}, 0})
            .first;
  }
  return i->second;
}

/// Ends the actor of `id` once it has neither a monitor nor users. Not
/// send_exit(normal), which CAF 0.17 ignores: delete_atom makes it quit
/// after the messages the directory sent it before.
void retire_if_unused(self_pointer self, const std::string& id) {
  auto& ids = self->state.ids;
  auto i = ids.find(id);
  if (i == ids.end() || i->second.monitor || i->second.users > 0)
    return;
  self->send(i->second.actor, delete_atom_v);
  ids.erase(i);
}

/// The entry of connection `conn`, monitoring it when it is new (one
/// monitor per connection, however many roles it has).
connection& known(self_pointer self, const sio_sink_actor& conn) {
  auto& conns = self->state.conns;
  auto [i, added] = conns.try_emplace(conn.address());
  if (added) {
    i->second.handle = conn;
    self->monitor(conn);
  }
  return i->second;
}

/// Forgets connection `c` (and stops monitoring it) once it has no role.
void forget_if_unused(self_pointer self,
                      std::map<caf::actor_addr, connection>::iterator c) {
  if (!c->second.user_of.empty() || !c->second.monitor_of.empty())
    return;
  self->demonitor(c->first);
  self->state.conns.erase(c);
}

/// Detaches user `c` from the id it is attached to, if any.
void leave(self_pointer self, connection& c) {
  if (c.user_of.empty())
    return;
  auto id = std::move(c.user_of);
  c.user_of.clear();
  auto& entry = self->state.ids.at(id);
  self->send(entry.actor, sio_user_atom_v, delete_atom_v, c.handle);
  --entry.users;
  retire_if_unused(self, id);
}

/// Frees the id monitor `c` holds, if any.
void release(self_pointer self, connection& c) {
  if (c.monitor_of.empty())
    return;
  auto id = std::move(c.monitor_of);
  c.monitor_of.clear();
  auto& entry = self->state.ids.at(id);
  self->send(entry.actor, sio_monitor_atom_v, delete_atom_v);
  entry.monitor = nullptr;
  retire_if_unused(self, id);
}

sio_monitor_actor attach_user(self_pointer self, const std::string& id,
                              const sio_sink_actor& conn) {
  auto& c = known(self, conn);
  if (c.user_of != id) {
    // The original overwrites the user's id: a user follows one monitor.
    leave(self, c);
    auto& entry = acquire(self, id);
    self->send(entry.actor, sio_user_atom_v, put_atom_v, conn);
    ++entry.users;
    c.user_of = id;
  }
  return self->state.ids.at(id).actor;
}

caf::result<sio_monitor_actor> register_monitor(self_pointer self,
                                                const std::string& id,
                                                const sio_sink_actor& conn) {
  auto& ids = self->state.ids;
  if (auto i = ids.find(id); i != ids.end() && i->second.monitor) {
    // The first monitor keeps the id; its own `con` again is a no-op.
    if (i->second.monitor != conn)
      return make_error(ec::conflict,
                        std::string{relay::reason_already_registered});
    return i->second.actor;
  }
  auto& c = known(self, conn);
  // A monitor holds one id. The original kept the old one registered
  // forever (a leak): free it.
  release(self, c);
  auto& entry = acquire(self, id);
  self->send(entry.actor, sio_monitor_atom_v, put_atom_v, conn);
  entry.monitor = conn;
  c.monitor_of = id;
  return entry.actor;
}

/// Connection `addr` is gone: it leaves its id and frees its monitor id.
void drop(self_pointer self, const caf::actor_addr& addr) {
  auto& conns = self->state.conns;
  auto c = conns.find(addr);
  if (c == conns.end())
    return;
  leave(self, c->second);
  release(self, c->second);
  forget_if_unused(self, c);
}

} // namespace

sio_directory_actor::behavior_type sio_directory(self_pointer self) {
  // A connection that ends without saying so: the same as its delete.
  self->set_down_handler([=](caf::down_msg& msg) { drop(self, msg.source); });
  return {
      [=](sio_user_atom, const std::string& id,
          const sio_sink_actor& conn) -> caf::result<sio_monitor_actor> {
        if (auto err = check_arguments(id, conn))
          return err;
        return attach_user(self, id, conn);
      },
      [=](sio_monitor_atom, const std::string& id,
          const sio_sink_actor& conn) -> caf::result<sio_monitor_actor> {
        if (auto err = check_arguments(id, conn))
          return err;
        return register_monitor(self, id, conn);
      },
      [=](delete_atom, const sio_sink_actor& conn) {
        drop(self, conn.address());
      },
  };
}

sio_directory_actor spawn_sio_directory(caf::actor_system& sys) {
  return sys.spawn(sio_directory);
}

} // namespace signalbox
