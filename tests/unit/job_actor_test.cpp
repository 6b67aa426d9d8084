#define CAF_SUITE job_actor
#include <algorithm>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/job.hpp"
#include "hal/process.hpp"
#include "job_fixture.hpp"

using namespace signalbox;
using namespace signalbox::test;
using std::chrono::steady_clock;

namespace {

struct fixture : job_actor_fixture {
  job_actor spawn(job_spec spec, uint64_t id = 1) {
    return job_actor_fixture::spawn(std::move(spec), id, job_origin::api);
  }

  job_info start(const job_actor& job) {
    return ask<job_info>(job, start_atom_v);
  }

  job_info stop(const job_actor& job) {
    return ask<job_info>(job, stop_atom_v);
  }

  std::vector<log_line> log(const job_actor& job, uint32_t n = 100) {
    return ask<std::vector<log_line>>(job, log_atom_v, n);
  }

  std::vector<std::string> lines(const job_actor& job,
                                 const std::string& stream) {
    std::vector<std::string> out;
    for (auto& x : log(job))
      if (x.stream == stream)
        out.push_back(x.line);
    return out;
  }
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace

// -- pure decisions -----------------------------------------------------------

CAF_TEST(classify the end of a run) {
  auto exit_status = [](int code) { return code << 8; };
  CAF_CHECK(classify_end(exit_status(0), false, false, false) ==
            job_status::exited);
  CAF_CHECK(classify_end(exit_status(3), false, false, false) ==
            job_status::exited_with_error);
  CAF_CHECK(classify_end(SIGSEGV, false, false, false) == job_status::crashed);
  CAF_CHECK(classify_end(SIGKILL, false, false, false) == job_status::crashed);
  CAF_CHECK(classify_end(SIGTERM, false, false, false) == job_status::crashed);
  CAF_CHECK(classify_end(SIGKILL, false, true, false) ==
            job_status::killed_by_watchdog);
  CAF_CHECK(classify_end(exit_status(0), false, true, false) ==
            job_status::killed_by_watchdog);
  // A requested stop wins, however the process ended.
  CAF_CHECK(classify_end(SIGTERM, true, false, false) == job_status::stopped);
  CAF_CHECK(classify_end(exit_status(1), true, true, false) ==
            job_status::stopped);
  // A notify job stopped for not reporting ready failed to start, however
  // it ended.
  CAF_CHECK(classify_end(SIGTERM, false, false, true) ==
            job_status::failed_to_start);
  CAF_CHECK(classify_end(exit_status(0), false, false, true) ==
            job_status::failed_to_start);
}

CAF_TEST_FIXTURE_SCOPE(job_actor_tests, fixture)

// -- one status each ----------------------------------------------------------

CAF_TEST(a job is stopped until it is started) {
  auto job = spawn(make_spec("idle", {"/bin/true"}));
  auto info = get(job);
  CAF_CHECK(info.status == job_status::stopped);
  CAF_CHECK_EQUAL(info.pid, 0);
  // Stopping a job that does not run changes nothing.
  CAF_CHECK(stop(job).status == job_status::stopped);
  expect_silence(1, 100ms);
}

CAF_TEST(exit code 0 is exited) {
  auto job = spawn(make_spec("true", {"/bin/true"}));
  auto info = start(job);
  CAF_CHECK_EQUAL(info.id, 1u);
  expect_statuses(
      1, {job_status::starting, job_status::running, job_status::exited});
  info = get(job);
  CAF_CHECK(info.status == job_status::exited);
  CAF_CHECK_EQUAL(info.exit_code, 0);
  CAF_CHECK_EQUAL(info.term_signal, 0);
  CAF_CHECK_EQUAL(info.pid, 0);
  CAF_CHECK_EQUAL(info.restarts, 0u);
}

CAF_TEST(a non - zero exit code is exited with error) {
  auto job = spawn(make_spec("three", {"/bin/sh", "-c", "exit 3"}));
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto ev = next_change(1);
  CAF_CHECK(ev.status == job_status::exited_with_error);
  CAF_CHECK_EQUAL(ev.exit_code, 3);
  CAF_CHECK_EQUAL(ev.name, "three");
  CAF_CHECK_EQUAL(get(job).exit_code, 3);
  // /bin/false as well.
  auto other = spawn(make_spec("false", {"/bin/false"}), 2);
  start(other);
  expect_statuses(2, {job_status::starting, job_status::running,
                      job_status::exited_with_error});
  CAF_CHECK_EQUAL(get(other).exit_code, 1);
}

CAF_TEST(a crash is crashed) {
  auto job = spawn(make_spec("segv", {program("crash_segv")}));
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto ev = next_change(1);
  CAF_CHECK(ev.status == job_status::crashed);
  CAF_CHECK_EQUAL(ev.term_signal, SIGSEGV);
  CAF_CHECK_EQUAL(ev.exit_code, -1);
  CAF_CHECK_EQUAL(lines(job, "stdout"),
                  std::vector<std::string>{"about to crash"});
}

CAF_TEST(an unasked kill is crashed as well) {
  // What the OOM killer does: SIGKILL from outside.
  auto job = spawn(make_spec("victim", {"/bin/sleep", "30"}));
  auto info = start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  CAF_REQUIRE_NOT_EQUAL(info.pid, 0);
  ::kill(info.pid, SIGKILL);
  auto ev = next_change(1);
  CAF_CHECK(ev.status == job_status::crashed);
  CAF_CHECK_EQUAL(ev.term_signal, SIGKILL);
}

CAF_TEST(a missing program fails to start) {
  auto job = spawn(make_spec("missing", {"/nonexistent"}));
  auto info = start(job);
  CAF_CHECK(info.status == job_status::failed_to_start);
  expect_statuses(1, {job_status::starting, job_status::failed_to_start});
  auto err = lines(job, "stderr");
  CAF_REQUIRE_EQUAL(err.size(), 1u);
  CAF_CHECK_EQUAL(err[0], "signalbox: cannot start '/nonexistent': No such "
                          "file or directory");
}

CAF_TEST(a program without permission fails to start) {
  temp_dir dir;
  auto path = dir.str() + "/script";
  ::close(::open(path.c_str(), O_CREAT | O_WRONLY, 0644));
  auto job = spawn(make_spec("noexec", {path}));
  start(job);
  expect_statuses(1, {job_status::starting, job_status::failed_to_start});
  auto err = lines(job, "stderr");
  CAF_REQUIRE_EQUAL(err.size(), 1u);
  CAF_CHECK(contains(err[0], "Permission denied"));
}

CAF_TEST(a bad working directory fails to start) {
  auto spec = make_spec("badcwd", {"/bin/true"});
  spec.cwd = "/nonexistent/dir";
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting, job_status::failed_to_start});
  auto err = lines(job, "stderr");
  CAF_REQUIRE_EQUAL(err.size(), 1u);
  CAF_CHECK(contains(err[0], "working directory '/nonexistent/dir'"));
}

