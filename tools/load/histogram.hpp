// A latency histogram in the style of HdrHistogram: log-linear buckets, so
// that every recorded value is kept with a bounded relative error (below
// 1/sub_buckets, 0.8 %) over the whole range of uint64, in constant memory
// and with O(1) recording. Pure: no clock, no locking (the caller decides
// how to share it).
//
// Layout: values below 2*S (S = sub_buckets) have a bucket each (exact).
// Above that, every power-of-two range [2^e, 2^(e+1)) is split into S equal
// buckets, the "mantissa" being the top log2(S)+1 bits of the value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace signalbox::load {

class histogram {
public:
  /// log2 of the buckets per power of two.
  static constexpr unsigned sub_bits = 7;
  static constexpr uint64_t sub_buckets = uint64_t{1} << sub_bits;
  /// Enough buckets for every uint64 value.
  static constexpr size_t bucket_count = (64 - sub_bits + 1) * sub_buckets;

  histogram() : counts_(bucket_count, 0) {}

  /// The bucket that holds `value`.
  static size_t bucket_of(uint64_t value) {
    if (value < 2 * sub_buckets)
      return static_cast<size_t>(value);
    unsigned top_bit = 63 - static_cast<unsigned>(__builtin_clzll(value));
    unsigned shift = top_bit - sub_bits;
    uint64_t mantissa = value >> shift; // in [S, 2S)
    return static_cast<size_t>(shift * sub_buckets + mantissa);
  }

  /// The smallest value that falls into bucket `index`.
  static uint64_t lowest_in(size_t index) {
    if (index < 2 * sub_buckets)
      return index;
    uint64_t shift = index / sub_buckets - 1;
    uint64_t mantissa = index - shift * sub_buckets;
    return mantissa << shift;
  }

  /// The largest value that falls into bucket `index`.
  static uint64_t highest_in(size_t index) {
    if (index < 2 * sub_buckets)
      return index;
    uint64_t shift = index / sub_buckets - 1;
    uint64_t mantissa = index - shift * sub_buckets;
    // For the last bucket (mantissa + 1) << shift overflows to 0, and
    // 0 - 1 is exactly UINT64_MAX, its highest value.
    return ((mantissa + 1) << shift) - 1;
  }

  void record(uint64_t value, uint64_t times = 1) {
    if (times == 0)
      return;
    counts_[bucket_of(value)] += times;
    if (count_ == 0 || value < min_)
      min_ = value;
    max_ = std::max(max_, value);
    count_ += times;
    sum_ += static_cast<long double>(value) * times;
  }

  void merge(const histogram& other) {
    if (other.count_ == 0)
      return;
    for (size_t i = 0; i < bucket_count; ++i)
      counts_[i] += other.counts_[i];
    min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    count_ += other.count_;
    sum_ += other.sum_;
  }

  uint64_t count() const { return count_; }
  /// 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
  }

  /// The value below or at which `percentile` % of the recorded values lie,
  /// reported (like HdrHistogram) as the highest value of its bucket, but
  /// never above the largest value recorded. 0 when empty.
  uint64_t percentile(double percentile) const {
    if (count_ == 0)
      return 0;
    double clamped = std::clamp(percentile, 0.0, 100.0);
    auto rank = static_cast<uint64_t>(
        std::ceil(clamped / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < bucket_count; ++i) {
      seen += counts_[i];
      if (seen >= rank)
        return std::clamp(highest_in(i), min_, max_);
    }
    return max_;
  }

private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = 0;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

} // namespace signalbox::load
