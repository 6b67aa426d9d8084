#define CAF_SUITE load_proc_stats

#include <unistd.h>

#include <caf/test/unit_test.hpp>

#include "tools/load/proc_stats.hpp"

using namespace signalbox::load;

CAF_TEST(cpu ticks are utime plus stime) {
  // A real line (proc(5)): utime 1234, stime 567.
  auto stat = "4242 (signalbox) S 1 4242 4242 0 -1 4194560 1000 0 0 0 "
              "1234 567 0 0 20 0 3 0 100 123456789 2500 18446744073709551615";
  CAF_CHECK_EQUAL(cpu_ticks_of_stat(stat), 1801u);
}

CAF_TEST(the command name may hold spaces and parentheses) {
  auto stat = "7 (a) b (c) d) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0 20 0";
  CAF_CHECK_EQUAL(cpu_ticks_of_stat(stat), 30u);
}

CAF_TEST(malformed stat lines give nothing) {
  CAF_CHECK(!cpu_ticks_of_stat(""));
  CAF_CHECK(!cpu_ticks_of_stat("4242 signalbox S 1 2 3"));
  CAF_CHECK(!cpu_ticks_of_stat("4242 (x) S 1 2 3 4 5 6 7 8 9 10"));
  CAF_CHECK(!cpu_ticks_of_stat("4242 (x) S 1 2 3 4 5 6 7 8 9 10 x 12"));
}

CAF_TEST(rss comes from VmRSS in KiB) {
  auto status = "Name:\tsignalbox\nVmPeak:\t  99999 kB\nVmRSS:\t    9876 kB\n"
                "RssAnon:\t 1 kB\n";
  CAF_CHECK_EQUAL(rss_kib_of_status(status), 9876u);
  CAF_CHECK(!rss_kib_of_status("Name:\tzombie\nState:\tZ (zombie)\n"));
  CAF_CHECK(!rss_kib_of_status("Name:\tx\nVmRSS:\t kB\n"));
}

CAF_TEST(the rss peak comes from VmHWM in KiB) {
  auto status = "Name:\tsignalbox\nVmPeak:\t  99999 kB\nVmHWM:\t   12345 kB\n"
                "VmRSS:\t    9876 kB\n";
  CAF_CHECK_EQUAL(rss_hwm_kib_of_status(status), 12345u);
  CAF_CHECK(!rss_hwm_kib_of_status("Name:\tx\nVmRSS:\t 5 kB\n"));
  auto self = sample_process(getpid());
  CAF_REQUIRE(self);
  CAF_CHECK(self->rss_hwm_kib >= self->rss_kib);
}

CAF_TEST(anonymous rss comes from RssAnon in KiB) {
  auto status = "Name:\tsignalbox\nVmRSS:\t    9876 kB\nRssAnon:\t 1234 kB\n"
                "RssFile:\t 8642 kB\n";
  CAF_CHECK_EQUAL(rss_anon_kib_of_status(status), 1234u);
  CAF_CHECK(!rss_anon_kib_of_status("Name:\tx\nVmRSS:\t 5 kB\n"));
  auto self = sample_process(getpid());
  CAF_REQUIRE(self);
  CAF_CHECK(self->rss_anon_kib > 0);
  CAF_CHECK(self->rss_anon_kib <= self->rss_kib);
}

CAF_TEST(this process can be sampled) {
  auto s = sample_process(getpid());
  CAF_REQUIRE(s);
  CAF_CHECK(s->rss_kib > 0);
  // Burn a little CPU so that the tick counter must move.
  auto before = s->cpu_ticks;
  volatile uint64_t sink = 0;
  auto deadline = ticks_per_second();
  for (;;) {
    for (int i = 0; i < 1000000; ++i)
      sink = sink + i;
    auto now = sample_process(getpid());
    CAF_REQUIRE(now);
    if (now->cpu_ticks > before)
      break;
    CAF_REQUIRE(--deadline > 0);
  }
  CAF_CHECK(ticks_per_second() > 0);
}

CAF_TEST(a process that does not exist gives nothing) {
  // Above the kernel's pid_max limit (4194304): never a live process.
  CAF_CHECK(!sample_process(4194305));
}
