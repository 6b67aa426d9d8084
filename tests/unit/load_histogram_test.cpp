#define CAF_SUITE load_histogram

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include <caf/test/dsl.hpp>

#include "tools/load/histogram.hpp"

using signalbox::load::histogram;

namespace {

constexpr uint64_t max_u64 = std::numeric_limits<uint64_t>::max();

} // namespace

CAF_TEST(an empty histogram reports zeros) {
  histogram h;
  CAF_CHECK_EQUAL(h.count(), 0u);
  CAF_CHECK_EQUAL(h.min(), 0u);
  CAF_CHECK_EQUAL(h.max(), 0u);
  CAF_CHECK_EQUAL(h.mean(), 0.0);
  CAF_CHECK_EQUAL(h.percentile(50), 0u);
  CAF_CHECK_EQUAL(h.percentile(100), 0u);
}

CAF_TEST(small values are kept exactly) {
  for (uint64_t v = 0; v < 2 * histogram::sub_buckets; ++v) {
    CAF_CHECK_EQUAL(histogram::bucket_of(v), v);
    CAF_CHECK_EQUAL(histogram::lowest_in(v), v);
    CAF_CHECK_EQUAL(histogram::highest_in(v), v);
  }
  histogram h;
  for (uint64_t v = 1; v <= 100; ++v)
    h.record(v);
  CAF_CHECK_EQUAL(h.count(), 100u);
  CAF_CHECK_EQUAL(h.min(), 1u);
  CAF_CHECK_EQUAL(h.max(), 100u);
  CAF_CHECK_EQUAL(h.mean(), 50.5);
  CAF_CHECK_EQUAL(h.percentile(50), 50u);
  CAF_CHECK_EQUAL(h.percentile(90), 90u);
  CAF_CHECK_EQUAL(h.percentile(99), 99u);
  CAF_CHECK_EQUAL(h.percentile(99.9), 100u);
  CAF_CHECK_EQUAL(h.percentile(100), 100u);
  CAF_CHECK_EQUAL(h.percentile(0), 1u);
}

CAF_TEST(buckets tile the whole range without gaps or overlaps) {
  // Walk every bucket: each starts right after the previous one ends, and
  // both of its bounds map back to it.
  uint64_t expected_low = 0;
  for (size_t i = 0; i < histogram::bucket_count; ++i) {
    uint64_t low = histogram::lowest_in(i);
    uint64_t high = histogram::highest_in(i);
    CAF_REQUIRE_EQUAL(low, expected_low);
    CAF_REQUIRE(high >= low);
    CAF_REQUIRE_EQUAL(histogram::bucket_of(low), i);
    CAF_REQUIRE_EQUAL(histogram::bucket_of(high), i);
    expected_low = high + 1; // wraps to 0 after the last bucket
  }
  CAF_CHECK_EQUAL(histogram::highest_in(histogram::bucket_count - 1), max_u64);
  CAF_CHECK_EQUAL(histogram::bucket_of(max_u64), histogram::bucket_count - 1);
}

CAF_TEST(the relative error stays below one sub bucket) {
  std::mt19937_64 rng{42};
  for (int i = 0; i < 100000; ++i) {
    // Spread over all magnitudes: a random value shifted by a random amount.
    uint64_t v = rng() >> (rng() % 64);
    size_t b = histogram::bucket_of(v);
    uint64_t width = histogram::highest_in(b) - histogram::lowest_in(b);
    CAF_REQUIRE(v >= histogram::lowest_in(b));
    CAF_REQUIRE(v <= histogram::highest_in(b));
    CAF_REQUIRE(static_cast<long double>(width) <=
                static_cast<long double>(v) / histogram::sub_buckets);
  }
}

CAF_TEST(percentiles of a uniform distribution are within the error bound) {
  histogram h;
  for (uint64_t v = 1; v <= 1000000; ++v)
    h.record(v * 1000); // 1 µs .. 1 s in ns
  auto near = [](uint64_t got, double want) {
    return std::abs(static_cast<double>(got) - want) <= want / 100.0;
  };
  CAF_CHECK(near(h.percentile(50), 500e6));
  CAF_CHECK(near(h.percentile(90), 900e6));
  CAF_CHECK(near(h.percentile(99), 990e6));
  CAF_CHECK(near(h.percentile(99.9), 999e6));
  CAF_CHECK_EQUAL(h.percentile(100), 1000000000u);
  CAF_CHECK_EQUAL(h.min(), 1000u);
  CAF_CHECK_EQUAL(h.max(), 1000000000u);
  CAF_CHECK(std::abs(h.mean() - 500000500.0) < 1.0);
}

CAF_TEST(percentiles never exceed the largest value recorded) {
  histogram h;
  h.record(1000001); // in a bucket whose highest value is larger
  CAF_CHECK(histogram::highest_in(histogram::bucket_of(1000001)) > 1000001);
  CAF_CHECK_EQUAL(h.percentile(50), 1000001u);
  CAF_CHECK_EQUAL(h.percentile(100), 1000001u);
}

CAF_TEST(a tail shows in the high percentiles only) {
  histogram h;
  h.record(100, 990);
  h.record(1000000, 10);
  CAF_CHECK_EQUAL(h.percentile(50), 100u);
  CAF_CHECK_EQUAL(h.percentile(99), 100u);
  CAF_CHECK(h.percentile(99.1) >= 990000u);
  CAF_CHECK_EQUAL(h.max(), 1000000u);
  h.record(5, 0); // recording nothing changes nothing
  CAF_CHECK_EQUAL(h.count(), 1000u);
  CAF_CHECK_EQUAL(h.min(), 100u);
}

CAF_TEST(merge adds counts and keeps the extremes) {
  histogram a;
  histogram b;
  histogram empty;
  for (uint64_t v = 1; v <= 50; ++v)
    a.record(v);
  for (uint64_t v = 51; v <= 100; ++v)
    b.record(v);
  a.merge(b);
  a.merge(empty);
  CAF_CHECK_EQUAL(a.count(), 100u);
  CAF_CHECK_EQUAL(a.min(), 1u);
  CAF_CHECK_EQUAL(a.max(), 100u);
  CAF_CHECK_EQUAL(a.percentile(50), 50u);
  CAF_CHECK_EQUAL(a.mean(), 50.5);
  empty.merge(b);
  CAF_CHECK_EQUAL(empty.min(), 51u);
  CAF_CHECK_EQUAL(empty.count(), 50u);
}

CAF_TEST(huge values do not overflow) {
  histogram h;
  h.record(max_u64);
  h.record(max_u64 - 1);
  CAF_CHECK_EQUAL(h.max(), max_u64);
  CAF_CHECK_EQUAL(h.percentile(100), max_u64);
  CAF_CHECK(h.percentile(50) >= max_u64 - max_u64 / histogram::sub_buckets);
}
