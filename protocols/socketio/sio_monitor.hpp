// One monitor id of the altoponix relay (docs/socketio.md): the monitor
// connection registered under the id (at most one) and the user connections
// attached to it. It turns a user's command into `command do` for the
// monitor and the monitor's `command done` / `command error` into
// `command finish` / `command failed` for every attached user. The relay
// directory spawns it, tells it who arrives and leaves, and ends it once
// nobody is left.
#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

struct sio_monitor_state {
  std::string id;
  // The registered monitor connection; null while the monitor is offline.
  sio_sink_actor monitor;
  // The attached user connections, in order of attachment, each once.
  std::vector<sio_sink_actor> users;
  // The cluster router (null on a lone node): commands for a monitor on
  // another node, and this monitor's results for users on other nodes.
  cluster_router_actor cluster;
  // Its cluster topics, made once (every command and result names one).
  std::string monitor_topic;
  std::string users_topic;

  static inline const char* name = "sio_monitor";
};

/// The behavior of the actor of monitor id `id`.
sio_monitor_actor::behavior_type
sio_monitor(sio_monitor_actor::stateful_pointer<sio_monitor_state> self,
            std::string id, cluster_router_actor cluster);

} // namespace signalbox
