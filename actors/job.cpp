#include "actors/job.hpp"

#include <caf/actor_system.hpp>
#include <caf/group.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/errors.hpp"
#include "hal/process.hpp"
#include "hal/process_monitor.hpp"
#include "hal/sd_notify.hpp"

// Complete, because CAF checks the types of spawn arguments.
#include <algorithm>
#include <deque>
#include <optional>
#include <signal.h>
#include <sys/wait.h>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace signalbox {

// -- pure decisions -----------------------------------------------------------

job_status classify_end(int wait_status, bool stop_requested,
                        bool watchdog_fired, bool start_timed_out) {
  if (start_timed_out)
    return job_status::failed_to_start;
  if (stop_requested)
    return job_status::stopped;
  if (watchdog_fired)
    return job_status::killed_by_watchdog;
  if (WIFEXITED(wait_status))
    return WEXITSTATUS(wait_status) == 0 ? job_status::exited
                                         : job_status::exited_with_error;
  return job_status::crashed;
}

bool restarts_after(restart_policy policy, job_status end) {
  switch (policy) {
  case restart_policy::no:
    return false;
  case restart_policy::on_failure:
    return end == job_status::failed_to_start ||
           end == job_status::exited_with_error || end == job_status::crashed ||
           end == job_status::killed_by_watchdog;
  case restart_policy::always:
    return end == job_status::failed_to_start || end == job_status::exited ||
           end == job_status::exited_with_error || end == job_status::crashed ||
           end == job_status::killed_by_watchdog;
  }
  return false;
}

std::chrono::microseconds watchdog_timeout(uint64_t usec) {
  constexpr uint64_t max_usec = 30ull * 24 * 3600 * 1000 * 1000;
  if (usec == UINT64_MAX)
    return std::chrono::microseconds{0};
  return std::chrono::microseconds{std::min(usec, max_usec)};
}

std::chrono::milliseconds restart_backoff(const job_options& opts,
                                          uint32_t attempt) {
  auto delay = std::max(opts.restart_delay, std::chrono::milliseconds{0});
  auto cap = std::max(opts.restart_delay_max, delay);
  for (uint32_t i = 0; i < attempt && delay < cap; ++i)
    delay *= 2;
  return std::min(delay, cap);
}

// -- the actor ----------------------------------------------------------------

