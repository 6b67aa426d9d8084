#include "protocols/jmri/jmri_directory.hpp"

#include <algorithm>
#include <array>
#include <random>

#include <caf/actor_system.hpp>

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
    }
  }
  st.ids_by_conn.erase(c);
  self->demonitor(conn);
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

jmri_directory_actor::behavior_type jmri_directory(self_pointer self) {
  // A connection that goes away without unsubscribing (JMRI's onClose).
  self->set_down_handler(
      [=](caf::down_msg& msg) { unsubscribe_all(self, msg.source); });
  return {
      [=](put_atom, const std::string& id,
          const jmri_sink_actor& conn) -> caf::result<ok_atom> {
        if (auto err = subscribe(self, id, conn))
          return err;
        return ok_atom_v;
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
      [=](jmri_send_atom, const jmri_message& msg) -> uint64_t {
        auto& clients = self->state.clients;
        if (msg.client.empty()) {
          // Broadcast: one copy per subscribed id, so a connection holding
          // two ids receives two. All copies share one encoding.
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
      },
  };
}

jmri_directory_actor spawn_jmri_directory(caf::actor_system& sys) {
  return sys.spawn(jmri_directory);
}

} // namespace signalbox
