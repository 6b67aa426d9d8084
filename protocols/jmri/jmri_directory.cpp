#include "protocols/jmri/jmri_directory.hpp"

#include <algorithm>
#include <array>
#include <random>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "core/errors.hpp"
#include "protocols/jmri/codec.hpp"
#include "protocols/jmri/jmri_client.hpp"

namespace signalbox {

namespace {

using self_pointer =
    jmri_directory_actor::stateful_pointer<jmri_directory_state>;

/// Ends the actor of a dropped client id. Not send_exit(normal): CAF ignores
/// an exit message with reason normal, so the actor would live on. Frames
/// sent to it before are still forwarded (messages from one sender arrive
/// in order).
void retire(self_pointer self, const jmri_client_actor& client) {
  self->send(client, delete_atom_v);
}

constexpr const char* all_clients_topic = jmri_clients_topic;

std::string client_topic(const std::string& id) {
  return std::string{all_clients_topic} + "/client/" + id;
}

/// Tells the router which topics this node takes after client `id` came
/// (`added`) or went.
void announce(self_pointer self, const std::string& id, bool added) {
  auto& st = self->state;
  if (!st.cluster)
    return;
  if (added) {
    self->send(st.cluster, put_atom_v, cluster_topics_atom_v, client_topic(id));
    if (st.clients.size() == 1)
      self->send(st.cluster, put_atom_v, cluster_topics_atom_v,
                 std::string{all_clients_topic});
  } else {
    self->send(st.cluster, delete_atom_v, cluster_topics_atom_v,
               client_topic(id));
    if (st.clients.empty())
      self->send(st.cluster, delete_atom_v, cluster_topics_atom_v,
                 std::string{all_clients_topic});
  }
}

caf::error subscribe(self_pointer self, const std::string& id,
                     const jmri_sink_actor& conn) {
  auto& st = self->state;
  if (id.empty())
    return make_error(ec::invalid_argument, "client id must not be empty");
  if (!conn)
    return make_error(ec::invalid_argument, "no connection to subscribe");
  if (auto i = st.clients.find(id); i != st.clients.end()) {
    // The same id again from its owner is a no-op (JMRI's putIfAbsent).
    if (i->second.conn == conn)
      return caf::none;
    return make_error(ec::conflict, jmri::error_client_conflict());
  }
  auto& ids = st.ids_by_conn[conn.address()];
  // One monitor per connection, taken with its first id and released with
  // its last one.
  if (ids.empty())
    self->monitor(conn);
  ids.push_back(id);
  // Linked: client actors end with the directory. A dropped client quits
  // normally (retire), which does not affect the directory.
  auto actor = self->spawn<caf::linked>(jmri_client, id, conn);
  st.clients.emplace(id, jmri_directory_state::client{std::move(actor), conn});
  announce(self, id, true);
  return caf::none;
}

/// Drops client `id` whoever owns it (JMRI checks no ownership); unknown ids
/// are ignored.
void unsubscribe(self_pointer self, const std::string& id) {
  auto& st = self->state;
  auto i = st.clients.find(id);
  if (i == st.clients.end())
    return;
  retire(self, i->second.actor);
  auto conn = i->second.conn.address();
  st.clients.erase(i);
  announce(self, id, false);
  auto c = st.ids_by_conn.find(conn);
  if (c == st.ids_by_conn.end())
    return;
  auto& ids = c->second;
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
  if (ids.empty()) {
    self->demonitor(conn);
    st.ids_by_conn.erase(c);
  }
}

/// Drops every client id of connection `conn`.
void unsubscribe_all(self_pointer self, const caf::actor_addr& conn) {
  auto& st = self->state;
  auto c = st.ids_by_conn.find(conn);
  if (c == st.ids_by_conn.end())
    return;
  for (auto& id : c->second) {
    auto i = st.clients.find(id);
    if (i != st.clients.end()) {
      retire(self, i->second.actor);
      st.clients.erase(i);
      announce(self, id, false);
    }
  }
  st.ids_by_conn.erase(c);
  self->demonitor(conn);
}

/// Sends `msg` to this node's clients only; answers the number of copies.
uint64_t deliver_locally(self_pointer self, const jmri_message& msg) {
  auto& clients = self->state.clients;
  if (msg.client.empty()) {
    // Broadcast: one copy per subscribed id, so a connection holding two
    // ids receives two. All copies share one encoding.
    if (clients.empty())
      return 0;
    auto frame = make_shared_frame(jmri::message_frame(msg));
    for (auto& entry : clients)
      self->send(entry.second.actor, jmri_frame_atom_v, frame);
    return clients.size();
  }
  auto i = clients.find(msg.client);
  if (i == clients.end())
    return 0; // JMRI drops a message for an unknown client silently
  self->send(i->second.actor, jmri_frame_atom_v,
             make_shared_frame(jmri::message_frame(msg)));
  return 1;
}

/// The subscribe request: an id that a client on another node holds is in
/// use, as on one server. The router knows each member's ids.
caf::result<ok_atom> subscribe_checked(self_pointer self, const std::string& id,
                                       const jmri_sink_actor& conn) {
  auto& st = self->state;
  if (!st.cluster || st.clients.count(id) > 0) {
    if (auto err = subscribe(self, id, conn))
      return err;
    return ok_atom_v;
  }
  auto rp = self->make_response_promise<ok_atom>();
  self->request(st.cluster, caf::infinite, cluster_owner_atom_v,
                client_topic(id))
      .then(
          [=](const std::string& owner) mutable {
            caf::error err;
            if (!owner.empty())
              err = make_error(ec::conflict, jmri::error_client_conflict());
            else
              err = subscribe(self, id, conn);
            if (err)
              rp.deliver(std::move(err));
            else
              rp.deliver(ok_atom_v);
          },
          [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

/// The send request: this node's clients, then the other nodes' (for a
/// client id this node does not hold, only the node that does).
caf::result<uint64_t> send_everywhere(self_pointer self,
                                      const jmri_message& msg) {
  auto& st = self->state;
  auto here = deliver_locally(self, msg);
  bool local_client = !msg.client.empty() && st.clients.count(msg.client) > 0;
  if (!st.cluster || local_client)
    return here;
  auto topic = msg.client.empty() ? std::string{all_clients_topic}
                                  : client_topic(msg.client);
  auto rp = self->make_response_promise<uint64_t>();
  self->request(st.cluster, caf::infinite, cluster_request_atom_v, topic,
                caf::make_message(jmri_send_atom_v, msg))
      .then([=](uint64_t there) mutable { rp.deliver(here + there); },
            [=](caf::error&) mutable { rp.deliver(here); });
  return rp;
}

} // namespace

std::string make_uuid_v4() {
  // std::random_device reads the kernel's random source (getrandom or
  // /dev/urandom) on Linux: ids are not guessable by other clients.
  std::random_device source;
  std::array<uint8_t, 16> bytes;
  for (size_t i = 0; i < bytes.size(); i += 4) {
    auto word = static_cast<uint32_t>(source());
    for (size_t k = 0; k < 4; ++k)
      bytes[i + k] = static_cast<uint8_t>(word >> (8 * k));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40); // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80); // RFC 4122
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 0x0F];
  }
  return out;
}

jmri_directory_actor::behavior_type
jmri_directory(self_pointer self, cluster_router_actor cluster) {
  self->state.cluster = std::move(cluster);
  // A connection that goes away without unsubscribing (JMRI's onClose).
  self->set_down_handler(
      [=](caf::down_msg& msg) { unsubscribe_all(self, msg.source); });
  return {
      [=](put_atom, const std::string& id, const jmri_sink_actor& conn) {
        return subscribe_checked(self, id, conn);
      },
      [=](delete_atom, const std::string& id) {
        unsubscribe(self, id);
        return ok_atom_v;
      },
      [=](delete_atom, const jmri_sink_actor& conn) {
        unsubscribe_all(self, conn.address());
        return ok_atom_v;
      },
      [=](list_atom, const jmri_sink_actor& conn) {
        auto& by_conn = self->state.ids_by_conn;
        auto c = by_conn.find(conn.address());
        return c == by_conn.end() ? std::vector<std::string>{} : c->second;
      },
      [=](get_atom,
          const jmri_sink_actor& conn) -> caf::result<jmri_client_ids> {
        auto& st = self->state;
        if (auto c = st.ids_by_conn.find(conn.address());
            c != st.ids_by_conn.end())
          return jmri_client_ids{c->second, false};
        auto id = make_uuid_v4();
        while (st.clients.count(id) > 0)
          id = make_uuid_v4();
        if (auto err = subscribe(self, id, conn))
          return err;
        return jmri_client_ids{{std::move(id)}, true};
      },
      [=](jmri_send_atom, const jmri_message& msg) {
        return send_everywhere(self, msg);
      },
      // From another node's directory, through the routers: this node's
      // clients only, never forwarded again.
      [=](cluster_deliver_atom, const std::string&,
          const caf::message& payload) -> uint64_t {
        if (!payload.match_elements<jmri_send_atom, jmri_message>())
          return 0;
        return deliver_locally(self, payload.get_as<jmri_message>(1));
      },
  };
}

jmri_directory_actor spawn_jmri_directory(caf::actor_system& sys,
                                          cluster_router_actor cluster) {
  auto directory = sys.spawn(jmri_directory, cluster);
  if (cluster) {
    // Before any client subscribes: the directory's topic announcements
    // then reach the router after its handler is known.
    caf::anon_send(cluster, put_atom_v, cluster_handler_atom_v,
                   std::string{all_clients_topic},
                   caf::actor_cast<cluster_handler_actor>(directory));
  }
  return directory;
}

} // namespace signalbox
