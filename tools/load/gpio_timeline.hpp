// The send times of one gpio writer's toggles, shared with the subscribers
// (same process, same steady clock): a gpioupdate carries only the line and
// its value, so the k-th update a subscriber sees for a line is matched to
// the k-th write to it. That holds because exactly one writer toggles each
// line, with one request in flight, and the node reports every change in
// order.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace signalbox::load {

class gpio_timeline {
public:
  explicit gpio_timeline(std::string line) : line_(std::move(line)) {}

  const std::string& line() const { return line_; }

  /// The value the line had before the run (read by the writer while
  /// connecting); the first toggle writes its opposite.
  void set_initial(int value) {
    std::lock_guard<std::mutex> guard{mtx_};
    initial_ = value;
  }

  int initial() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return initial_;
  }

  /// Records the send time of the next write; returns the value to write.
  int next_write(uint64_t t_ns) {
    std::lock_guard<std::mutex> guard{mtx_};
    sent_.push_back(t_ns);
    return (initial_ + static_cast<int>(sent_.size())) % 2;
  }

  /// The send time of write number `k` (1-based).
  std::optional<uint64_t> sent_at(uint64_t k) const {
    std::lock_guard<std::mutex> guard{mtx_};
    if (k == 0 || k > sent_.size())
      return std::nullopt;
    return sent_[k - 1];
  }

private:
  std::string line_;
  mutable std::mutex mtx_;
  int initial_ = 0;
  std::vector<uint64_t> sent_;
};

} // namespace signalbox::load