CAF_TEST(stop terminates and ends in stopped) {
  auto job = spawn(make_spec("sleeper", {"/bin/sleep", "30"}));
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto info = stop(job);
  CAF_CHECK(info.status == job_status::stopping);
  CAF_CHECK_NOT_EQUAL(info.pid, 0);
  expect_statuses(1, {job_status::stopping});
  auto ev = next_change(1);
  CAF_CHECK(ev.status == job_status::stopped);
  CAF_CHECK_EQUAL(ev.term_signal, SIGTERM);
  info = get(job);
  CAF_CHECK(info.status == job_status::stopped);
  CAF_CHECK_EQUAL(info.pid, 0);
}

CAF_TEST(a job ignoring the stop signal is killed after the grace period) {
  opts.stop_grace = 400ms;
  auto spec = make_spec("sigterm-ignorer", {program("ignore_sigterm")});
  spec.notify = true; // running once SIGTERM is ignored
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto stop_requested = steady_clock::now();
  stop(job);
  expect_statuses(1, {job_status::stopping});
  auto ev = next_change(1);
  CAF_CHECK(ev.status == job_status::stopped);
  CAF_CHECK_EQUAL(ev.term_signal, SIGKILL);
  CAF_CHECK_GREATER_OR_EQUAL(steady_clock::now() - stop_requested,
                             opts.stop_grace);
}

CAF_TEST(a stop of a stopping job changes nothing and start waits) {
  opts.stop_grace = 400ms;
  auto spec = make_spec("sigterm-ignorer", {program("ignore_sigterm")});
  spec.notify = true;
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  stop(job);
  CAF_CHECK(stop(job).status == job_status::stopping);
  // A start while stopping starts again once the process is gone.
  CAF_CHECK(start(job).status == job_status::stopping);
  expect_statuses(1, {job_status::stopping, job_status::stopped,
                      job_status::starting, job_status::running});
}

// -- readiness and watchdog ---------------------------------------------------