namespace {

using std::chrono::steady_clock;

struct job_state;
using job_pointer = job_actor::stateful_pointer<job_state>;

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct job_state {
  static inline const char* name = "signalbox.job";

  job_pointer self = nullptr;
  boost::asio::io_context* io = nullptr;
  caf::group jobs_group;
  caf::group output_group; // every captured line (realdds' `log`)

  // What the job is.
  uint64_t id = 0;
  job_spec spec;
  job_origin origin = job_origin::config;
  job_options opts;
  job_metrics counts;

  // What it is doing.
  job_status status = job_status::stopped; // never started
  int32_t exit_code = -1;
  int32_t term_signal = 0;
  uint32_t restarts = 0;
  std::string status_text;

  // The current run. `run` numbers runs; every message about a run carries
  // its number, so that news about an earlier run is recognised as such.
  uint64_t run = 0;
  hal::process_monitor process; // empty: no process
  steady_clock::time_point run_started;
  bool stop_requested = false;   // this run is being stopped on request
  bool watchdog_fired = false;   // this run was killed by the watchdog
  bool start_timed_out = false;  // no READY=1 within jobs.start-timeout
  bool start_after_stop = false; // a restart request waits for the reap

  // Automatic restarts.
  std::optional<uint64_t> pending_restart; // the run whose end it follows
  uint32_t backoff_attempt = 0;            // since the last stable run

  // The watchdog: one timer message in flight at a time; a ping moves the
  // deadline, and the timer re-schedules itself until the deadline passes.
  std::chrono::microseconds watchdog_period{0};
  bool watchdog_armed = false;
  steady_clock::time_point watchdog_deadline;
  uint64_t watchdog_arm = 0; // bumped to invalidate the timer in flight
  bool watchdog_timer_in_flight = false;

  // Shutdown: answered once the process has been reaped.
  bool shutting_down = false;
  std::vector<caf::typed_response_promise<ok_atom>> shutdown_promises;

  std::deque<log_line> log;

  ~job_state() {
    // The actor is gone (deleted, or the node is going down without a
    // shutdown request): do not leave its process unsupervised.
    if (process)
      process.signal_group(SIGKILL);
  }

  job_info snapshot() const {
    job_info x;
    x.id = id;
    x.spec = spec;
    x.origin = origin;
    x.status = status;
    x.pid = process ? process.pid() : 0;
    x.exit_code = exit_code;
    x.term_signal = term_signal;
    x.restarts = restarts;
    x.status_text = status_text;
    return x;
  }

  void publish() {
    job_status_changed ev{id, spec.name, status, exit_code, term_signal};
    caf::anon_send(jobs_group, notify_atom_v, make_notification(std::move(ev)));
  }

  void set_status(job_status x) {
    if (status == x)
      return;
    status = x;
    publish();
  }

  void append_log(std::string stream, std::string line) {
    log_line entry{wall_clock_ms(), std::move(stream), std::move(line)};
    caf::anon_send(output_group, output_atom_v,
                   job_output{id, spec.name, entry});
    if (opts.log_lines == 0)
      return;
    log.push_back(std::move(entry));
    while (log.size() > opts.log_lines)
      log.pop_front();
  }

  // -- starting ---------------------------------------------------------------

  // A start that a client asked for (not an automatic restart).
  void requested_start() {
    restarts = 0;
    backoff_attempt = 0;
    start_run();
  }

  void start_run() {
    ++run;
    pending_restart.reset();
    stop_requested = false;
    watchdog_fired = false;
    start_timed_out = false;
    start_after_stop = false;
    disarm_watchdog();
    exit_code = -1;
    term_signal = 0;
    status_text.clear();
    watchdog_period =
        signalbox::watchdog_timeout(uint64_t{spec.watchdog_sec} * 1000000);
    counts.starts->add();
    set_status(job_status::starting);
    auto address =
        hal::notify_socket_address(hal::node_instance_tag(), id, run);
    auto socket = hal::open_notify_socket(address);
    if (!socket) {
      fail_start(socket.error());
      return;
    }
    std::vector<std::pair<std::string, std::string>> vars;
    // The node's variables (SIGNALBOX_URL), then the run's own.
    for (auto& [name, value] : opts.environment)
      vars.emplace_back(name, value);
    vars.emplace_back("SIGNALBOX_JOB_ID", std::to_string(id));
    vars.emplace_back("NOTIFY_SOCKET", address);
    if (watchdog_period.count() > 0)
      vars.emplace_back("WATCHDOG_USEC",
                        std::to_string(watchdog_period.count()));
    hal::spawn_request req;
    req.argv = spec.command;
    req.env =
        hal::build_environment(hal::current_environment(), spec.env, vars);
    req.cwd = spec.cwd;
    auto proc = hal::spawn_process(req);
    if (!proc) {
      fail_start(proc.error());
      return;
    }
    run_started = steady_clock::now();
    process =
        hal::process_monitor::start(*io, std::move(*proc), std::move(*socket),
                                    opts.max_line_bytes, sinks());
    if (!spec.notify)
      enter_running();
    else if (opts.start_timeout.count() > 0)
      self->delayed_send(self, opts.start_timeout, start_timeout_atom_v, run);
  }

  // A notify job still starting when jobs.start-timeout passed: stopped
  // like a stop (SIGTERM, SIGKILL after the grace), and failed (14), as
  // systemd does at TimeoutStartSec=.
  void on_start_timeout(uint64_t of_run) {
    if (of_run != run || !process || status != job_status::starting ||
        stop_requested)
      return;
    start_timed_out = true;
    status_text = "no READY=1 within " +
                  std::to_string(opts.start_timeout.count()) +
                  " ms (jobs.start-timeout)";
    append_log("stderr", "signalbox: " + status_text + ", stopping the job");
    process.signal_group(SIGTERM);
    process.signal_group(SIGCONT);
    self->delayed_send(self, opts.stop_grace, kill_atom_v, run);
  }

  // The callbacks of the process monitor: they run on an Asio thread and
  // only send messages. They hold the actor weakly, so that a forgotten run
  // cannot keep the actor alive.
  hal::process_sinks sinks() {
    auto addr = self->address();
    auto current = run;
    auto to_self = [addr] { return caf::actor_cast<job_actor>(addr); };
    hal::process_sinks s;
    s.output = [to_self, current](const std::string& stream, std::string line) {
      if (auto hdl = to_self())
        caf::anon_send(hdl, output_atom_v, current, stream, std::move(line));
    };
    s.notify = [to_self, current](std::string datagram) {
      if (auto hdl = to_self())
        caf::anon_send(hdl, sd_notify_atom_v, current, std::move(datagram));
    };
    s.exited = [to_self, current](int wait_status) {
      if (auto hdl = to_self())
        caf::anon_send(hdl, exited_atom_v, current,
                       static_cast<int32_t>(wait_status));
    };
    return s;
  }

  void fail_start(const caf::error& err) {
    append_log("stderr", "signalbox: " + text_of(err));
    run_started = steady_clock::now();
    run_ended(job_status::failed_to_start);
  }

  void enter_running() {
    set_status(job_status::running);
    if (watchdog_period.count() > 0)
      arm_watchdog();
  }

  // -- the watchdog -----------------------------------------------------------

  void arm_watchdog() {
    watchdog_armed = true;
    watchdog_deadline = steady_clock::now() + watchdog_period;
    if (!watchdog_timer_in_flight)
      schedule_watchdog(watchdog_period);
  }

  void disarm_watchdog() {
    watchdog_armed = false;
    ++watchdog_arm;
    watchdog_timer_in_flight = false;
  }

  void schedule_watchdog(steady_clock::duration after) {
    watchdog_timer_in_flight = true;
    self->delayed_send(self, after, watchdog_atom_v, run, watchdog_arm);
  }

  void on_watchdog_timer(uint64_t of_run, uint64_t arm) {
    if (of_run != run || arm != watchdog_arm)
      return; // a timer of an earlier run or arming
    watchdog_timer_in_flight = false;
    if (!watchdog_armed)
      return;
    auto now = steady_clock::now();
    if (now < watchdog_deadline)
      schedule_watchdog(watchdog_deadline - now);
    else
      watchdog_kill();
  }

  void watchdog_kill() {
    disarm_watchdog();
    if (!process || stop_requested)
      return;
    watchdog_fired = true;
    append_log("stderr", "signalbox: watchdog timeout, killing the job");
    process.signal_group(SIGKILL);
  }

  // -- sd_notify --------------------------------------------------------------

  void on_notify(uint64_t of_run, const std::string& datagram) {
    if (of_run != run || !process)
      return;
    auto msg = hal::parse_sd_notify(datagram);
    if (!msg)
      return;
    if (msg->status)
      status_text = *msg->status;
    if (msg->watchdog_usec) {
      watchdog_period = signalbox::watchdog_timeout(*msg->watchdog_usec);
      if (!stop_requested &&
          (watchdog_armed || status == job_status::running)) {
        disarm_watchdog();
        if (watchdog_period.count() > 0)
          arm_watchdog();
      }
    }
    if (stop_requested)
      return; // readiness and keep-alives mean nothing while stopping
    if (msg->ready && spec.notify && status == job_status::starting)
      enter_running();
    if (msg->watchdog_ping && watchdog_armed)
      watchdog_deadline = steady_clock::now() + watchdog_period;
    if (msg->watchdog_trigger)
      watchdog_kill();
  }

  // -- stopping ---------------------------------------------------------------

  void begin_stop() {
    stop_requested = true;
    disarm_watchdog();
    set_status(job_status::stopping);
    // SIGCONT too, like systemd: a stopped (SIGSTOP) process must run to
    // handle its SIGTERM.
    process.signal_group(SIGTERM);
    process.signal_group(SIGCONT);
    self->delayed_send(self, opts.stop_grace, kill_atom_v, run);
  }

  void on_kill_timer(uint64_t of_run) {
    if (of_run == run && process && (stop_requested || start_timed_out))
      process.signal_group(SIGKILL);
  }

  // A stop with no process: cancel what would start one.
  void stop_idle() {
    start_after_stop = false;
    if (pending_restart) {
      pending_restart.reset();
      set_status(job_status::stopped);
    }
  }

  // -- the end of a run -------------------------------------------------------

  void on_exited(uint64_t of_run, int32_t wait_status) {
    if (of_run != run || !process)
      return;
    process = hal::process_monitor{};
    disarm_watchdog();
    if (WIFEXITED(wait_status)) {
      exit_code = WEXITSTATUS(wait_status);
      term_signal = 0;
    } else {
      exit_code = -1;
      term_signal = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
    }
    run_ended(classify_end(wait_status, stop_requested, watchdog_fired,
                           start_timed_out));
  }

  void run_ended(job_status end) {
    count_end(end);
    set_status(end);
    if (end == job_status::stopped) {
      stop_requested = false;
      if (shutting_down) {
        finish_shutdown();
      } else if (start_after_stop) {
        requested_start();
      }
      return;
    }
    if (shutting_down) {
      finish_shutdown();
      return;
    }
    if (steady_clock::now() - run_started >= opts.stable_after)
      backoff_attempt = 0;
    if (!restarts_after(spec.restart, end))
      return;
    auto delay = restart_backoff(opts, backoff_attempt);
    if (backoff_attempt < 64)
      ++backoff_attempt;
    pending_restart = run;
    self->delayed_send(self, delay, restart_atom_v, run);
  }

  void count_end(job_status end) {
    if (end == job_status::crashed || end == job_status::killed_by_watchdog)
      counts.crashes->add();
    else if (end == job_status::exited_with_error ||
             end == job_status::failed_to_start)
      counts.failures->add();
  }

  void on_restart_timer(uint64_t token) {
    if (!pending_restart || *pending_restart != token || process)
      return; // cancelled by a stop or overtaken by a start
    ++restarts;
    counts.restarts->add();
    start_run();
  }

  // -- shutdown ---------------------------------------------------------------

  void finish_shutdown() {
    for (auto& rp : shutdown_promises)
      rp.deliver(ok_atom_v);
    shutdown_promises.clear();
    self->quit();
  }

  caf::error unavailable() const {
    return make_error(ec::unavailable,
                      "job " + std::to_string(id) + " is shutting down");
  }
};

job_actor::behavior_type job_impl(job_pointer self, boost::asio::io_context* io,
                                  job_setup setup) {
  auto& st = self->state;
  st.self = self;
  st.io = io;
  st.jobs_group = self->system().groups().get_local(groups::jobs);
  st.output_group = self->system().groups().get_local(groups::job_output);
  st.id = setup.id;
  st.spec = std::move(setup.spec);
  st.origin = setup.origin;
  st.opts = std::move(setup.options);
  st.opts.definitions.clear();
  st.counts = std::move(setup.counts);
  return {
      [self](get_atom) { return self->state.snapshot(); },
      [self](start_atom) -> caf::result<job_info> {
        auto& st = self->state;
        if (st.shutting_down)
          return st.unavailable();
        if (st.process) {
          // Running or starting: nothing to do. Stopping: start again once
          // the process is gone.
          if (st.stop_requested) {
            st.start_after_stop = true;
            st.restarts = 0;
            st.backoff_attempt = 0;
          }
        } else {
          st.requested_start();
        }
        return st.snapshot();
      },
      [self](stop_atom) -> caf::result<job_info> {
        auto& st = self->state;
        if (st.process) {
          st.start_after_stop = false;
          if (!st.stop_requested)
            st.begin_stop();
        } else {
          st.stop_idle();
        }
        return st.snapshot();
      },
      [self](restart_atom) -> caf::result<job_info> {
        auto& st = self->state;
        if (st.shutting_down)
          return st.unavailable();
        if (st.process) {
          st.restarts = 0;
          st.backoff_attempt = 0;
          st.start_after_stop = true;
          if (!st.stop_requested)
            st.begin_stop();
        } else {
          st.requested_start();
        }
        return st.snapshot();
      },
      [self](update_atom, job_spec& spec) -> caf::result<job_info> {
        auto& st = self->state;
        if (st.shutting_down)
          return st.unavailable();
        st.spec = std::move(spec);
        // Clients learn about the edit through an updatejob (the seed: "all
        // attributes and even the code of a job may change").
        st.publish();
        if (st.process && !st.stop_requested) {
          st.start_after_stop = true;
          st.begin_stop();
        }
        return st.snapshot();
      },
      [self](log_atom, uint32_t n) {
        auto& log = self->state.log;
        auto count = std::min<size_t>(n, log.size());
        return std::vector<log_line>(log.end() - static_cast<ptrdiff_t>(count),
                                     log.end());
      },
      [self](shutdown_atom) -> caf::result<ok_atom> {
        auto& st = self->state;
        auto rp = self->make_response_promise<ok_atom>();
        st.shutdown_promises.push_back(rp);
        if (!st.shutting_down) {
          st.shutting_down = true;
          st.start_after_stop = false;
          if (st.process) {
            if (!st.stop_requested)
              st.begin_stop();
          } else {
            st.stop_idle();
            st.finish_shutdown();
          }
        }
        return rp;
      },
      [self](exited_atom, uint64_t of_run, int32_t wait_status) {
        self->state.on_exited(of_run, wait_status);
      },
      [self](output_atom, uint64_t of_run, std::string& stream,
             std::string& line) {
        auto& st = self->state;
        // Tell the monitor the line is handled (its flow control), then keep
        // it. Lines of an earlier run are still part of the job's history.
        if (of_run == st.run && st.process)
          st.process.consumed(hal::process_monitor::output_cost(line));
        st.append_log(std::move(stream), std::move(line));
      },
      [self](sd_notify_atom, uint64_t of_run, std::string& datagram) {
        self->state.on_notify(of_run, datagram);
      },
      [self](watchdog_atom, uint64_t of_run, uint64_t arm) {
        self->state.on_watchdog_timer(of_run, arm);
      },
      [self](kill_atom, uint64_t of_run) { self->state.on_kill_timer(of_run); },
      [self](start_timeout_atom, uint64_t of_run) {
        self->state.on_start_timeout(of_run);
      },
      [self](restart_atom, uint64_t token) {
        self->state.on_restart_timer(token);
      },
  };
}

} // namespace

job_metrics job_metrics::registered_in(metrics::registry& reg,
                                       const std::string& name) {
  job_metrics out;
  out.starts =
      reg.counters("signalbox_job_starts_total",
                   "processes started per job (restarts included)", {"job"})
          ->with({name});
  out.restarts =
      reg.counters("signalbox_job_restarts_total",
                   "automatic restarts per job (Restart= policy)", {"job"})
          ->with({name});
  out.crashes =
      reg.counters("signalbox_job_crashes_total",
                   "runs ended by a signal (17) or the watchdog (18) per job",
                   {"job"})
          ->with({name});
  out.failures = reg.counters("signalbox_job_failures_total",
                              "runs that failed to start (14) or exited "
                              "non-zero (16) per job",
                              {"job"})
                     ->with({name});
  return out;
}

job_actor spawn_job(caf::actor_system& sys, boost::asio::io_context& io,
                    job_setup setup) {
  return sys.spawn(job_impl, &io, std::move(setup));
}

} // namespace signalbox
