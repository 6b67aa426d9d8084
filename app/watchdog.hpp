// systemd's watchdog (WatchdogSec= in deploy/systemd/signalbox.service):
// WATCHDOG=1 every half of the timeout, sent by an actor on CAF's scheduler
// from a timer of its own. Every piece of the node's state lives in actors
// on that scheduler, so a scheduler that is wedged (all workers stuck) stops
// the pings, and systemd restarts the node after the timeout.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "hal/service_manager.hpp"

namespace signalbox {

/// Spawns the pinger: one WATCHDOG=1 at once, then one every `period`.
caf::actor spawn_watchdog(caf::actor_system& sys,
                          std::shared_ptr<const hal::service_manager> manager,
                          caf::timespan period);

} // namespace signalbox
