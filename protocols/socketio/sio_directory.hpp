// The node's altoponix relay directory (docs/socketio.md): monitor id ->
// sio_monitor actor, and per connection the id it is attached to as a user
// and the id it holds as a monitor. Monitor ids are unique across the node's
// connections; users may attach to an id whose monitor is offline. Every
// attach and detach goes through the directory, so it alone decides when an
// id's actor has nobody left and retires it. It monitors every connection it
// knows and forgets it when it goes down (the original's `disconnect`).
#pragma once

#include <map>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

struct sio_directory_state {
  /// One monitor id in use.
  struct monitor_id {
    sio_monitor_actor actor;
    sio_sink_actor monitor; // the registered monitor connection, or null
    size_t users = 0;       // the number of attached user connections
  };
  /// One connection the directory knows: what it is in the relay. An empty
  /// id means "none" (the directory accepts no empty ids).
  struct connection {
    sio_sink_actor handle;
    std::string user_of;    // the id it is attached to as a user
    std::string monitor_of; // the id it holds as a monitor
  };
  std::map<std::string, monitor_id> ids;
  std::map<caf::actor_addr, connection> conns;
  // The cluster router (null on a lone node): monitor ids are unique
  // across the cluster, and traffic for ids of other nodes goes through it.
  cluster_router_actor cluster;

  static inline const char* name = "sio_directory";
};

sio_directory_actor::behavior_type
sio_directory(sio_directory_actor::stateful_pointer<sio_directory_state> self,
              cluster_router_actor cluster);

/// Spawns the node's relay directory (one per node); `cluster` may be null
/// (a lone node).
sio_directory_actor spawn_sio_directory(caf::actor_system& sys,
                                        cluster_router_actor cluster);

} // namespace signalbox
