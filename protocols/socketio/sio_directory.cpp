#include "protocols/socketio/sio_directory.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "core/errors.hpp"
#include "protocols/socketio/relay_codec.hpp"
#include "protocols/socketio/relay_topics.hpp"
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

/// Tells the router this node takes `topic` from now on, or no longer.
void take_topic(self_pointer self, std::string topic, bool taken) {
  auto& cluster = self->state.cluster;
  if (!cluster)
    return;
  if (taken)
    self->send(cluster, put_atom_v, cluster_topics_atom_v, std::move(topic));
  else
    self->send(cluster, delete_atom_v, cluster_topics_atom_v, std::move(topic));
}

/// The entry of monitor id `id`, with its actor spawned if the id is new.
monitor_id& acquire(self_pointer self, const std::string& id) {
  auto& ids = self->state.ids;
  auto i = ids.find(id);
  if (i == ids.end()) {
    // Linked: id actors end with the directory. A retired one quits
    // normally, which does not affect the directory.
    auto actor = self->spawn<caf::linked>(sio_monitor, id, self->state.cluster);
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
  if (--entry.users == 0)
    take_topic(self, relay::users_topic(id), false);
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
  take_topic(self, relay::monitor_topic(id), false);
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
    if (++entry.users == 1)
      take_topic(self, relay::users_topic(id), true);
    c.user_of = id;
  }
  return self->state.ids.at(id).actor;
}

/// Registers `conn` as the monitor of `id`, which no node holds.
sio_monitor_actor hold(self_pointer self, const std::string& id,
                       const sio_sink_actor& conn) {
  auto& c = known(self, conn);
  // A monitor holds one id. The original kept the old one registered
  // forever (a leak): free it.
  release(self, c);
  auto& entry = acquire(self, id);
  self->send(entry.actor, sio_monitor_atom_v, put_atom_v, conn);
  entry.monitor = conn;
  c.monitor_of = id;
  take_topic(self, relay::monitor_topic(id), true);
  return entry.actor;
}

caf::error already_registered() {
  return make_error(ec::conflict,
                    std::string{relay::reason_already_registered});
}

caf::result<sio_monitor_actor> register_monitor(self_pointer self,
                                                const std::string& id,
                                                const sio_sink_actor& conn) {
  auto& ids = self->state.ids;
  if (auto i = ids.find(id); i != ids.end() && i->second.monitor) {
    // The first monitor keeps the id; its own `con` again is a no-op.
    if (i->second.monitor != conn)
      return already_registered();
    return i->second.actor;
  }
  auto& cluster = self->state.cluster;
  if (!cluster)
    return hold(self, id, conn);
  // Monitor ids are unique across the cluster: one another node holds is
  // refused as on one node. (Two nodes registering one id at the same
  // moment may both hold it; commands then go by the router's rule.)
  auto rp = self->make_response_promise<sio_monitor_actor>();
  self->request(cluster, caf::infinite, cluster_owner_atom_v,
                relay::monitor_topic(id))
      .then(
          [=](const std::string& owner) mutable {
            auto& ids = self->state.ids;
            auto i = ids.find(id);
            bool held_here = i != ids.end() && i->second.monitor;
            if (!owner.empty() || (held_here && i->second.monitor != conn))
              rp.deliver(already_registered());
            else if (held_here)
              rp.deliver(i->second.actor);
            else
              rp.deliver(hold(self, id, conn));
          },
          [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

/// Traffic of another node for the ids of this one; answers how many
/// monitors or users it concerned.
uint64_t deliver_from_cluster(self_pointer self, const std::string& topic,
                              const caf::message& payload) {
  auto starts_with = [&](std::string_view prefix) {
    return topic.compare(0, prefix.size(), prefix) == 0;
  };
  auto& ids = self->state.ids;
  if (starts_with(relay::monitor_prefix)) {
    auto i = ids.find(topic.substr(relay::monitor_prefix.size()));
    if (i == ids.end() || !i->second.monitor ||
        !payload.match_elements<sio_command_atom, std::string>())
      return 0;
    self->send(i->second.actor, sio_command_atom_v,
               payload.get_as<std::string>(1));
    return 1;
  }
  if (starts_with(relay::users_prefix)) {
    auto i = ids.find(topic.substr(relay::users_prefix.size()));
    if (i == ids.end() || i->second.users == 0)
      return 0;
    if (payload.match_elements<sio_done_atom>())
      self->send(i->second.actor, sio_done_atom_v);
    else if (payload.match_elements<sio_failed_atom, std::string>())
      self->send(i->second.actor, sio_failed_atom_v,
                 payload.get_as<std::string>(1));
    else
      return 0;
    return i->second.users;
  }
  return 0;
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

sio_directory_actor::behavior_type sio_directory(self_pointer self,
                                                 cluster_router_actor cluster) {
  self->state.cluster = std::move(cluster);
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
      [=](cluster_deliver_atom, const std::string& topic,
          const caf::message& payload) {
        return deliver_from_cluster(self, topic, payload);
      },
  };
}

sio_directory_actor spawn_sio_directory(caf::actor_system& sys,
                                        cluster_router_actor cluster) {
  auto directory = sys.spawn(sio_directory, cluster);
  if (cluster)
    caf::anon_send(cluster, put_atom_v, cluster_handler_atom_v,
                   std::string{relay::cluster_service},
                   caf::actor_cast<cluster_handler_actor>(directory));
  return directory;
}

} // namespace signalbox
