// The job actor: one supervised job, i.e. one real child process at a time,
// its status (ttmnotify's 10-18), systemd-like restart policy with
// exponential back-off, sd_notify readiness and watchdog, and a bounded ring
// of captured output lines. Every status change is published to the
// "ttm/jobs" group as a job_status_changed notification.
//
// Status transitions:
//   start            -> 11 Starting -> 10 Running (notify jobs: at READY=1)
//   spawn failed     -> 14 FailedToStart (missing binary, permission, cwd)
//   exit code 0      -> 15 Exited
//   exit code != 0   -> 16 ExitedWithError
//   unasked signal   -> 17 Crashed (SIGSEGV, SIGABRT, OOM SIGKILL, a
//                       SIGTERM from someone else ...)
//   watchdog missed  -> SIGKILL to the group -> 18 KilledByWatchdog
//                       (also on WATCHDOG=trigger)
//   stop             -> 12 Stopping (SIGTERM+SIGCONT to the group, SIGKILL
//                       after job_options::stop_grace) -> 13 once reaped
// A job that was never started is 13.
//
// Restart policy (systemd's Restart=): `on-failure` restarts after 14, 16,
// 17 and 18, `always` after any end that no stop asked for (14-18), `no`
// never. 14 counts as a failure like systemd's exit status 203/EXEC: a
// binary that appears later (a mounted medium, a finished update) is picked
// up, and the back-off keeps the cost of a hopeless retry low. The delay
// starts at restart_delay and doubles up to restart_delay_max; it starts
// over once a run lasted stable_after. A stop cancels a pending restart
// (-> 13). A start request resets job_info::restarts.
//
// The watchdog (watchdog_sec > 0) is armed when the job enters 10 (like
// systemd: "activated when the start-up is completed") and re-armed by each
// WATCHDOG=1. A missed deadline SIGKILLs the group rather than sending
// systemd's SIGABRT: a hung job on a device should not leave a core dump.
//
// Threads: the actor spawns the process itself (posix_spawnp returns once
// the child has exec'd, like any short system call); pidfd, pipes and the
// notify socket are watched on the io_context (hal/process_monitor.hpp),
// which sends the actor messages tagged with the run's number. The actor
// acknowledges output lines so that a chatty job cannot flood its mailbox.
// If the actor ends while its process runs, the process group is SIGKILLed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "core/metrics.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox {

/// What a job's runs are counted as (GET /metrics). Default-constructed:
/// counters of its own, seen by nobody.
struct job_metrics {
  std::shared_ptr<metrics::counter> starts =
      std::make_shared<metrics::counter>(); // every run, restarts included
  std::shared_ptr<metrics::counter> restarts =
      std::make_shared<metrics::counter>(); // automatic ones
  std::shared_ptr<metrics::counter> crashes =
      std::make_shared<metrics::counter>(); // 17, and 18 (watchdog)
  std::shared_ptr<metrics::counter> failures =
      std::make_shared<metrics::counter>(); // 14 and 16

  /// The series of job `name` in `reg`.
  static job_metrics registered_in(metrics::registry& reg,
                                   const std::string& name);
};

/// What a job actor is spawned with.
struct job_setup {
  uint64_t id = 0;
  job_spec spec;
  job_origin origin = job_origin::config;
  job_options options; // `definitions` is not used
  job_metrics counts;
};

/// Spawns the actor of one job; it does not start the process.
job_actor spawn_job(caf::actor_system& sys, boost::asio::io_context& io,
                    job_setup setup);

// -- pure decisions (unit-tested) ---------------------------------------------

/// The status a run ends in, from its waitpid status: 14 when a notify job
/// was stopped for not reporting ready in time, 13 when a stop asked for
/// the end, 18 when the watchdog killed it, else 15, 16 or 17.
job_status classify_end(int wait_status, bool stop_requested,
                        bool watchdog_fired, bool start_timed_out);

/// Whether `policy` restarts a job that ended in `end` on its own (not by a
/// stop request).
bool restarts_after(restart_policy policy, job_status end);

/// The watchdog timeout for `usec` microseconds (WATCHDOG_USEC=, or the
/// configured watchdog_sec * 1e6): 0 and UINT64_MAX (systemd's "infinity")
/// mean no watchdog; anything above 30 days is 30 days, so that deadlines
/// never overflow the clock.
std::chrono::microseconds watchdog_timeout(uint64_t usec);

/// The back-off before automatic restart number `attempt` (0-based, counted
/// since the last stable run): restart_delay * 2^attempt, capped at
/// restart_delay_max.
std::chrono::milliseconds restart_backoff(const job_options& opts,
                                          uint32_t attempt);

} // namespace signalbox
