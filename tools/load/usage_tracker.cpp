#include "tools/load/usage_tracker.hpp"

#include <algorithm>

namespace signalbox::load {

namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

} // namespace

std::optional<proc_sample> usage_tracker::take() {
  auto s = sample_process(pid_);
  if (!s)
    return std::nullopt;
  auto now = clock::now();
  if (prev_at_ != clock::time_point{} && now > prev_at_)
    recent_cpu_ = 100.0 * static_cast<double>(s->cpu_ticks - prev_.cpu_ticks) /
                  ticks_per_second() / seconds(now - prev_at_);
  prev_ = *s;
  prev_at_ = now;
  last_rss_ = s->rss_kib;
  usage_.rss_kib_max = std::max(usage_.rss_kib_max, s->rss_kib);
  return s;
}

bool usage_tracker::start() {
  auto s = take();
  if (!s)
    return false;
  usage_.rss_kib_start = s->rss_kib;
  run_start_ = *s;
  run_start_at_ = prev_at_;
  return true;
}

void usage_tracker::connected() {
  if (auto s = take()) {
    usage_.rss_kib_connected = s->rss_kib;
    run_start_ = *s;
    run_start_at_ = prev_at_;
  }
}

void usage_tracker::sample() {
  take();
}

void usage_tracker::end() {
  if (auto s = take()) {
    usage_.rss_kib_end = s->rss_kib;
    usage_.rss_anon_kib_end = s->rss_anon_kib;
    usage_.rss_hwm_kib_end = s->rss_hwm_kib;
    usage_.cpu_seconds =
        static_cast<double>(s->cpu_ticks - run_start_.cpu_ticks) /
        ticks_per_second();
    auto wall = seconds(prev_at_ - run_start_at_);
    usage_.cpu_percent = wall > 0 ? 100.0 * usage_.cpu_seconds / wall : 0;
  }
}

} // namespace signalbox::load
