// rtoc.mirror: the node's own state as RTOC signals and events, so that an
// RTOC client watching a node sees its device with no RTOC-specific
// producer. A GPIO change is a sample of gpio.<line> (0/1), a numeric
// shared value a sample of values.<key>, a job status change an event on
// jobs.<job name>, a cluster member up or lost an event on cluster.<member>
// (docs/rtoc.md, "Mirror").
#pragma once

#include <optional>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"

namespace signalbox::rtoc {

/// The sample for a GPIO or shared-value change at time `now`; nullopt for
/// other events and for values that are not numbers. Pure.
std::optional<sample> mirror_sample(const domain_event& event, double now);

/// The event for a job status change at time `now` (priority 2 when it
/// crashed or failed, 1 when it (re)starts, 0 otherwise) or for a cluster
/// member up (priority 0, value 1) or lost (priority 2, value 0); nullopt
/// for other events. Pure.
std::optional<event_request> mirror_event(const domain_event& event,
                                          double now);

/// Spawns the mirror: it joins the node's domain groups and hands what it
/// sees to `directory`. Of each job's or member's events the newest
/// `keep_events` are kept (0: up to rtoc.max-events): a job that restarts
/// for months would otherwise fill RAM and the store with its history.
caf::actor spawn_mirror(caf::actor_system& sys, rtoc_directory_actor directory,
                        uint64_t keep_events);

} // namespace signalbox::rtoc
