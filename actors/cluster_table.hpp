// What a cluster router knows of the other nodes, without any actor: the
// members and their link states, the topics each takes, the numbered
// stream to and from each, and the reconnect back-off. The router
// (cluster_router.cpp) keeps the handles and does the sending; every rule
// it follows is a function here, so it is unit-tested on its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/messages.hpp"

namespace signalbox {

/// The protocol version in every hello; links between nodes of different
/// versions are refused.
constexpr uint32_t cluster_protocol = 2; // 2: events travel in batches

/// One other node (or a configured address not reached yet).
struct cluster_peer {
  std::string name;    // "" until its first hello
  std::string address; // where its router is published
  bool configured = false;
  member_state state = member_state::connecting;
  uint64_t incarnation = 0;
  int64_t last_seen_ms = -1;                     // wall clock
  std::chrono::steady_clock::time_point heard{}; // for the silence check
  // Our stream to it: the last number sent, the last it acknowledged, and
  // what was dropped because too much was unacknowledged.
  uint64_t sent = 0;
  uint64_t acked = 0;
  uint64_t dropped = 0;
  // Events numbered but not sent yet (the router sends them as one batch
  // at the end of its burst), the first numbered `outbox_first`.
  std::vector<cluster_event> outbox;
  uint64_t outbox_first = 0;
  // Its stream to us: the last number taken, and the last acknowledged.
  uint64_t received = 0;
  uint64_t received_acked = 0;
  uint64_t duplicates = 0;
  // Dialling: attempts since the last link, and whether one is running.
  uint32_t attempts = 0;
  bool dialling = false;
  std::set<std::string> topics;
};

class cluster_table {
public:
  using clock = std::chrono::steady_clock;

  cluster_table() = default;
  cluster_table(std::string self_name, size_t max_backlog);

  const std::string& self_name() const { return self_name_; }

  /// A configured peer address; false when it is known already.
  bool add_configured(const std::string& address);

  /// A member another node told of; true when it is new to this node (the
  /// router then dials it, see should_dial_first).
  bool learn(const cluster_member& member);

  /// Why a hello must be refused, or nothing: another protocol, this
  /// node's own name, or the name of an up member of another incarnation.
  std::optional<std::string> refusal(const cluster_hello& hello) const;

  /// A link is up after a hello (sent or received) from the node that was
  /// dialled at `dialled` ("" when it dialled us). Merges the entry of a
  /// configured address into the member's; a new incarnation starts both
  /// streams afresh. Answers the member.
  cluster_peer& link_up(const std::string& dialled, const cluster_hello& hello,
                        clock::time_point now, int64_t wall_ms);

  /// The link to `name` is gone; true when it was up.
  bool link_down(const std::string& name);

  cluster_peer* find(const std::string& name);
  cluster_peer* find_address(const std::string& address);

  /// Every entry (members and unreached addresses).
  std::vector<cluster_peer>& peers() { return peers_; }
  const std::vector<cluster_peer>& peers() const { return peers_; }

  /// A message from `peer` arrived.
  static void heard(cluster_peer& peer, clock::time_point now, int64_t wall_ms);

  /// Calls `f` with each up member that takes `topic` (no allocation: the
  /// router does this for every event it publishes).
  template <class F>
  void for_each_recipient(const std::string& topic, F f) {
    for (auto& p : peers_)
      if (p.state == member_state::up && p.topics.count(topic) > 0)
        f(p);
  }

  /// The up members that take `topic`.
  std::vector<cluster_peer*> recipients(const std::string& topic);

  /// The number for the next message to `peer`, or nothing when
  /// max_backlog messages are unacknowledged (the message is dropped and
  /// counted, as a slow socket consumer's frames are).
  std::optional<uint64_t> next_seq(cluster_peer& peer);

  /// Of the up members taking `topic`, the one whose name sorts first
  /// (the same choice on every node), or nullptr.
  cluster_peer* owner(const std::string& topic);

  /// Whether message `seq` from `peer` is new; a number seen before is a
  /// duplicate (counted) and must not be delivered.
  static bool take(cluster_peer& peer, uint64_t seq);

  /// Whether the receiver should acknowledge now rather than with the
  /// next heartbeat (every `ack_every` messages).
  static bool ack_due(const cluster_peer& peer);
  static constexpr uint64_t ack_every = 256;

  /// `peer` acknowledged everything up to `seq`.
  static void acknowledged(cluster_peer& peer, uint64_t seq);

  /// The up members silent since before `deadline`.
  std::vector<std::string> silent(clock::time_point deadline) const;

  /// The up members, for gossip and hellos.
  std::vector<cluster_member> up_members() const;

  /// The view of GET /api/cluster: every other node, by name (unreached
  /// addresses last, by address).
  std::vector<member_view> view() const;

private:
  std::string self_name_;
  size_t max_backlog_ = 1;
  std::vector<cluster_peer> peers_;
};

/// Whether this node dials a member it learned of at once: the one whose
/// name sorts first does, so that two nodes learning of each other do not
/// both dial; the other dials only if no link came after a while.
bool should_dial_first(const std::string& self_name, const std::string& other);

/// The wait before dialling again after `attempts` failed: half a
/// heartbeat, doubling, at most eight heartbeats.
std::chrono::milliseconds redial_delay(uint32_t attempts,
                                       std::chrono::milliseconds heartbeat);

} // namespace signalbox
