// Shared values as one namespace across the cluster, after Zeek Broker's
// master/clone store (docs/cluster.md). The node named by cluster.master
// keeps the values; every other node is a clone that serves reads from its
// own registry, forwards writes to the master, and applies the master's
// updates in the master's order. The replica stands in front of the
// node's value registry with the same interface, so every interface that
// writes values (REST, realdds, RTOC) gets these semantics unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/group.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

/// The replica's type: the registry's interface, plus the router's
/// deliveries of the cluster topics "values/...", the membership changes
/// (a clone catches up when the master comes up), and its own deadlines.
using value_replica_actor =
    value_registry_actor::extend_with<cluster_handler_actor>::extend<
        caf::reacts_to<notify_atom, notification_ptr>,
        // The answer to forwarded write `n` is overdue.
        caf::reacts_to<watchdog_atom, uint64_t>>;

struct value_replica_settings {
  std::string self_name;
  std::string master;                      // cluster.master
  std::chrono::milliseconds timeout{2000}; // a forwarded write's answer
};

struct value_replica_state {
  /// A write forwarded to the master, waiting for its answer.
  struct pending {
    caf::typed_response_promise<value_put_result> put;
    caf::typed_response_promise<ok_atom> remove;

    /// Answers the client with `err`, whichever kind of write it made.
    void fail(const caf::error& err) {
      if (put.pending())
        put.deliver(err);
      if (remove.pending())
        remove.deliver(err);
    }
  };

  value_replica_settings cfg;
  value_registry_actor local;
  cluster_router_actor cluster;
  caf::group members; // groups::cluster: the master coming up
  uint64_t next_request = 0;
  std::map<uint64_t, pending> waiting;
  // While a snapshot is applied, the updates and answers that follow it
  // wait here, in the order they came.
  bool master_up = false;
  bool syncing = false;
  std::vector<caf::message> held;

  static inline const char* name = "value_replica";
};

value_replica_actor::behavior_type
value_replica(value_replica_actor::stateful_pointer<value_replica_state> self,
              value_registry_actor local, cluster_router_actor cluster,
              value_replica_settings cfg);

/// The cluster topics of shared values.
namespace value_topics {
constexpr const char* service = "values";
/// Taken by the master: writes and snapshot requests of the clones.
constexpr const char* master = "values/master";
/// Taken by every clone: the master's updates.
constexpr const char* updates = "values/updates";
/// Taken by clone `name`: the answers to its requests.
inline std::string replies(const std::string& name) {
  return "values/reply/" + name;
}
} // namespace value_topics

} // namespace signalbox