CAF_TEST(a notify job is starting until READY and systemd - notify works) {
  temp_dir dir;
  auto to_test = dir.str() + "/to-test";
  auto to_job = dir.str() + "/to-job";
  CAF_REQUIRE_EQUAL(::mkfifo(to_test.c_str(), 0600), 0);
  CAF_REQUIRE_EQUAL(::mkfifo(to_job.c_str(), 0600), 0);
  // Opened read-write, these opens do not wait for the other side.
  int from_job = ::open(to_test.c_str(), O_RDWR | O_CLOEXEC);
  int into_job = ::open(to_job.c_str(), O_RDWR | O_CLOEXEC);
  CAF_REQUIRE(from_job >= 0 && into_job >= 0);
  // systemd-notify returns only after our barrier: once the job wrote to
  // the FIFO, its STATUS is in the job actor's mailbox.
  auto spec =
      make_spec("notify", {"/bin/sh", "-c",
                           "systemd-notify --status='warming up' && echo > " +
                               to_test + " && read x < " + to_job +
                               " && systemd-notify --ready --status=serving"
                               " && exec sleep 30"});
  spec.notify = true;
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting});
  pollfd pfd{from_job, POLLIN, 0};
  CAF_REQUIRE_EQUAL(::poll(&pfd, 1, 10000), 1);
  auto info = get(job);
  CAF_CHECK(info.status == job_status::starting);
  CAF_CHECK_EQUAL(info.status_text, "warming up");
  CAF_CHECK_NOT_EQUAL(info.pid, 0);
  CAF_REQUIRE_EQUAL(::write(into_job, "go\n", 3), 3);
  expect_statuses(1, {job_status::running});
  CAF_CHECK_EQUAL(get(job).status_text, "serving");
  // systemd-notify succeeded both times (nothing on stderr).
  CAF_CHECK_EQUAL(lines(job, "stderr"), std::vector<std::string>{});
  ::close(from_job);
  ::close(into_job);
}

CAF_TEST(READY of a simple job changes nothing) {
  auto job = spawn(
      make_spec("simple", {program("notify_client"), "send:READY=1|STATUS=hi",
                           "barrier", "exit:0"}));
  start(job);
  expect_statuses(
      1, {job_status::starting, job_status::running, job_status::exited});
  CAF_CHECK_EQUAL(get(job).status_text, "hi");
}

CAF_TEST(a notify job that misses its watchdog is killed) {
  auto spec = make_spec("hangs", {program("notify_client"), "send:READY=1",
                                  "ping:4:200", "hang"});
  spec.notify = true;
  spec.watchdog_sec = 1;
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto running = steady_clock::now();
  auto ev = next_change(1);
  CAF_CHECK(ev.status == job_status::killed_by_watchdog);
  CAF_CHECK_EQUAL(ev.term_signal, SIGKILL);
  // The pings (for 800 ms) moved the 1 s deadline.
  CAF_CHECK_GREATER_OR_EQUAL(steady_clock::now() - running, 1500ms);
  auto err = lines(job, "stderr");
  CAF_CHECK(std::find(err.begin(), err.end(),
                      "signalbox: watchdog timeout, killing the job") !=
            err.end());
}

CAF_TEST(a notify job without READY within the start timeout fails) {
  opts.start_timeout = 300ms;
  auto spec = make_spec("never-ready", {"/bin/sleep", "30"});
  spec.notify = true;
  auto job = spawn(spec);
  auto started = steady_clock::now();
  start(job);
  expect_statuses(1, {job_status::starting});
  auto ev = next_change(1);
  CAF_CHECK(ev.status == job_status::failed_to_start);
  CAF_CHECK_EQUAL(ev.term_signal, SIGTERM);
  CAF_CHECK_GREATER_OR_EQUAL(steady_clock::now() - started, opts.start_timeout);
  auto info = get(job);
  CAF_CHECK_EQUAL(info.status_text,
                  "no READY=1 within 300 ms (jobs.start-timeout)");
  CAF_CHECK_EQUAL(info.pid, 0);
  auto err = lines(job, "stderr");
  CAF_CHECK(std::find(err.begin(), err.end(),
                      "signalbox: no READY=1 within 300 ms "
                      "(jobs.start-timeout), stopping the job") != err.end());
}

CAF_TEST(a notify job ready in time outlives its start timeout) {
  opts.start_timeout = 300ms;
  auto spec =
      make_spec("ready", {program("notify_client"), "send:READY=1", "hang"});
  spec.notify = true;
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  // What is tested is that nothing happens when the deadline passes, so
  // the test waits past it; the stop after it shows the run was left
  // alone: its next change is the stop, not a failure.
  std::this_thread::sleep_for(opts.start_timeout + 100ms);
  CAF_CHECK(get(job).status == job_status::running);
  stop(job);
  expect_statuses(1, {job_status::stopping, job_status::stopped});
}

