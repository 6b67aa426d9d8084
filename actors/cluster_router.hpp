// The node's cluster router (docs/cluster.md): one actor per node, published
// on cluster.port, linked to the router of every other node. It follows
// Zeek Broker's core actor rather than CAF's remote groups: what a service
// publishes goes to each member that takes its topic once, numbered per
// link, and what arrives is handed to the local service of that topic and
// never forwarded again, so nothing loops or echoes in the full mesh.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include <caf/group.hpp>
#include <caf/io/middleman_actor.hpp>

#include "actors/cluster_table.hpp"
#include "actors/interfaces.hpp"

namespace signalbox {

struct cluster_router_settings {
  std::string name;
  std::chrono::milliseconds heartbeat{1000};
  size_t max_backlog = 10000;
  /// Dials other routers; without it (unit tests) links are only handed
  /// over with cluster_link_atom.
  caf::io::middleman_actor middleman;
};

struct cluster_router_state {
  cluster_router_settings cfg;
  cluster_table table;
  std::string address; // our own, once joined
  uint64_t incarnation = 0;
  bool joined = false;
  std::map<std::string, cluster_peer_actor> handles; // by member name
  std::map<caf::actor_addr, std::string> names;      // by handle
  std::map<std::string, cluster_handler_actor, std::less<>> handlers;
  bool flush_pending = false; // a flush_atom is on its way to this router
  std::map<std::string, size_t> topics; // what this node takes, counted
  caf::group changes;                   // groups::cluster

  static inline const char* name = "cluster_router";
};

using cluster_router_pointer =
    cluster_router_actor::stateful_pointer<cluster_router_state>;

cluster_router_actor::behavior_type cluster_router(cluster_router_pointer self,
                                                   cluster_router_settings cfg);

} // namespace signalbox
