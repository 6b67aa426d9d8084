// The node-wide part of GET /metrics: what every listener's connections did
// (labelled by the listener's service name, as in its listening line) and
// the process's own figures. Both are read when scraped.
#pragma once

#include <memory>
#include <vector>

#include "core/metrics.hpp"
#include "protocols/http/listener_handle.hpp"

namespace signalbox {

/// Adds the listeners' and the process's collectors to `reg`.
void add_node_collectors(
    metrics::registry& reg,
    std::vector<std::shared_ptr<listener_handle>> listeners);

} // namespace signalbox
