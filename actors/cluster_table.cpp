#include "actors/cluster_table.hpp"

#include <algorithm>

namespace signalbox {

cluster_table::cluster_table(std::string self_name, size_t max_backlog)
    : self_name_(std::move(self_name)), max_backlog_(max_backlog) {
  // nop
}

bool cluster_table::add_configured(const std::string& address) {
  if (auto p = find_address(address)) {
    p->configured = true;
    return false;
  }
  cluster_peer p;
  p.address = address;
  p.configured = true;
  peers_.push_back(std::move(p));
  return true;
}

bool cluster_table::learn(const cluster_member& member) {
  if (member.name.empty() || member.name == self_name_)
    return false;
  if (auto p = find(member.name)) {
    // A member may come back at another address (a restart on an
    // ephemeral port): dial the new one from now on.
    if (p->state != member_state::up)
      p->address = member.address;
    return false;
  }
  if (auto p = find_address(member.address); p && p->name.empty()) {
    p->name = member.name;
    return true;
  }
  cluster_peer p;
  p.name = member.name;
  p.address = member.address;
  peers_.push_back(std::move(p));
  return true;
}

std::optional<std::string>
cluster_table::refusal(const cluster_hello& hello) const {
  if (hello.protocol != cluster_protocol)
    return "cluster protocol " + std::to_string(hello.protocol) +
           " is not this node's " + std::to_string(cluster_protocol);
  if (hello.name.empty())
    return std::string{"a hello without a cluster.name"};
  if (hello.name == self_name_)
    return "cluster.name " + hello.name + " is this node's own name";
  for (auto& p : peers_)
    if (p.name == hello.name && p.state == member_state::up &&
        p.incarnation != hello.incarnation)
      return "cluster.name " + hello.name + " is already a member";
  return std::nullopt;
}

cluster_peer& cluster_table::link_up(const std::string& dialled,
                                     const cluster_hello& hello,
                                     clock::time_point now, int64_t wall_ms) {
  auto member = std::find_if(peers_.begin(), peers_.end(),
                             [&](auto& p) { return p.name == hello.name; });
  // The entry of the address that was dialled, if nobody claimed it yet.
  auto unnamed = std::find_if(peers_.begin(), peers_.end(), [&](auto& p) {
    return p.name.empty() &&
           (p.address == dialled || p.address == hello.address);
  });
  bool configured = false;
  if (unnamed != peers_.end()) {
    configured = unnamed->configured;
    if (member == peers_.end()) {
      unnamed->name = hello.name;
      member = unnamed;
    } else {
      peers_.erase(unnamed);
      member = std::find_if(peers_.begin(), peers_.end(),
                            [&](auto& p) { return p.name == hello.name; });
    }
  }
  if (member == peers_.end()) {
    peers_.emplace_back();
    member = std::prev(peers_.end());
    member->name = hello.name;
  }
  auto& p = *member;
  p.configured = p.configured || configured;
  if (p.incarnation != hello.incarnation) {
    // A new start of that node: both streams begin again.
    p.incarnation = hello.incarnation;
    p.sent = p.acked = p.received = p.received_acked = 0;
    p.outbox.clear();
  }
  p.address = hello.address;
  p.state = member_state::up;
  p.attempts = 0;
  p.dialling = false;
  p.topics = {hello.topics.begin(), hello.topics.end()};
  heard(p, now, wall_ms);
  return p;
}

bool cluster_table::link_down(const std::string& name) {
  auto p = find(name);
  if (p == nullptr || p->state != member_state::up)
    return false;
  p->state = member_state::down;
  p->topics.clear();
  // Like messages to a closed link: never sent. The numbers stay used, so
  // the member drops nothing it gets after a reconnect.
  p->outbox.clear();
  return true;
}

cluster_peer* cluster_table::find(const std::string& name) {
  if (name.empty())
    return nullptr;
  for (auto& p : peers_)
    if (p.name == name)
      return &p;
  return nullptr;
}

cluster_peer* cluster_table::find_address(const std::string& address) {
  for (auto& p : peers_)
    if (p.address == address)
      return &p;
  return nullptr;
}

void cluster_table::heard(cluster_peer& peer, clock::time_point now,
                          int64_t wall_ms) {
  peer.heard = now;
  peer.last_seen_ms = wall_ms;
}

std::vector<cluster_peer*> cluster_table::recipients(const std::string& topic) {
  std::vector<cluster_peer*> out;
  for_each_recipient(topic, [&](cluster_peer& p) { out.push_back(&p); });
  return out;
}

cluster_peer* cluster_table::owner(const std::string& topic) {
  cluster_peer* first = nullptr;
  for_each_recipient(topic, [&](cluster_peer& p) {
    if (first == nullptr || p.name < first->name)
      first = &p;
  });
  return first;
}

std::optional<uint64_t> cluster_table::next_seq(cluster_peer& peer) {
  if (peer.sent - peer.acked >= max_backlog_) {
    ++peer.dropped;
    return std::nullopt;
  }
  return ++peer.sent;
}

bool cluster_table::take(cluster_peer& peer, uint64_t seq) {
  if (seq <= peer.received) {
    ++peer.duplicates;
    return false;
  }
  peer.received = seq;
  return true;
}

bool cluster_table::ack_due(const cluster_peer& peer) {
  return peer.received - peer.received_acked >= ack_every;
}

void cluster_table::acknowledged(cluster_peer& peer, uint64_t seq) {
  // Numbers lost on a broken link are never acknowledged one by one: the
  // highest number received covers them.
  if (seq > peer.acked && seq <= peer.sent)
    peer.acked = seq;
}

std::vector<std::string>
cluster_table::silent(clock::time_point deadline) const {
  std::vector<std::string> out;
  for (auto& p : peers_)
    if (p.state == member_state::up && p.heard < deadline)
      out.push_back(p.name);
  return out;
}

std::vector<cluster_member> cluster_table::up_members() const {
  std::vector<cluster_member> out;
  for (auto& p : peers_)
    if (p.state == member_state::up)
      out.push_back({p.name, p.address});
  return out;
}

std::vector<member_view> cluster_table::view() const {
  std::vector<member_view> out;
  for (auto& p : peers_)
    out.push_back({p.name, p.address, p.state, p.last_seen_ms});
  std::sort(out.begin(), out.end(), [](auto& x, auto& y) {
    // Named members first, by name; unreached addresses after them.
    if (x.name.empty() != y.name.empty())
      return !x.name.empty();
    if (x.name != y.name)
      return x.name < y.name;
    return x.address < y.address;
  });
  return out;
}

bool should_dial_first(const std::string& self_name, const std::string& other) {
  return self_name < other;
}

std::chrono::milliseconds redial_delay(uint32_t attempts,
                                       std::chrono::milliseconds heartbeat) {
  auto delay = heartbeat / 2;
  for (uint32_t i = 0; i < attempts && delay < 8 * heartbeat; ++i)
    delay *= 2;
  return std::min(delay, 8 * heartbeat);
}

} // namespace signalbox
