#define CAF_SUITE job_restart
#include <fstream>

#include "actors/job.hpp"
#include "job_fixture.hpp"

using namespace signalbox;
using namespace signalbox::test;
using std::chrono::milliseconds;

namespace {

using fixture = job_actor_fixture;

// The gaps between the start times (nanoseconds since the epoch, one per
// line) a job wrote into `file`.
std::vector<std::chrono::nanoseconds> start_gaps(const std::string& file) {
  std::ifstream in{file};
  std::vector<int64_t> starts;
  for (int64_t ns; in >> ns;)
    starts.push_back(ns);
  std::vector<std::chrono::nanoseconds> gaps;
  for (size_t i = 1; i < starts.size(); ++i)
    gaps.emplace_back(starts[i] - starts[i - 1]);
  return gaps;
}

} // namespace

// -- pure decisions -----------------------------------------------------------

CAF_TEST(which ends each policy restarts after) {
  using s = job_status;
  for (auto end : {s::failed_to_start, s::exited, s::exited_with_error,
                   s::crashed, s::killed_by_watchdog, s::stopped}) {
    CAF_CHECK(!restarts_after(restart_policy::no, end));
  }
  CAF_CHECK(restarts_after(restart_policy::on_failure, s::failed_to_start));
  CAF_CHECK(!restarts_after(restart_policy::on_failure, s::exited));
  CAF_CHECK(restarts_after(restart_policy::on_failure, s::exited_with_error));
  CAF_CHECK(restarts_after(restart_policy::on_failure, s::crashed));
  CAF_CHECK(restarts_after(restart_policy::on_failure, s::killed_by_watchdog));
  CAF_CHECK(!restarts_after(restart_policy::on_failure, s::stopped));
  CAF_CHECK(restarts_after(restart_policy::always, s::failed_to_start));
  CAF_CHECK(restarts_after(restart_policy::always, s::exited));
  CAF_CHECK(restarts_after(restart_policy::always, s::exited_with_error));
  CAF_CHECK(restarts_after(restart_policy::always, s::crashed));
  CAF_CHECK(restarts_after(restart_policy::always, s::killed_by_watchdog));
  CAF_CHECK(!restarts_after(restart_policy::always, s::stopped));
}

CAF_TEST(the back - off doubles up to its cap) {
  job_options opts;
  opts.restart_delay = milliseconds{100};
  opts.restart_delay_max = milliseconds{1000};
  CAF_CHECK_EQUAL(restart_backoff(opts, 0).count(), 100);
  CAF_CHECK_EQUAL(restart_backoff(opts, 1).count(), 200);
  CAF_CHECK_EQUAL(restart_backoff(opts, 2).count(), 400);
  CAF_CHECK_EQUAL(restart_backoff(opts, 3).count(), 800);
  CAF_CHECK_EQUAL(restart_backoff(opts, 4).count(), 1000);
  CAF_CHECK_EQUAL(restart_backoff(opts, 64).count(), 1000);
  CAF_CHECK_EQUAL(restart_backoff(opts, UINT32_MAX).count(), 1000);
  // A cap below the first delay: the first delay counts.
  opts.restart_delay_max = milliseconds{50};
  CAF_CHECK_EQUAL(restart_backoff(opts, 3).count(), 100);
  // No delay at all stays no delay.
  opts.restart_delay = milliseconds{0};
  CAF_CHECK_EQUAL(restart_backoff(opts, 5).count(), 0);
}

CAF_TEST(watchdog timeouts are bounded) {
  CAF_CHECK_EQUAL(watchdog_timeout(0).count(), 0);
  CAF_CHECK_EQUAL(watchdog_timeout(1).count(), 1);
  CAF_CHECK_EQUAL(watchdog_timeout(5000000).count(), 5000000);
  // UINT32_MAX seconds, as a configuration could say: 30 days.
  auto thirty_days = int64_t{30} * 24 * 3600 * 1000 * 1000;
  CAF_CHECK_EQUAL(watchdog_timeout(uint64_t{UINT32_MAX} * 1000000).count(),
                  thirty_days);
  CAF_CHECK_EQUAL(watchdog_timeout(UINT64_MAX - 1).count(), thirty_days);
  CAF_CHECK_EQUAL(watchdog_timeout(UINT64_MAX).count(), 0); // infinity
}

CAF_TEST_FIXTURE_SCOPE(job_restart_tests, fixture)

CAF_TEST(on - failure restarts after an error exit) {
  auto job = spawn(make_spec("fails", {"/bin/sh", "-c", "exit 2"},
                             restart_policy::on_failure));
  ask<job_info>(job, start_atom_v);
  expect_statuses(1, {job_status::starting, job_status::running,
                      job_status::exited_with_error, job_status::starting,
                      job_status::running, job_status::exited_with_error,
                      job_status::starting});
  CAF_CHECK_GREATER_OR_EQUAL(get(job).restarts, 2u);
  // A start request resets the count.
  ask<job_info>(job, stop_atom_v);
  ask<job_info>(job, start_atom_v);
  CAF_CHECK_EQUAL(get(job).restarts, 0u);
}

CAF_TEST(on - failure does not restart after a clean exit) {
  auto job = spawn(make_spec("ok", {"/bin/true"}, restart_policy::on_failure));
  ask<job_info>(job, start_atom_v);
  expect_statuses(
      1, {job_status::starting, job_status::running, job_status::exited});
  expect_silence(1, 4 * opts.restart_delay);
  CAF_CHECK(get(job).status == job_status::exited);
}

