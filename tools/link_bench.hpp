// What the two cluster-link benchmarks share (tools/cluster_bench.cpp and
// its Broker peer, tools/peers/broker-bench): the options, their parsing,
// the clocks, and the JSON lines deploy/bench/run.sh reads, so that both
// measure and report the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <sys/resource.h>

namespace signalbox::bench {

struct link_options {
  uint64_t events = 1000000; // throughput phase: events published
  uint64_t window = 1000;    // in flight at most (published, not received)
  size_t payload = 64;       // bytes of filler per event
  uint64_t rate = 5000;      // latency phase: events per second ...
  uint64_t seconds = 5;      // ... for this long
};

/// Parses "--key=value" arguments into `opts`; keys it does not know go to
/// `extra` (false: unknown). False for a malformed argument or a zero
/// count.
inline bool parse_link_options(
    int argc, char** argv, link_options& opts,
    const std::function<bool(const std::string&, const std::string&)>& extra) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos)
      return false;
    auto key = arg.substr(2, eq - 2);
    auto value = arg.substr(eq + 1);
    auto n = std::strtoull(value.c_str(), nullptr, 10);
    if (key == "events")
      opts.events = n;
    else if (key == "window")
      opts.window = n;
    else if (key == "payload")
      opts.payload = n;
    else if (key == "rate")
      opts.rate = n;
    else if (key == "seconds")
      opts.seconds = n;
    else if (!extra(key, value))
      return false;
  }
  return opts.events > 0 && opts.window > 0 && opts.rate > 0;
}

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

/// The throughput phase's line; `tag` is a JSON member naming the run
/// ("\"tls\":false", "\"peer\":\"broker-1.4\"").
inline void print_throughput(const char* tag, const link_options& opts,
                             uint64_t received, double seconds, double cpu) {
  std::printf("{\"phase\":\"throughput\",%s,\"events\":%llu,"
              "\"received\":%llu,\"payload_bytes\":%zu,\"window\":%llu,"
              "\"seconds\":%.3f,\"events_per_s\":%.0f,\"cpu_seconds\":%.3f,"
              "\"events_per_cpu_s\":%.0f}\n",
              tag, static_cast<unsigned long long>(opts.events),
              static_cast<unsigned long long>(received), opts.payload,
              static_cast<unsigned long long>(opts.window), seconds,
              static_cast<double>(received) / seconds, cpu,
              static_cast<double>(received) / cpu);
  std::fflush(stdout);
}

/// The latency phase's line (microseconds).
inline void print_latency(const char* tag, const link_options& opts,
                          uint64_t recorded, double p50, double p99,
                          double p99_9, double max) {
  std::printf("{\"phase\":\"latency\",%s,\"rate\":%llu,\"events\":%llu,"
              "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p99_9_us\":%.1f,"
              "\"max_us\":%.1f}\n",
              tag, static_cast<unsigned long long>(opts.rate),
              static_cast<unsigned long long>(recorded), p50, p99, p99_9, max);
  std::fflush(stdout);
}

} // namespace signalbox::bench
