// Follows one process's CPU time and RSS over a run (proc_stats.hpp):
// samples at the phase boundaries and once per second in between.
#pragma once

#include <chrono>
#include <optional>

#include "tools/load/proc_stats.hpp"
#include "tools/load/results.hpp"

namespace signalbox::load {

class usage_tracker {
public:
  explicit usage_tracker(pid_t pid) : pid_(pid) { usage_.pid = pid; }

  /// Before connecting; false when the process cannot be read.
  bool start();
  /// Every client set up; CPU time counts from here.
  void connected();
  /// Once per second: RSS maximum, and the CPU use since the last call.
  void sample();
  /// After draining.
  void end();

  const process_usage& usage() const { return usage_; }
  uint64_t rss_kib() const { return last_rss_; }
  /// CPU use between the last two samples, in % of one core.
  double recent_cpu_percent() const { return recent_cpu_; }

private:
  using clock = std::chrono::steady_clock;

  std::optional<proc_sample> take();

  pid_t pid_;
  process_usage usage_;
  uint64_t last_rss_ = 0;
  double recent_cpu_ = 0;
  proc_sample prev_{};
  clock::time_point prev_at_{};
  proc_sample run_start_{};
  clock::time_point run_start_at_{};
};

} // namespace signalbox::load