CAF_TEST(on - failure restarts after a crash and a failed start) {
  auto crash = spawn(
      make_spec("segv", {program("crash_segv")}, restart_policy::on_failure));
  ask<job_info>(crash, start_atom_v);
  expect_statuses(1, {job_status::starting, job_status::running,
                      job_status::crashed, job_status::starting});
  auto missing = spawn(
      make_spec("missing", {"/nonexistent"}, restart_policy::on_failure), 2);
  ask<job_info>(missing, start_atom_v);
  expect_statuses(2, {job_status::starting, job_status::failed_to_start,
                      job_status::starting, job_status::failed_to_start});
  CAF_CHECK_GREATER_OR_EQUAL(get(missing).restarts, 1u);
}

CAF_TEST(policy no never restarts) {
  auto job = spawn(make_spec("once", {"/bin/false"}, restart_policy::no));
  ask<job_info>(job, start_atom_v);
  expect_statuses(1, {job_status::starting, job_status::running,
                      job_status::exited_with_error});
  expect_silence(1, 4 * opts.restart_delay);
}

CAF_TEST(always restarts after a clean exit) {
  auto job = spawn(make_spec("loop", {"/bin/true"}, restart_policy::always));
  ask<job_info>(job, start_atom_v);
  expect_statuses(1, {job_status::starting, job_status::running,
                      job_status::exited, job_status::starting,
                      job_status::running, job_status::exited});
  CAF_CHECK_GREATER_OR_EQUAL(get(job).restarts, 1u);
}

CAF_TEST(stop cancels a pending restart) {
  opts.restart_delay = milliseconds{300};
  opts.restart_delay_max = milliseconds{300};
  auto job = spawn(make_spec("fails", {"/bin/false"}, restart_policy::always));
  ask<job_info>(job, start_atom_v);
  expect_statuses(1, {job_status::starting, job_status::running,
                      job_status::exited_with_error});
  // The restart is pending now (300 ms): a stop turns it into stopped.
  auto info = ask<job_info>(job, stop_atom_v);
  CAF_CHECK(info.status == job_status::stopped);
  expect_statuses(1, {job_status::stopped});
  expect_silence(1, 2 * opts.restart_delay);
  CAF_CHECK(get(job).status == job_status::stopped);
}

CAF_TEST(a stop during a run does not restart) {
  auto job =
      spawn(make_spec("sleeper", {"/bin/sleep", "30"}, restart_policy::always));
  ask<job_info>(job, start_atom_v);
  expect_statuses(1, {job_status::starting, job_status::running});
  ask<job_info>(job, stop_atom_v);
  expect_statuses(1, {job_status::stopping, job_status::stopped});
  expect_silence(1, 4 * opts.restart_delay);
}

CAF_TEST(the back - off grows between quick failures) {
  opts.restart_delay = milliseconds{100};
  opts.restart_delay_max = milliseconds{400};
  temp_dir dir;
  auto file = dir.str() + "/starts";
  // Each run notes when it started (the process's own clock, so that the
  // test thread's scheduling does not distort the gaps).
  auto job = spawn(make_spec(
      "fails", {"/bin/sh", "-c", "date +%s%N >> " + file + "; exit 1"},
      restart_policy::always));
  ask<job_info>(job, start_atom_v);
  for (int run = 0; run < 5; ++run)
    expect_statuses(1, {job_status::starting, job_status::running,
                        job_status::exited_with_error});
  ask<job_info>(job, stop_atom_v);
  // Delays before restarts 1..4: 100, 200, 400, 400 ms. A gap between two
  // starts is the run plus the delay, so the delay is a lower bound.
  auto gaps = start_gaps(file);
  CAF_REQUIRE_GREATER_OR_EQUAL(gaps.size(), 4u);
  std::vector<milliseconds> delays{milliseconds{100}, milliseconds{200},
                                   milliseconds{400}, milliseconds{400}};
  for (size_t i = 0; i < delays.size(); ++i)
    CAF_CHECK_GREATER_OR_EQUAL(gaps[i], delays[i]);
}

CAF_TEST(a stable run resets the back - off) {
  opts.restart_delay = milliseconds{100};
  opts.restart_delay_max = milliseconds{10000};
  opts.stable_after = milliseconds{200};
  temp_dir dir;
  auto file = dir.str() + "/starts";
  // Every run lasts 300 ms, longer than stable_after: every delay is
  // 100 ms. Without the reset they would be 100, 200, 400, 800 ms.
  auto job = spawn(make_spec(
      "steady",
      {"/bin/sh", "-c", "date +%s%N >> " + file + "; sleep 0.3; exit 1"},
      restart_policy::always));
  ask<job_info>(job, start_atom_v);
  for (int run = 0; run < 5; ++run)
    expect_statuses(1, {job_status::starting, job_status::running,
                        job_status::exited_with_error});
  ask<job_info>(job, stop_atom_v);
  auto gaps = start_gaps(file);
  CAF_REQUIRE_GREATER_OR_EQUAL(gaps.size(), 4u);
  for (auto gap : gaps)
    CAF_CHECK_GREATER_OR_EQUAL(gap, milliseconds{400});
  // 300 ms + 100 ms and some overhead; without the reset 300 + 800 ms.
  CAF_CHECK_LESS(gaps[3], milliseconds{900});
}

CAF_TEST(a watchdog kill is restarted by on - failure) {
  auto spec =
      make_spec("hangs", {"/bin/sleep", "30"}, restart_policy::on_failure);
  spec.watchdog_sec = 1;
  auto job = spawn(spec);
  ask<job_info>(job, start_atom_v);
  expect_statuses(1, {job_status::starting, job_status::running,
                      job_status::killed_by_watchdog, job_status::starting,
                      job_status::running});
  CAF_CHECK_EQUAL(get(job).restarts, 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