CAF_TEST(a simple job with a watchdog must ping too) {
  auto spec = make_spec("silent", {"/bin/sleep", "30"});
  spec.watchdog_sec = 1;
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running,
                      job_status::killed_by_watchdog});
}

CAF_TEST(WATCHDOG_USEC overrides and WATCHDOG trigger kills) {
  auto spec = make_spec("short", {program("notify_client"),
                                  "send:WATCHDOG_USEC=200000|READY=1", "hang"});
  spec.notify = true;
  auto job = spawn(spec); // no configured watchdog: the job asks for one
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running,
                      job_status::killed_by_watchdog});
  auto trigger = spawn(make_spec("trigger", {program("notify_client"),
                                             "send:WATCHDOG=trigger", "hang"}),
                       2);
  start(trigger);
  expect_statuses(2, {job_status::starting, job_status::running,
                      job_status::killed_by_watchdog});
}

CAF_TEST(a stop is not a watchdog kill) {
  auto spec = make_spec(
      "pinger", {program("notify_client"), "send:READY=1", "ping:1000:50"});
  spec.notify = true;
  spec.watchdog_sec = 1;
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  stop(job);
  expect_statuses(1, {job_status::stopping, job_status::stopped});
}

// -- output -------------------------------------------------------------------

CAF_TEST(stdout and stderr are captured line by line) {
  auto job = spawn(make_spec(
      "talker", {"/bin/sh", "-c",
                 "echo out1; echo err1 >&2; echo out2; printf partial"}));
  auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  start(job);
  expect_statuses(
      1, {job_status::starting, job_status::running, job_status::exited});
  // The log is complete when the exit is published.
  CAF_CHECK_EQUAL(lines(job, "stdout"),
                  (std::vector<std::string>{"out1", "out2", "partial"}));
  CAF_CHECK_EQUAL(lines(job, "stderr"), std::vector<std::string>{"err1"});
  for (auto& x : log(job)) {
    CAF_CHECK_GREATER_OR_EQUAL(x.ts_ms, before);
    CAF_CHECK_LESS(x.ts_ms, before + 60000);
  }
}

CAF_TEST(long lines are cut and the ring is bounded) {
  opts.max_line_bytes = 8;
  opts.log_lines = 5;
  auto job = spawn(make_spec(
      "chatty", {"/bin/sh", "-c",
                 "echo 0123456789abcdef; for i in 1 2 3 4 5 6 7; do echo $i; "
                 "done"}));
  start(job);
  expect_statuses(
      1, {job_status::starting, job_status::running, job_status::exited});
  std::vector<std::string> all;
  for (auto& x : log(job, 100))
    all.push_back(x.line);
  CAF_CHECK_EQUAL(all, (std::vector<std::string>{"3", "4", "5", "6", "7"}));
  std::vector<std::string> last_two;
  for (auto& x : log(job, 2))
    last_two.push_back(x.line);
  CAF_CHECK_EQUAL(last_two, (std::vector<std::string>{"6", "7"}));
  CAF_CHECK(log(job, 0).empty());
  // The cut line, on its own.
  auto cut = spawn(
      make_spec("long", {"/bin/sh", "-c", "echo 0123456789abcdef; echo next"}),
      2);
  start(cut);
  expect_statuses(
      2, {job_status::starting, job_status::running, job_status::exited});
  CAF_CHECK_EQUAL(lines(cut, "stdout"),
                  (std::vector<std::string>{"01234567", "next"}));
}

// -- environment --------------------------------------------------------------

CAF_TEST(the job sees its environment and cwd) {
  temp_dir dir;
  ::setenv("SIGNALBOX_TEST_NODE_VAR", "from-node", 1);
  auto spec = make_spec(
      "env", {"/bin/sh", "-c",
              "echo \"$SIGNALBOX_URL|$SIGNALBOX_JOB_ID|$FOO|$WATCHDOG_USEC|"
              "$SIGNALBOX_TEST_NODE_VAR|$(pwd)\"; echo \"$NOTIFY_SOCKET\""});
  spec.env = {{"FOO", "bar baz"}, {"SIGNALBOX_JOB_ID", "spoofed"}};
  spec.cwd = dir.str();
  spec.watchdog_sec = 5;
  auto job = spawn(spec, 7);
  start(job);
  expect_statuses(
      7, {job_status::starting, job_status::running, job_status::exited});
  ::unsetenv("SIGNALBOX_TEST_NODE_VAR");
  auto out = lines(job, "stdout");
  CAF_REQUIRE_EQUAL(out.size(), 2u);
  CAF_CHECK_EQUAL(out[0], "http://127.0.0.1:1777|7|bar baz|5000000|from-node|" +
                              dir.str());
  CAF_CHECK_EQUAL(out[1].rfind("@signalbox/" + std::to_string(::getpid()), 0),
                  0u);
  CAF_CHECK(contains(out[1], "/job-7-1"));
}

