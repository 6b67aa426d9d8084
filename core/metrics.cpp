#include "core/metrics.hpp"

#include <algorithm>

namespace signalbox::metrics {

histogram::histogram(std::vector<double> bounds_seconds)
    : bounds_(std::move(bounds_seconds)),
      counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (auto b : bounds_)
    bounds_ns_.push_back(static_cast<int64_t>(b * 1e9));
  for (size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i].store(0, std::memory_order_relaxed);
}

void histogram::observe(std::chrono::nanoseconds duration) {
  auto ns = std::max<int64_t>(duration.count(), 0);
  auto at = std::lower_bound(bounds_ns_.begin(), bounds_ns_.end(), ns) -
            bounds_ns_.begin();
  counts_[at].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

prometheus::histogram_sample
histogram::snapshot(prometheus::label_list labels) const {
  prometheus::histogram_sample out;
  out.labels = std::move(labels);
  uint64_t running = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out.buckets.emplace_back(bounds_[i], running);
  }
  running += counts_[bounds_.size()].load(std::memory_order_relaxed);
  out.count = running;
  out.sum = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return out;
}

std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::shared_ptr<counter_family>
registry::counters(const std::string& name, const std::string& help,
                   std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& f : counters_)
    if (f->name() == name)
      return f;
  auto f =
      std::make_shared<counter_family>(name, help, std::move(label_names), [] {
        return std::make_shared<counter>();
      });
  counters_.push_back(f);
  order_.push_back(name);
  return f;
}

std::shared_ptr<histogram_family>
registry::histograms(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names,
                     std::vector<double> bounds) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& f : histograms_)
    if (f->name() == name)
      return f;
  auto f = std::make_shared<histogram_family>(
      name, help, std::move(label_names),
      [bounds] { return std::make_shared<histogram>(bounds); });
  histograms_.push_back(f);
  order_.push_back(name);
  return f;
}

void registry::add_collector(collector c) {
  std::lock_guard<std::mutex> guard{mtx_};
  collectors_.push_back(std::move(c));
}

std::vector<prometheus::family> registry::collect() const {
  std::vector<prometheus::family> out;
  std::vector<collector> collectors;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& name : order_) {
      prometheus::family f;
      f.name = name;
      auto c = std::find_if(counters_.begin(), counters_.end(),
                            [&](auto& x) { return x->name() == name; });
      if (c != counters_.end()) {
        f.help = (*c)->help();
        f.type = prometheus::metric_type::counter;
        (*c)->each([&](prometheus::label_list labels, const counter& m) {
          f.samples.push_back(
              {std::move(labels), static_cast<double>(m.value())});
        });
      } else {
        auto h = std::find_if(histograms_.begin(), histograms_.end(),
                              [&](auto& x) { return x->name() == name; });
        f.help = (*h)->help();
        f.type = prometheus::metric_type::histogram;
        (*h)->each([&](prometheus::label_list labels, const histogram& m) {
          f.histograms.push_back(m.snapshot(std::move(labels)));
        });
      }
      out.push_back(std::move(f));
    }
    collectors = collectors_;
  }
  // Outside the lock: a collector may take locks of its own (a listener's
  // sessions).
  for (auto& c : collectors)
    c(out);
  return out;
}

std::string registry::render() const {
  return prometheus::encode(collect());
}

} // namespace signalbox::metrics
