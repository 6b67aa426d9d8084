// Job status changes as JMRI messages (jmri.job-messages): started, exited,
// exited with an error, crashed, killed by the watchdog and failed to start
// are broadcast to every JMRI client, with a context object naming the job.
#pragma once

#include <optional>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

/// The message for a status change, or nullopt for statuses that are not
/// worth a message (starting, stopping, stopped, unknown). Pure.
std::optional<jmri_message> job_message(const job_status_changed& event,
                                        const std::string& locale);

/// Spawns the bridge: it joins the "ttm/jobs" group and sends a message to
/// `directory` for every status change worth one.
caf::actor spawn_jmri_job_messages(caf::actor_system& sys,
                                   jmri_directory_actor directory,
                                   std::string locale);

} // namespace signalbox