CAF_TEST(without a watchdog there is no WATCHDOG_USEC) {
  ::setenv("WATCHDOG_USEC", "123", 1); // as if the node had a watchdog
  auto job = spawn(make_spec(
      "nowd", {"/bin/sh", "-c", "echo \"[${WATCHDOG_USEC-unset}]\""}));
  start(job);
  expect_statuses(
      1, {job_status::starting, job_status::running, job_status::exited});
  ::unsetenv("WATCHDOG_USEC");
  CAF_CHECK_EQUAL(lines(job, "stdout"), std::vector<std::string>{"[unset]"});
}

// -- requests -----------------------------------------------------------------

CAF_TEST(start of a running job changes nothing) {
  auto job = spawn(make_spec("sleeper", {"/bin/sleep", "30"}));
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto pid = get(job).pid;
  auto info = start(job);
  CAF_CHECK(info.status == job_status::running);
  CAF_CHECK_EQUAL(info.pid, pid);
  expect_silence(1, 100ms);
}

CAF_TEST(restart stops and starts again) {
  auto job = spawn(make_spec("sleeper", {"/bin/sleep", "30"}));
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto pid = get(job).pid;
  auto info = ask<job_info>(job, restart_atom_v);
  CAF_CHECK(info.status == job_status::stopping);
  expect_statuses(1, {job_status::stopping, job_status::stopped,
                      job_status::starting, job_status::running});
  info = get(job);
  CAF_CHECK_NOT_EQUAL(info.pid, pid);
  CAF_CHECK_EQUAL(info.restarts, 0u); // asked for, not automatic
  // Restart of a job that does not run starts it.
  auto idle = spawn(make_spec("idle", {"/bin/sleep", "30"}), 2);
  ask<job_info>(idle, restart_atom_v);
  expect_statuses(2, {job_status::starting, job_status::running});
}

CAF_TEST(update replaces the definition and restarts a running job) {
  auto job = spawn(make_spec("before", {"/bin/sleep", "30"}));
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto info = ask<job_info>(
      job, update_atom_v,
      make_spec("after", {"/bin/sh", "-c", "echo new; exec sleep 30"}));
  CAF_CHECK_EQUAL(info.spec.name, "after");
  // The edit itself is announced (with the current status), then the
  // restart follows.
  auto ev = next_change(1);
  CAF_CHECK(ev.status == job_status::running);
  CAF_CHECK_EQUAL(ev.name, "after");
  expect_statuses(1, {job_status::stopping, job_status::stopped,
                      job_status::starting, job_status::running});
  // An idle job is only edited.
  auto idle = spawn(make_spec("idle", {"/bin/true"}), 2);
  ask<job_info>(idle, update_atom_v, make_spec("idle2", {"/bin/false"}));
  ev = next_change(2);
  CAF_CHECK(ev.status == job_status::stopped);
  CAF_CHECK_EQUAL(ev.name, "idle2");
  expect_silence(2, 100ms);
}

CAF_TEST(shutdown answers once the process is reaped) {
  auto spec = make_spec("sigterm-ignorer", {program("ignore_sigterm")});
  spec.notify = true;
  auto job = spawn(spec);
  start(job);
  expect_statuses(1, {job_status::starting, job_status::running});
  auto pid = get(job).pid;
  ask<ok_atom>(job, shutdown_atom_v);
  // Reaped: the pid no longer names our child.
  CAF_CHECK_EQUAL(::kill(pid, 0), -1);
  expect_statuses(1, {job_status::stopping, job_status::stopped});
  // The actor is gone afterwards.
  self->request(job, patience, get_atom_v)
      .receive([](job_info&) { CAF_FAIL("the job actor still answers"); },
               [](caf::error&) {});
}

CAF_TEST(a job actor that goes away takes its process with it) {
  auto job = spawn(make_spec("orphan", {"/bin/sleep", "30"}));
  auto pid = start(job).pid;
  expect_statuses(1, {job_status::starting, job_status::running});
  auto pidfd = hal::open_pidfd(pid);
  CAF_REQUIRE(pidfd);
  caf::anon_send_exit(job, caf::exit_reason::kill);
  // The pidfd turns readable once the process has ended.
  pollfd pfd{pidfd.get(), POLLIN, 0};
  CAF_CHECK_EQUAL(::poll(&pfd, 1, 10000), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
