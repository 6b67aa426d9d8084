// The clocks of the link benchmarks (tools/cluster_bench.cpp and its Broker
// peer, tools/peers/broker-bench): the steady clock in nanoseconds for
// latency stamps, and the process's CPU time for events per CPU-second.
#pragma once

#include <chrono>
#include <cstdint>
#include <sys/resource.h>

namespace signalbox::bench {

inline uint64_t now_ns() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<nanoseconds>(steady_clock::now().time_since_epoch())
          .count());
}

/// User plus system CPU seconds of this process so far.
inline double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

} // namespace signalbox::bench
