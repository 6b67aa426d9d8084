// The peer of signalbox-cluster-bench: Zeek Broker 1.4 (Debian's
// libbroker-dev, built on the same CAF 0.17) measured the same way, so that
// deploy/bench/run.sh (BENCHES=cluster) reports both in one run. Two
// endpoints in one process peer over loopback TCP (Broker's SSL off, as the
// plain signalbox link); one publishes events of the same size on one topic
// with the same window in flight, a subscriber on the other endpoint counts
// them; then a paced phase records the one-hop latency.
//
// Built by run.sh: g++ -O2 -std=c++17 -I<repo> broker_bench.cpp -lbroker
// -lcaf_io -lcaf_core -lcaf_openssl -lpthread. Same options and output lines as
// signalbox-cluster-bench (without --threads and --tls-*).
#include <algorithm>
#include <atomic>
#include <broker/broker.hh>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tools/link_bench.hpp"

using namespace std::chrono;
using signalbox::bench::cpu_seconds;
using signalbox::bench::now_ns;

namespace {

using bench_options = signalbox::bench::link_options;
constexpr const char* tag = "\"peer\":\"broker-1.4\"";

broker::configuration plain_config() {
  broker::broker_options opts;
  opts.disable_ssl = true;
  opts.ignore_broker_conf = true;
  opts.forward = false;
  return broker::configuration{opts};
}

/// Receives on `sub` until `count` events arrived or none came for 5 s;
/// records latencies of stamped events in `latencies_ns`.
uint64_t receive(broker::subscriber& sub, uint64_t count,
                 std::vector<uint64_t>* latencies_ns,
                 std::atomic<uint64_t>* progress = nullptr) {
  uint64_t got = 0;
  while (got < count) {
    // get(n, timeout) waits for all n: take one, then what else is there.
    auto batch = sub.get(1, seconds(5));
    if (batch.empty())
      break;
    for (auto& more : sub.poll())
      batch.push_back(std::move(more));
    if (progress != nullptr)
      progress->fetch_add(batch.size(), std::memory_order_release);
    for (auto& msg : batch) {
      ++got;
      if (latencies_ns == nullptr)
        continue;
      auto* v = broker::get_if<broker::vector>(broker::get_data(msg));
      if (v != nullptr && !v->empty())
        if (auto* stamp = broker::get_if<broker::count>((*v)[0]))
          latencies_ns->push_back(now_ns() - *stamp);
    }
  }
  return got;
}

double percentile_us(std::vector<uint64_t>& xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto rank = static_cast<size_t>(p / 100.0 * static_cast<double>(xs.size()));
  return static_cast<double>(xs[std::min(rank, xs.size() - 1)]) / 1000.0;
}

} // namespace

int main(int argc, char** argv) {
  bench_options opts;
  auto no_extra = [](const std::string&, const std::string&) { return false; };
  if (!signalbox::bench::parse_link_options(argc, argv, opts, no_extra)) {
    std::cerr << "usage: broker-bench [--events=N] [--window=N] "
                 "[--payload=BYTES] "
                 "[--rate=N] [--seconds=N]\n";
    return 2;
  }
  broker::endpoint b{plain_config()};
  auto port = b.listen("127.0.0.1", 0);
  auto sub = b.make_subscriber({"bench"}, 4096);
  broker::endpoint a{plain_config()};
  if (port == 0 || !a.peer("127.0.0.1", port)) {
    std::cerr << "broker-bench: the endpoints did not peer\n";
    return 1;
  }
  std::string filler(opts.payload, 'x');
  // Subscriptions travel after the peering: probe until one arrives.
  for (;;) {
    a.publish("bench", broker::vector{broker::count{0}, std::string{"probe"}});
    if (!sub.get(1, milliseconds(10)).empty())
      break;
  }
  while (!sub.get(1, milliseconds(100)).empty()) {
    // drain the probes still in flight
  }

  // endpoint::publish with at most --window events in flight, as
  // signalbox-cluster-bench does (Broker's flow-controlled publisher stalled
  // here on Debian's 1.4 with CAF 0.17.6).
  std::atomic<uint64_t> received{0};
  auto cpu0 = cpu_seconds();
  auto t0 = steady_clock::now();
  std::thread receiver([&] { receive(sub, opts.events, nullptr, &received); });
  for (uint64_t sent = 0; sent < opts.events; ++sent) {
    while (sent - received.load(std::memory_order_acquire) >= opts.window)
      std::this_thread::sleep_for(microseconds(20));
    a.publish("bench", broker::vector{broker::count{1}, filler});
  }
  receiver.join();
  auto got = received.load();
  auto elapsed = duration<double>(steady_clock::now() - t0).count();
  auto cpu = cpu_seconds() - cpu0;
  signalbox::bench::print_throughput(tag, opts, got, elapsed, cpu);

  auto total = opts.rate * opts.seconds;
  std::vector<uint64_t> latencies;
  latencies.reserve(total);
  std::thread pacer([&] {
    auto period = nanoseconds(1000000000 / opts.rate);
    auto next = steady_clock::now();
    for (uint64_t i = 0; i < total; ++i) {
      std::this_thread::sleep_until(next);
      a.publish("bench", broker::vector{broker::count{now_ns()}, filler});
      next += period;
    }
  });
  auto paced = receive(sub, total, &latencies);
  pacer.join();
  signalbox::bench::print_latency(
      tag, opts, paced, percentile_us(latencies, 50),
      percentile_us(latencies, 99), percentile_us(latencies, 99.9),
      percentile_us(latencies, 100));
  return got == opts.events && paced == total ? 0 : 1;
}
