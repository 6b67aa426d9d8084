// core/metrics: counters, latency histograms and the registry behind
// GET /metrics; hal/process_stats: the process figures' parsers.
#define CAF_SUITE metrics

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "fixture.hpp"
#include "hal/process_stats.hpp"

using namespace signalbox;
using namespace std::chrono_literals;

CAF_TEST(a counter adds from many threads without losing counts) {
  metrics::counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&c] {
      for (int i = 0; i < 100000; ++i)
        c.add();
    });
  for (auto& t : threads)
    t.join();
  c.add(5);
  CAF_CHECK_EQUAL(c.value(), 400005u);
}

CAF_TEST(a histogram puts each duration in the first bucket it fits) {
  metrics::histogram h{{0.001, 0.01, 0.1}};
  h.observe(500us); // <= 1 ms
  h.observe(1ms);   // exactly on a bound: that bucket
  h.observe(5ms);   // <= 10 ms
  h.observe(2s);    // beyond every bound
  h.observe(-3ms);  // a clock going back counts as 0
  auto s = h.snapshot({{"route", "x"}});
  CAF_REQUIRE_EQUAL(s.buckets.size(), 3u);
  CAF_CHECK_EQUAL(s.buckets[0].first, 0.001);
  CAF_CHECK_EQUAL(s.buckets[0].second, 3u); // cumulative
  CAF_CHECK_EQUAL(s.buckets[1].second, 4u);
  CAF_CHECK_EQUAL(s.buckets[2].second, 4u);
  CAF_CHECK_EQUAL(s.count, 5u);
  CAF_CHECK(std::abs(s.sum - 2.0065) < 1e-9);
  CAF_CHECK_EQUAL(s.labels.at(0).second, "x");
}

CAF_TEST(latency buckets ascend from 100 microseconds to 10 seconds) {
  auto b = metrics::latency_buckets();
  CAF_CHECK_EQUAL(b.front(), 0.0001);
  CAF_CHECK_EQUAL(b.back(), 10.0);
  for (size_t i = 1; i < b.size(); ++i)
    CAF_CHECK_LESS(b[i - 1], b[i]);
}

CAF_TEST(a family hands out one series per label values) {
  metrics::registry reg;
  auto jobs = reg.counters("jobs_total", "jobs", {"job"});
  auto a = jobs->with({"a"});
  auto again = jobs->with({"a"});
  auto b = jobs->with({"b"});
  CAF_CHECK_EQUAL(a.get(), again.get());
  CAF_CHECK_NOT_EQUAL(a.get(), b.get());
  a->add(2);
  b->add();
  // Asking for the family again by name is the same family.
  CAF_CHECK_EQUAL(reg.counters("jobs_total", "other help", {"job"}).get(),
                  jobs.get());
  auto families = reg.collect();
  CAF_REQUIRE_EQUAL(families.size(), 1u);
  auto& f = families[0];
  CAF_CHECK_EQUAL(f.help, "jobs");
  CAF_REQUIRE_EQUAL(f.samples.size(), 2u);
  CAF_CHECK_EQUAL(f.samples[0].labels.at(0).first, "job");
  CAF_CHECK_EQUAL(f.samples[0].labels.at(0).second, "a");
  CAF_CHECK_EQUAL(f.samples[0].value, 2);
  CAF_CHECK_EQUAL(f.samples[1].value, 1);
}

CAF_TEST(the registry renders families in order then its collectors) {
  metrics::registry reg;
  reg.counters("b_total", "b")->with({})->add(7);
  reg.histograms("a_seconds", "a", {}, {0.5})->with({})->observe(100ms);
  reg.add_collector([](std::vector<prometheus::family>& out) {
    out.push_back({"z", "z", prometheus::metric_type::gauge, {{{}, 9}}, {}});
  });
  CAF_CHECK_EQUAL(reg.render(), "# HELP b_total b\n# TYPE b_total counter\n"
                                "b_total 7\n"
                                "# HELP a_seconds a\n"
                                "# TYPE a_seconds histogram\n"
                                "a_seconds_bucket{le=\"0.5\"} 1\n"
                                "a_seconds_bucket{le=\"+Inf\"} 1\n"
                                "a_seconds_sum 0.1\n"
                                "a_seconds_count 1\n"
                                "# HELP z z\n# TYPE z gauge\nz 9\n");
}

CAF_TEST(a series outlives its registry for whoever holds it) {
  std::shared_ptr<metrics::counter> kept;
  {
    metrics::registry reg;
    kept = reg.counters("x_total", "x")->with({});
  }
  kept->add();
  CAF_CHECK_EQUAL(kept->value(), 1u);
}

CAF_TEST(proc stat fields are counted from the last parenthesis) {
  // A command name with spaces and parentheses, as a job may have.
  std::string stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1520 0 "
                     "0 0 250 75 0 0 20 0 3 0 123456 104857600 2560 "
                     "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 "
                     "0 0 0\n";
  auto f = hal::parse_stat(stat);
  CAF_REQUIRE(f);
  CAF_CHECK_EQUAL(f->utime_ticks, 250u);
  CAF_CHECK_EQUAL(f->stime_ticks, 75u);
  CAF_CHECK_EQUAL(f->start_ticks, 123456u);
  CAF_CHECK_EQUAL(f->vsize_bytes, 104857600u);
  CAF_CHECK_EQUAL(f->rss_pages, 2560u);
}

CAF_TEST(a truncated or garbled proc stat is refused) {
  CAF_CHECK(!hal::parse_stat(""));
  CAF_CHECK(!hal::parse_stat("4242 no parenthesis S 1"));
  CAF_CHECK(!hal::parse_stat("4242 (x) S 1 2 3"));
  CAF_CHECK(!hal::parse_stat("4242 (x) S 1 4242 4242 0 -1 4194560 1520 0 0 0 "
                             "2x0 75 0 0 20 0 3 0 123456 104857600 2560"));
}

CAF_TEST(the boot time is the btime line of proc stat) {
  CAF_CHECK_EQUAL(hal::parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1764900000\n"
                                       "processes 12\n"),
                  std::optional<uint64_t>{1764900000});
  CAF_CHECK(!hal::parse_boot_time("cpu 1 2 3\n"));
  CAF_CHECK(!hal::parse_boot_time("btime soon\n"));
}

CAF_TEST(the own process figures are plausible) {
  auto f = hal::read_own_figures();
  CAF_REQUIRE(f);
  CAF_CHECK_GREATER(f->resident_bytes, 1u << 20);
  CAF_CHECK_GREATER(f->virtual_bytes, f->resident_bytes);
  CAF_CHECK_GREATER(f->open_fds, 2u);
  CAF_CHECK_GREATER_OR_EQUAL(f->max_fds, f->open_fds);
  auto now = std::chrono::duration<double>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  CAF_CHECK_LESS(std::abs(now - f->start_time_seconds), 3600.0);
}
