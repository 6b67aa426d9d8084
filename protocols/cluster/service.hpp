// The cluster as a node service (protocols/service.hpp): it spawns and
// publishes the node's router on cluster.port (listening line "cluster"),
// dials cluster.peers, and serves GET /api/cluster. The router is in
// ctx.cluster from `bind` on, so the services that share traffic across
// nodes (JMRI) find it when they start.
#pragma once

#include <memory>

#include "protocols/service.hpp"

namespace signalbox::cluster {

std::unique_ptr<service> make_service();

} // namespace signalbox::cluster
