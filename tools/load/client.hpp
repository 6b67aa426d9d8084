// What the runner needs from every simulated client. Each client lives on
// its own strand of the shared io_context; these calls may come from any
// thread and post onto that strand.
#pragma once

#include <chrono>

namespace signalbox::load {

using clock = std::chrono::steady_clock;

class client {
public:
  virtual ~client() = default;

  /// Connects and sets up (subscribe, query, con...). Counts
  /// run_stats::connects_* and, once set up, run_stats::ready.
  virtual void connect() = 0;

  /// Publishers start sending at their rate and stop at `until`; the
  /// others ignore it.
  virtual void start(clock::time_point until) {}

  /// Closes the connection (politely when it can) and stops every timer.
  virtual void close() = 0;
};

} // namespace signalbox::load
