// The node's own metrics (GET /metrics): counters and latency histograms
// that the code counting into them owns a handle of, and collectors that
// read gauges (connections, queued bytes, process figures) when scraped.
//
// Counting is one relaxed atomic add on a counter the caller holds: no
// lookup, no lock and no allocation in a hot path. Families and their
// labelled series are created under a lock, once per series (a job, a GPIO
// line, a REST route), and live as long as any holder.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/prometheus_text.hpp"

namespace signalbox::metrics {

/// A count that only grows.
class counter {
public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> value_{0};
};

/// Durations counted into fixed buckets (upper bounds in seconds).
class histogram {
public:
  explicit histogram(std::vector<double> bounds_seconds);

  void observe(std::chrono::nanoseconds duration);

  /// Cumulative buckets, sum and count as the exposition format wants them;
  /// the count is the buckets' total, so that the +Inf bucket is never
  /// below a finite one while observations race with the scrape.
  prometheus::histogram_sample snapshot(prometheus::label_list labels) const;

private:
  std::vector<double> bounds_;
  std::vector<int64_t> bounds_ns_;
  // One per bound plus the overflow bucket; not cumulative.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> sum_ns_{0};
};

/// Latency buckets from 100 µs to 10 s.
std::vector<double> latency_buckets();

/// A family of one kind of metric: its series by label values.
template <class Metric>
class family {
public:
  using factory = std::function<std::shared_ptr<Metric>()>;

  family(std::string name, std::string help, std::vector<std::string> labels,
         factory make)
      : name_(std::move(name)), help_(std::move(help)),
        labels_(std::move(labels)), make_(std::move(make)) {
    // nop
  }

  /// The series with these label values (as many as the family's label
  /// names), created on first use.
  std::shared_ptr<Metric> with(std::vector<std::string> values) {
    std::lock_guard<std::mutex> guard{mtx_};
    auto& slot = series_[std::move(values)];
    if (!slot)
      slot = make_();
    return slot;
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }

  /// Every series with its labels, in label order.
  template <class F>
  void each(F f) const {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& [values, metric] : series_) {
      prometheus::label_list labels;
      for (size_t i = 0; i < labels_.size() && i < values.size(); ++i)
        labels.emplace_back(labels_[i], values[i]);
      f(std::move(labels), *metric);
    }
  }

private:
  std::string name_;
  std::string help_;
  std::vector<std::string> labels_;
  factory make_;
  mutable std::mutex mtx_;
  std::map<std::vector<std::string>, std::shared_ptr<Metric>> series_;
};

using counter_family = family<counter>;
using histogram_family = family<histogram>;

/// Everything GET /metrics shows.
class registry {
public:
  /// Reads gauges at scrape time and appends their families.
  using collector = std::function<void(std::vector<prometheus::family>&)>;

  /// The counter family `name` (ending in _total), created on first use;
  /// later calls with the same name return the same family.
  std::shared_ptr<counter_family>
  counters(const std::string& name, const std::string& help,
           std::vector<std::string> label_names = {});

  /// The histogram family `name` (ending in _seconds), likewise.
  std::shared_ptr<histogram_family>
  histograms(const std::string& name, const std::string& help,
             std::vector<std::string> label_names = {},
             std::vector<double> bounds = latency_buckets());

  void add_collector(collector c);

  /// Counter and histogram families in the order they were first asked
  /// for, then the collectors' in the order they were added.
  std::vector<prometheus::family> collect() const;

  /// collect() as exposition text.
  std::string render() const;

private:
  mutable std::mutex mtx_;
  std::vector<std::shared_ptr<counter_family>> counters_;
  std::vector<std::shared_ptr<histogram_family>> histograms_;
  std::vector<std::string> order_; // family names as first asked for
  std::vector<collector> collectors_;
};

using registry_ptr = std::shared_ptr<registry>;

} // namespace signalbox::metrics
