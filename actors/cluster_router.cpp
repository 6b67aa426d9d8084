#include "actors/cluster_router.hpp"

#include <algorithm>
#include <random>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/group_manager.hpp>
#include <caf/node_id.hpp>

#include "core/errors.hpp"
#include "core/host_port.hpp"
#include "core/log.hpp"
#include "core/notification.hpp"

namespace signalbox {

namespace {

using self_pointer = cluster_router_pointer;

/// The most events in one batch: bounds a batch's size on the link and
/// the delay of its first event behind the others.
constexpr size_t max_batch = 256;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t random_incarnation() {
  std::random_device source;
  return (static_cast<uint64_t>(source()) << 32) | source();
}

cluster_hello own_hello(self_pointer self) {
  auto& st = self->state;
  cluster_hello h;
  h.protocol = cluster_protocol;
  h.name = st.cfg.name;
  h.address = st.address;
  h.incarnation = st.incarnation;
  h.members = st.table.up_members();
  for (auto& [topic, n] : st.topics)
    h.topics.push_back(topic);
  return h;
}

void publish_change(self_pointer self, const cluster_peer& p) {
  caf::anon_send(
      self->state.changes, notify_atom_v,
      make_notification(cluster_changed{p.name, p.address, p.state}));
}

/// The up member a peer message came from (marked as heard), or nothing:
/// messages from anyone else are dropped.
cluster_peer* sender_peer(self_pointer self) {
  auto& st = self->state;
  auto addr = caf::actor_cast<caf::actor_addr>(self->current_sender());
  auto i = st.names.find(addr);
  if (i == st.names.end())
    return nullptr;
  auto p = st.table.find(i->second);
  if (p == nullptr || p->state != member_state::up)
    return nullptr;
  cluster_table::heard(*p, self->clock().now(), wall_ms());
  return p;
}

cluster_peer_actor handle_of(self_pointer self, const cluster_peer& p) {
  auto i = self->state.handles.find(p.name);
  return i == self->state.handles.end() ? cluster_peer_actor{} : i->second;
}

/// The local service that takes `topic` ("jmri" takes "jmri/client/x").
cluster_handler_actor handler_for(self_pointer self, std::string_view topic) {
  auto& handlers = self->state.handlers;
  auto i = handlers.find(topic.substr(0, topic.find('/')));
  return i == handlers.end() ? cluster_handler_actor{} : i->second;
}

/// Sends the events waiting for member `p` as one batch.
void flush(self_pointer self, cluster_peer& p) {
  if (p.outbox.empty())
    return;
  if (auto h = handle_of(self, p))
    self->send(h, cluster_event_atom_v, p.outbox_first, std::move(p.outbox));
  p.outbox.clear(); // moved from
}

/// Numbers event `payload` on `topic` in member `p`'s stream and queues it
/// for the next batch; dropped (and counted) while its backlog is full. One
/// BASP message per batch instead of per event is what lets a link carry
/// 100 000 events/s (docs/benchmarks.md).
void send_event(self_pointer self, cluster_peer& p, const std::string& topic,
                const caf::message& payload) {
  if (!handle_of(self, p))
    return;
  auto seq = self->state.table.next_seq(p);
  if (!seq)
    return;
  if (p.outbox.empty()) {
    p.outbox_first = *seq;
    if (!self->state.flush_pending) {
      self->state.flush_pending = true;
      self->send(self, flush_atom_v);
    }
  }
  p.outbox.push_back(cluster_event{topic, payload});
  if (p.outbox.size() >= max_batch)
    flush(self, p);
}

void send_beat(self_pointer self, cluster_peer& p) {
  if (auto h = handle_of(self, p)) {
    self->send(h, cluster_beat_atom_v, p.received);
    p.received_acked = p.received;
  }
}

void dial(self_pointer self, const std::string& address);

void redial_later(self_pointer self, cluster_peer& p) {
  auto delay = redial_delay(p.attempts++, self->state.cfg.heartbeat);
  self->delayed_send(self, delay, cluster_connect_atom_v, p.address);
}

void dial_failed(self_pointer self, const std::string& address,
                 const std::string& why) {
  auto p = self->state.table.find_address(address);
  if (p == nullptr)
    return;
  p->dialling = false;
  if (p->state == member_state::up)
    return;
  // Log the first failure and then every tenth: a peer that stays away
  // must not fill the journal.
  if (p->attempts % 10 == 0)
    log::warning("cluster: cannot link to " + address + ": " + why);
  redial_later(self, *p);
}

void learn_members(self_pointer self,
                   const std::vector<cluster_member>& members) {
  auto& st = self->state;
  for (auto& m : members) {
    if (!st.table.learn(m))
      continue;
    // Of two nodes learning of each other, the one whose name sorts first
    // dials; the other dials too if no link came within four heartbeats.
    if (should_dial_first(st.cfg.name, m.name))
      dial(self, m.address);
    else
      self->delayed_send(self, 4 * st.cfg.heartbeat, cluster_connect_atom_v,
                         m.address);
  }
}

void gossip(self_pointer self) {
  auto members = self->state.table.up_members();
  for (auto& [name, handle] : self->state.handles)
    self->send(handle, cluster_members_atom_v, members);
}

void forget_handle(self_pointer self, const std::string& name) {
  auto& st = self->state;
  auto i = st.handles.find(name);
  if (i == st.handles.end())
    return;
  self->demonitor(i->second.address());
  st.names.erase(i->second.address());
  st.handles.erase(i);
}

/// A hello went through (ours answered, or theirs taken) over `handle`.
void link_established(self_pointer self, const std::string& dialled,
                      const cluster_hello& hello, cluster_peer_actor handle) {
  auto& st = self->state;
  auto before = st.table.find(hello.name);
  bool was_up = before != nullptr && before->state == member_state::up &&
                before->incarnation == hello.incarnation;
  auto& p = st.table.link_up(dialled, hello, self->clock().now(), wall_ms());
  if (auto i = st.handles.find(p.name);
      i == st.handles.end() || i->second != handle) {
    forget_handle(self, p.name);
    st.handles.emplace(p.name, handle);
    st.names.emplace(handle.address(), p.name);
    self->monitor(handle);
  }
  if (!was_up) {
    log::info("cluster: linked with " + p.name + " at " + p.address);
    publish_change(self, p);
    gossip(self);
  }
  // Last: learning adds entries to the table, which moves `p`.
  learn_members(self, hello.members);
}

void send_hello(self_pointer self, const std::string& address,
                const caf::strong_actor_ptr& ptr) {
  auto peer = caf::actor_cast<cluster_peer_actor>(ptr);
  auto timeout = 3 * self->state.cfg.heartbeat;
  self->request(peer, timeout, cluster_hello_atom_v, own_hello(self))
      .then(
          [=](cluster_hello& reply) {
            if (auto why = self->state.table.refusal(reply)) {
              dial_failed(self, address, *why);
              return;
            }
            link_established(self, address, reply, peer);
          },
          [=](caf::error& err) {
            dial_failed(self, address, "refused: " + text_of(err));
          });
}

/// Why a dial failed, in the words an operator needs: the middleman's
/// "disconnect during handshake" is what a refused TLS link looks like.
std::string describe_dial_error(const caf::error& err) {
  if (err == caf::sec::disconnect_during_handshake)
    return "the link was closed during its handshake (a certificate not "
           "signed by cluster.tls-ca, or TLS on one side only)";
  return text_of(err);
}

void dial(self_pointer self, const std::string& address) {
  auto& st = self->state;
  auto p = st.table.find_address(address);
  if (p == nullptr || p->state == member_state::up || p->dialling)
    return;
  auto target = parse_host_port(address);
  if (!target || !st.cfg.middleman)
    return;
  p->dialling = true;
  // The middleman connects with a blocking connect() in its own actor;
  // this actor only waits for its answer, with a deadline.
  auto timeout = 2 * st.cfg.heartbeat + std::chrono::seconds(1);
  self->request(st.cfg.middleman, timeout, caf::connect_atom_v, target->host,
                target->port)
      .then(
          [=](const caf::node_id&, caf::strong_actor_ptr& ptr,
              const std::set<std::string>&) {
            if (!ptr) {
              dial_failed(self, address, "no router is published there");
              return;
            }
            send_hello(self, address, ptr);
          },
          [=](caf::error& err) {
            dial_failed(self, address, describe_dial_error(err));
          });
}

void lost(self_pointer self, const std::string& name, const char* why) {
  auto& st = self->state;
  forget_handle(self, name);
  if (!st.table.link_down(name))
    return;
  auto p = st.table.find(name);
  log::warning("cluster: lost " + name + " (" + why + ")");
  publish_change(self, *p);
  redial_later(self, *p);
}

void announce_topics(self_pointer self) {
  std::vector<std::string> topics;
  for (auto& [topic, n] : self->state.topics)
    topics.push_back(topic);
  for (auto& [name, handle] : self->state.handles)
    self->send(handle, cluster_topics_atom_v, topics);
}

void tick(self_pointer self) {
  auto& st = self->state;
  auto hb = st.cfg.heartbeat;
  for (auto& p : st.table.peers())
    if (p.state == member_state::up)
      send_beat(self, p);
  // Beats go out every half heartbeat: a member silent for two and a half
  // heartbeats missed five, and is noticed within three.
  auto deadline = self->clock().now() - (5 * hb) / 2;
  for (auto& name : st.table.silent(deadline))
    lost(self, name, "silent for three heartbeats");
  self->delayed_send(self, hb / 2, cluster_tick_atom_v);
}

/// A numbered message from a member: whether to deliver it.
bool take(self_pointer self, cluster_peer& p, uint64_t seq) {
  if (!cluster_table::take(p, seq))
    return false;
  if (cluster_table::ack_due(p))
    send_beat(self, p);
  return true;
}

caf::result<uint64_t> request_members(self_pointer self,
                                      const std::string& topic,
                                      const caf::message& payload) {
  auto& st = self->state;
  // A member silent for a heartbeat (two beats missed) is not waited for:
  // a hung node must not hold up the answers of the others until it is
  // noticed as lost.
  auto recipients = st.table.recipients(topic);
  auto quiet_since = self->clock().now() - st.cfg.heartbeat;
  recipients.erase(
      std::remove_if(recipients.begin(), recipients.end(),
                     [&](cluster_peer* p) { return p->heard < quiet_since; }),
      recipients.end());
  if (recipients.empty())
    return uint64_t{0};
  struct pending {
    caf::typed_response_promise<uint64_t> promise;
    size_t left = 0;
    uint64_t sum = 0;
    void one_done(uint64_t n) {
      sum += n;
      if (--left == 0)
        promise.deliver(sum);
    }
  };
  auto state = std::make_shared<pending>();
  state->promise = self->make_response_promise<uint64_t>();
  state->left = recipients.size();
  // Nor one that hangs from now on, for longer than a heartbeat.
  auto timeout = st.cfg.heartbeat;
  for (auto* p : recipients) {
    // Events queued before this request go first, in the stream's order.
    flush(self, *p);
    auto seq = st.table.next_seq(*p);
    auto handle = handle_of(self, *p);
    if (!seq || !handle) {
      state->one_done(0);
      continue;
    }
    self->request(handle, timeout, cluster_remote_atom_v, *seq, topic, payload)
        .then([state](uint64_t n) { state->one_done(n); },
              [state](caf::error&) { state->one_done(0); });
  }
  return state->promise;
}

} // namespace

cluster_router_actor::behavior_type
cluster_router(cluster_router_pointer self, cluster_router_settings cfg) {
  auto& st = self->state;
  st.table = cluster_table{cfg.name, cfg.max_backlog};
  st.cfg = std::move(cfg);
  st.incarnation = random_incarnation();
  st.changes = self->system().groups().get_local(groups::cluster);
  // Peers are other processes: whatever they send that this node does not
  // know is dropped, and an error they send (CAF answers a message an
  // actor does not handle with one) is ignored; neither ends the router.
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& names = self->state.names;
    auto i = names.find(msg.source);
    if (i != names.end()) {
      auto name = i->second;
      lost(self, name, "link closed");
    }
  });
  return {
      // -- this node --------------------------------------------------------
      [=](cluster_join_atom, const std::string& address,
          const std::vector<std::string>& peers) {
        auto& st = self->state;
        if (st.joined)
          return;
        st.address = address;
        st.joined = true;
        for (auto& peer : peers)
          if (st.table.add_configured(peer))
            dial(self, peer);
        tick(self);
      },
      [=](get_atom) {
        auto& st = self->state;
        cluster_view v;
        v.enabled = true;
        v.name = st.cfg.name;
        v.address = st.address;
        v.heartbeat_ms = st.cfg.heartbeat.count();
        v.members = st.table.view();
        return v;
      },
      [=](put_atom, cluster_handler_atom, const std::string& service,
          const cluster_handler_actor& handler) {
        self->state.handlers[service] = handler;
      },
      [=](put_atom, cluster_topics_atom, const std::string& topic) {
        if (++self->state.topics[topic] == 1)
          announce_topics(self);
      },
      [=](delete_atom, cluster_topics_atom, const std::string& topic) {
        auto& topics = self->state.topics;
        auto i = topics.find(topic);
        if (i == topics.end() || --i->second > 0)
          return;
        topics.erase(i);
        announce_topics(self);
      },
      [=](cluster_publish_atom, const std::string& topic,
          const caf::message& payload) {
        self->state.table.for_each_recipient(topic, [&](cluster_peer& p) {
          send_event(self, p, topic, payload);
        });
      },
      [=](cluster_request_atom, const std::string& topic,
          const caf::message& payload) {
        return request_members(self, topic, payload);
      },
      [=](cluster_owner_atom, const std::string& topic) {
        auto owner = self->state.table.owner(topic);
        return owner == nullptr ? std::string{} : owner->name;
      },
      [=](cluster_owner_atom, const std::string& topic,
          const caf::message& payload) {
        if (auto p = self->state.table.owner(topic))
          send_event(self, *p, topic, payload);
      },
      // -- other routers ----------------------------------------------------
      [=](cluster_hello_atom,
          const cluster_hello& hello) -> caf::result<cluster_hello> {
        auto& st = self->state;
        if (!st.joined)
          return make_error(ec::unavailable, "this node is still starting");
        if (auto why = st.table.refusal(hello))
          return make_error(ec::conflict, *why);
        auto sender =
            caf::actor_cast<cluster_peer_actor>(self->current_sender());
        if (!sender)
          return make_error(ec::invalid_argument, "a hello without a sender");
        link_established(self, "", hello, sender);
        return own_hello(self);
      },
      [=](cluster_topics_atom, const std::vector<std::string>& topics) {
        if (auto p = sender_peer(self))
          p->topics = {topics.begin(), topics.end()};
      },
      [=](cluster_members_atom, const std::vector<cluster_member>& members) {
        if (sender_peer(self) != nullptr)
          learn_members(self, members);
      },
      [=](cluster_event_atom, uint64_t first,
          const std::vector<cluster_event>& events) {
        auto p = sender_peer(self);
        if (p == nullptr)
          return;
        for (size_t i = 0; i < events.size(); ++i) {
          if (!take(self, *p, first + i))
            continue;
          auto& ev = events[i];
          if (auto handler = handler_for(self, ev.topic))
            caf::anon_send(handler, cluster_deliver_atom_v, ev.topic,
                           ev.payload);
        }
      },
      [=](cluster_remote_atom, uint64_t seq, const std::string& topic,
          const caf::message& payload) -> caf::result<uint64_t> {
        auto p = sender_peer(self);
        if (p == nullptr || !take(self, *p, seq))
          return uint64_t{0};
        auto handler = handler_for(self, topic);
        if (!handler)
          return uint64_t{0};
        auto rp = self->make_response_promise<uint64_t>();
        self->request(handler, caf::infinite, cluster_deliver_atom_v, topic,
                      payload)
            .then([rp](uint64_t n) mutable { rp.deliver(n); },
                  [rp](caf::error&) mutable { rp.deliver(uint64_t{0}); });
        return rp;
      },
      [=](cluster_beat_atom, uint64_t received) {
        if (auto p = sender_peer(self))
          cluster_table::acknowledged(*p, received);
      },
      // -- internal ---------------------------------------------------------
      [=](cluster_tick_atom) { tick(self); },
      [=](flush_atom) {
        self->state.flush_pending = false;
        for (auto& p : self->state.table.peers())
          flush(self, p);
      },
      [=](cluster_connect_atom, const std::string& address) {
        dial(self, address);
      },
      [=](cluster_link_atom, const std::string& address,
          const caf::strong_actor_ptr& ptr) { send_hello(self, address, ptr); },
  };
}

} // namespace signalbox
