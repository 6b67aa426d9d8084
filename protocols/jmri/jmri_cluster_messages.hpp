// Cluster membership as JMRI messages (jmri.cluster-messages): a member
// coming up or being lost is a message to this node's JMRI clients, with a
// context object naming the member. Every node sees the change itself, so
// the message goes to local clients only (never across the cluster, which
// would repeat it once per node).
#pragma once

#include <optional>
#include <string>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

/// The message for a membership change: "success" when the member is up,
/// "warning" when it is down; nullopt for members not linked yet. Pure.
std::optional<jmri_message> cluster_message(const cluster_changed& event,
                                            const std::string& locale);

/// Spawns the bridge: it joins the node's cluster group and hands each
/// message to `directory` as a local delivery.
caf::actor spawn_jmri_cluster_messages(caf::actor_system& sys,
                                       jmri_directory_actor directory,
                                       std::string locale);

} // namespace signalbox
