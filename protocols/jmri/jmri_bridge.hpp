// The node's own events as JMRI messages (jmri_job_messages,
// jmri_cluster_messages): a bridge actor joins one of the node's groups and
// hands the message for each event worth one to the JMRI directory.
#pragma once

#include <functional>
#include <optional>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

/// Whom a bridged message reaches.
enum class jmri_reach {
  cluster,   // every JMRI client of the cluster (jmri_send)
  this_node, // this node's clients only: every node sees the event itself
};

/// The message for an event, or nullopt for events not worth one.
using jmri_message_for =
    std::function<std::optional<jmri_message>(const domain_event&)>;

caf::actor spawn_jmri_bridge(caf::actor_system& sys,
                             jmri_directory_actor directory, const char* group,
                             jmri_message_for message_for, jmri_reach reach);

} // namespace signalbox
