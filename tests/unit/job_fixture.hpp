// Shared pieces of the job suites: a real actor_system and io_context (jobs
// run real processes, so nothing here is deterministic), a scoped actor that
// has joined "ttm/jobs" and receives the published notifications with
// timeouts, and short supervision timings.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/interfaces.hpp"
#include "actors/job.hpp"
#include "config/options.hpp"
#include "core/errors.hpp"
#include "fixture.hpp"

namespace signalbox::test {

using namespace std::chrono_literals;

/// How long a test waits for something that must happen.
constexpr auto patience = std::chrono::seconds{10};

/// The test programs (tests/programs/*.cpp).
inline std::string program(const std::string& name) {
  return std::string{SIGNALBOX_TEST_PROGRAMS} + "/" + name;
}

/// A job definition running `command`.
inline job_spec make_spec(std::string name, std::vector<std::string> command,
                          restart_policy restart = restart_policy::no) {
  job_spec spec;
  spec.name = std::move(name);
  spec.command = std::move(command);
  spec.restart = restart;
  spec.autostart = false;
  return spec;
}

/// An io_context run by one thread while the fixture lives.
struct io_runner {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      guard{io.get_executor()};
  std::thread thread{[this] { io.run(); }};

  ~io_runner() {
    guard.reset();
    io.stop();
    thread.join();
  }
};

struct job_fixture {
  // Destroyed in reverse order: the actors (and their process monitors)
  // are gone before the io_context is.
  io_runner loop;
  config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  job_options opts;

  job_fixture() {
    opts.stop_grace = 300ms;
    opts.restart_delay = 50ms;
    opts.restart_delay_max = 200ms;
    opts.stable_after = 10s;
    opts.log_lines = 50;
    opts.max_line_bytes = 4096;
    opts.environment["SIGNALBOX_URL"] = "http://127.0.0.1:1777";
    self->join(sys.groups().get_local(groups::jobs));
  }

  /// The next notification the test has been sent, or a test failure after
  /// `timeout`.
  notification_ptr next_notification(caf::timespan timeout = patience) {
    notification_ptr result;
    self->receive(
        [&](notify_atom, const notification_ptr& ptr) { result = ptr; },
        caf::after(timeout) >> [&] {});
    return result;
  }

  /// The next status change of job `id` (others are skipped).
  job_status_changed next_change(uint64_t id) {
    for (;;) {
      auto ptr = next_notification();
      if (!ptr)
        CAF_FAIL("no status change of job " << id << " in time");
      auto ev = std::get_if<job_status_changed>(&ptr->event());
      if (ev != nullptr && ev->job_id == id)
        return *ev;
    }
  }

  /// Checks that job `id` goes through exactly `statuses` next.
  void expect_statuses(uint64_t id, std::vector<job_status> statuses) {
    for (auto expected : statuses) {
      auto ev = next_change(id);
      CAF_CHECK_EQUAL(to_string(ev.status), to_string(expected));
      if (ev.status != expected)
        return;
    }
  }

  /// Checks that nothing about job `id` is published within `quiet` (the
  /// absence of an event can only be checked for a while).
  void expect_silence(uint64_t id, caf::timespan quiet) {
    auto deadline = std::chrono::steady_clock::now() + quiet;
    for (;;) {
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= left.zero())
        return;
      auto ptr =
          next_notification(std::chrono::duration_cast<caf::timespan>(left));
      if (!ptr)
        return;
      if (auto ev = std::get_if<job_status_changed>(&ptr->event());
          ev != nullptr && ev->job_id == id)
        CAF_FAIL("unexpected status " << to_string(ev->status) << " of job "
                                      << id);
    }
  }

  /// Sends a request and answers the reply, failing the test on an error.
  template <class Result, class Handle, class... Ts>
  Result ask(const Handle& hdl, Ts... xs) {
    std::optional<Result> result;
    self->request(hdl, patience, xs...)
        .receive([&](Result& x) { result = std::move(x); },
                 [&](caf::error& err) {
                   CAF_FAIL("request failed: " << text_of(err));
                 });
    return std::move(*result);
  }

  /// Sends a request that must fail and answers the error.
  template <class Result, class Handle, class... Ts>
  caf::error ask_error(const Handle& hdl, Ts... xs) {
    caf::error result;
    self->request(hdl, patience, xs...)
        .receive([&](Result&) { CAF_FAIL("request unexpectedly succeeded"); },
                 [&](caf::error& err) { result = std::move(err); });
    return result;
  }
};

/// A job_fixture that spawns job actors and stops every one of them (and so
/// its process) when the test ends: no process outlives its test.
struct job_actor_fixture : job_fixture {
  std::vector<job_actor> jobs;

  ~job_actor_fixture() {
    for (auto& job : jobs)
      self->request(job, patience, shutdown_atom_v)
          .receive([](ok_atom) {}, [](caf::error&) {});
  }

  job_actor spawn(job_spec spec, uint64_t id = 1,
                  job_origin origin = job_origin::config) {
    job_setup setup;
    setup.id = id;
    setup.spec = std::move(spec);
    setup.origin = origin;
    setup.options = opts;
    auto job = spawn_job(sys, loop.io, std::move(setup));
    jobs.push_back(job);
    return job;
  }

  job_info get(const job_actor& job) { return ask<job_info>(job, get_atom_v); }
};

} // namespace signalbox::test
