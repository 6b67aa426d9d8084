// The job registry: every job of the node, by id. It spawns one job actor per
// job, allocates ids, keeps API-created jobs in the store and delegates
// requests about one job to that job's actor.
//
// - Configured jobs (job_options::definitions) get ids 1..n in order; they
//   cannot be edited or removed through the API (ec::conflict).
// - With job_options::editable, jobs can be created, edited and removed
//   (otherwise ec::forbidden "job editing is disabled"). API jobs live in the
//   store table "jobs" (store/job_records.hpp) and are loaded at start; the
//   next id lives in table "meta", so an id is never handed out twice. A
//   stored job whose id a (since grown) configuration now uses gets a fresh
//   id, with a warning on stderr.
// - create publishes job_list_changed{added=true} after the commit and then
//   starts the job if it says autostart; delete stops the process, removes
//   the record and then publishes job_list_changed{added=false}.
// - Nothing starts on its own: the node binds its listeners first, spawns the
//   registry with job_options::environment holding SIGNALBOX_URL with the
//   real port, and then sends `start_atom` (no arguments), which starts the
//   autostart jobs once.
// - `shutdown_atom` stops every job and answers once all are reaped.
// - The job actors are linked to the registry: when the registry is ended,
//   they end too and SIGKILL their processes; a job actor that fails is
//   replaced by a fresh one (status 13, announced), with a warning.
//
// The registry reads the store before it handles its first request; if that
// read fails, it quits with the store's error (the node should monitor it):
// without the stored ids it cannot promise never to reuse one.
#pragma once

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "core/metrics.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox {

/// Spawns the registry of the node's jobs (see above). `io` runs the
/// processes' pidfd, pipe and notify-socket watches. With `reg`, every job
/// counts its runs there (signalbox_job_*_total{job}).
job_registry_actor spawn_job_registry(caf::actor_system& sys,
                                      boost::asio::io_context& io,
                                      store_actor store,
                                      const job_options& opts,
                                      metrics::registry_ptr reg = nullptr);

/// Checks a job definition on its own (name uniqueness is the registry's
/// business): a non-empty name, a non-empty command whose program is not
/// empty, environment variable names without '=', no NUL bytes anywhere
/// (they cannot reach a process). Answers ec::invalid_argument with a text
/// for the client, or no error.
caf::error check_job_spec(const job_spec& spec);

} // namespace signalbox
