// The node's JMRI message-client registry (JMRI's server-wide
// JsonMessageClientManager): client id -> jmri_client actor, and per
// connection its ids in subscription order. Ids are unique across all
// connections of the node. The directory monitors every connection that
// holds an id and drops its ids when it goes down (JMRI's onClose).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

/// The cluster topic of the JMRI clients of a node: a node takes it while
/// it has any (and "jmri/client/<id>" for each id). A cluster_deliver on it
/// reaches the clients of this node only.
constexpr const char* jmri_clients_topic = "jmri";

struct jmri_directory_state {
  struct client {
    jmri_client_actor actor;
    jmri_sink_actor conn;
  };
  std::map<std::string, client> clients;
  // The ids of each connection, in subscription order.
  std::map<caf::actor_addr, std::vector<std::string>> ids_by_conn;
  // The cluster router, when the node is in a cluster: messages go to the
  // clients on the other nodes too, and client ids are unique across it.
  cluster_router_actor cluster;

  static inline const char* name = "jmri_directory";
};

jmri_directory_actor::behavior_type jmri_directory(
    jmri_directory_actor::stateful_pointer<jmri_directory_state> self,
    cluster_router_actor cluster);

/// Spawns the node's directory (one per node).
/// `cluster` may be null (a lone node).
jmri_directory_actor spawn_jmri_directory(caf::actor_system& sys,
                                          cluster_router_actor cluster);

/// A random (version 4) UUID in its lowercase 8-4-4-4-12 form, from the
/// operating system's random source, as JMRI's UUID.randomUUID().
std::string make_uuid_v4();

} // namespace signalbox
