// Runs a scenario: builds its clients on one io_context, connects them at
// the scenario's rate, lets the publishers publish for duration_ms, waits
// until everything sent has arrived (or drain_ms passed), closes, and
// gathers the results. A control timer on its own strand drives the phases
// and the progress line; no thread sleeps.
#pragma once

#include <optional>
#include <sys/types.h>

#include "tools/load/results.hpp"
#include "tools/load/scenario.hpp"

namespace signalbox::load {

struct run_options {
  unsigned threads = 2;
  std::optional<pid_t> server_pid;
  /// No progress line.
  bool quiet = false;
};

/// Throws std::runtime_error when the run cannot start (host does not
/// resolve, server pid unreadable).
results run_scenario(const scenario& s, const run_options& opts);

} // namespace signalbox::load
