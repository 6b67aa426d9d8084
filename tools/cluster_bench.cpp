// signalbox-cluster-bench: the cluster link on its own (issue 13's "cross-node
// events per second per link"), the way Broker's broker-benchmark measures
// Broker's. Two actor systems in this process, each with its own middleman,
// run the node's real cluster router (actors/cluster_router.cpp); they link
// over loopback TCP (or TLS with --tls-*) exactly as two nodes do. A
// publisher hands events on one topic to router a; router b hands them to a
// counting handler, as it hands JMRI or relay traffic to those services.
//
//   throughput: --events events as fast as a window of --window events in
//               flight allows (the router drops beyond cluster.max-backlog
//               unacknowledged, so the window stays below it);
//   latency:    --rate events per second for --seconds, each stamped with the
//               steady clock when published; the handler records the one-hop
//               latency (publisher -> router a -> link -> router b ->
//               handler).
//
// One JSON line per phase on stdout; deploy/bench/run.sh (BENCHES=cluster)
// records them in docs/benchmarks.md. A benchmark, not a test: it only
// fails when the link cannot be made or events are lost.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/cluster_router.hpp"
#include "actors/interfaces.hpp"
#include "tools/link_bench.hpp"
#include "tools/load/histogram.hpp"

using namespace signalbox;
using namespace std::chrono;
using signalbox::bench::cpu_seconds;
using signalbox::bench::now_ns;

namespace {

constexpr const char* topic = "bench";

struct bench_options : bench::link_options {
  size_t threads = 1; // scheduler threads per actor system
  std::string tls_cert, tls_key, tls_ca;
  bool tls() const { return !tls_cert.empty(); }
};

/// What the handler on b saw; written by its actor only, read by main()
/// after `received` says everything arrived.
struct tally {
  std::atomic<uint64_t> received{0};
  load::histogram latency_ns;
  std::atomic<bool> record_latency{false};
};

cluster_handler_actor::behavior_type
counting_handler(cluster_handler_actor::pointer, std::shared_ptr<tally> t) {
  return {
      [t](cluster_deliver_atom, const std::string&,
          const caf::message& payload) -> uint64_t {
        if (t->record_latency.load(std::memory_order_relaxed) &&
            payload.match_element<uint64_t>(0)) {
          auto sent = payload.get_as<uint64_t>(0);
          if (sent != 0)
            t->latency_ns.record(now_ns() - sent);
        }
        t->received.fetch_add(1, std::memory_order_release);
        return 1;
      },
  };
}

class bench_config : public caf::actor_system_config {
public:
  explicit bench_config(const bench_options& opts) {
    add_signalbox_types(*this);
    load<caf::io::middleman>();
    caf::put(content, "scheduler.max-threads", opts.threads);
    caf::put(content, "middleman.app-identifiers",
             std::vector<std::string>{cluster_app_identifier});
    if (opts.tls()) {
      openssl_certificate = opts.tls_cert;
      openssl_key = opts.tls_key;
      openssl_cafile = opts.tls_ca;
      load<caf::openssl::manager>();
    }
  }
};

/// One "node": an actor system and its published router.
struct bench_node {
  bench_node(const bench_options& opts, std::string name)
      : cfg(opts), sys(cfg) {
    cluster_router_settings settings;
    settings.name = std::move(name);
    settings.middleman = opts.tls() ? sys.openssl_manager().actor_handle()
                                    : sys.middleman().actor_handle();
    router = sys.spawn(cluster_router, std::move(settings));
    auto published =
        opts.tls() ? caf::openssl::publish(router, 0, "127.0.0.1", true)
                   : sys.middleman().publish(router, 0, "127.0.0.1", true);
    if (!published) {
      std::cerr << "cannot publish a router: " << to_string(published.error())
                << std::endl;
      std::exit(1);
    }
    address = "127.0.0.1:" + std::to_string(*published);
  }

  ~bench_node() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  }

  bench_config cfg;
  caf::actor_system sys;
  cluster_router_actor router;
  std::string address;
};

void publish(const bench_node& a, uint64_t stamp, const std::string& filler) {
  caf::anon_send(a.router, cluster_publish_atom_v, std::string{topic},
                 caf::make_message(stamp, filler));
}

/// Waits until events published on a reach b's handler (the link is up and
/// a knows that b takes the topic): probes every 10 ms, for 30 s at most.
bool wait_linked(const bench_node& a, tally& t) {
  auto deadline = steady_clock::now() + seconds(30);
  while (steady_clock::now() < deadline) {
    publish(a, 0, "probe");
    std::this_thread::sleep_for(milliseconds(10));
    if (t.received.load(std::memory_order_acquire) > 0)
      return true;
  }
  return false;
}

/// Waits until `count` events have arrived, or nothing arrived for 5 s.
bool wait_received(tally& t, uint64_t count) {
  auto last = t.received.load(std::memory_order_acquire);
  auto quiet_since = steady_clock::now();
  while (last < count) {
    std::this_thread::sleep_for(milliseconds(1));
    auto now = t.received.load(std::memory_order_acquire);
    if (now != last) {
      last = now;
      quiet_since = steady_clock::now();
    } else if (steady_clock::now() - quiet_since > seconds(5)) {
      return false;
    }
  }
  return true;
}

/// Lets probes still in flight land: returns once nothing arrived for
/// 100 ms.
void settle(tally& t) {
  auto last = t.received.load(std::memory_order_acquire);
  for (;;) {
    std::this_thread::sleep_for(milliseconds(100));
    auto now = t.received.load(std::memory_order_acquire);
    if (now == last)
      return;
    last = now;
  }
}

/// The JSON member naming the run.
const char* tag(const bench_options& opts) {
  return opts.tls() ? "\"tls\":true" : "\"tls\":false";
}

int throughput(const bench_options& opts, const bench_node& a, tally& t) {
  std::string filler(opts.payload, 'x');
  auto base = t.received.load(std::memory_order_acquire);
  auto cpu0 = cpu_seconds();
  auto t0 = steady_clock::now();
  for (uint64_t sent = 0; sent < opts.events; ++sent) {
    while (sent - (t.received.load(std::memory_order_acquire) - base) >=
           opts.window)
      std::this_thread::sleep_for(microseconds(20));
    publish(a, 1, filler);
  }
  bool complete = wait_received(t, base + opts.events);
  auto elapsed = duration<double>(steady_clock::now() - t0).count();
  auto cpu = cpu_seconds() - cpu0;
  auto got = t.received.load(std::memory_order_acquire) - base;
  bench::print_throughput(tag(opts), opts, got, elapsed, cpu);
  return complete ? 0 : 1;
}

int latency(const bench_options& opts, const bench_node& a, tally& t) {
  std::string filler(opts.payload, 'x');
  auto base = t.received.load(std::memory_order_acquire);
  auto total = opts.rate * opts.seconds;
  auto period = nanoseconds(1000000000 / opts.rate);
  t.record_latency = true;
  auto next = steady_clock::now();
  for (uint64_t i = 0; i < total; ++i) {
    std::this_thread::sleep_until(next);
    publish(a, now_ns(), filler);
    next += period;
  }
  bool complete = wait_received(t, base + total);
  auto& h = t.latency_ns;
  auto us = [&](double p) {
    return static_cast<double>(h.percentile(p)) / 1000.0;
  };
  bench::print_latency(tag(opts), opts, h.count(), us(50), us(99), us(99.9),
                       static_cast<double>(h.max()) / 1000.0);
  return complete ? 0 : 1;
}

bool parse(int argc, char** argv, bench_options& opts) {
  auto extra = [&](const std::string& key, const std::string& value) {
    if (key == "threads")
      opts.threads = std::strtoull(value.c_str(), nullptr, 10);
    else if (key == "tls-cert")
      opts.tls_cert = value;
    else if (key == "tls-key")
      opts.tls_key = value;
    else if (key == "tls-ca")
      opts.tls_ca = value;
    else
      return false;
    return true;
  };
  return bench::parse_link_options(argc, argv, opts, extra) && opts.threads > 0;
}

} // namespace

int main(int argc, char** argv) {
  bench_options opts;
  if (!parse(argc, argv, opts)) {
    std::cerr << "usage: signalbox-cluster-bench [--events=N] [--window=N] "
                 "[--payload=BYTES] [--rate=N] [--seconds=N] [--threads=N] "
                 "[--tls-cert=F --tls-key=F --tls-ca=F]\n";
    return 2;
  }
  auto t = std::make_shared<tally>();
  bench_node b{opts, "b"};
  auto handler = b.sys.spawn(counting_handler, t);
  caf::anon_send(b.router, put_atom_v, cluster_handler_atom_v,
                 std::string{topic}, handler);
  caf::anon_send(b.router, put_atom_v, cluster_topics_atom_v,
                 std::string{topic});
  caf::anon_send(b.router, cluster_join_atom_v, b.address,
                 std::vector<std::string>{});
  bench_node a{opts, "a"};
  caf::anon_send(a.router, cluster_join_atom_v, a.address,
                 std::vector<std::string>{b.address});
  if (!wait_linked(a, *t)) {
    std::cerr << "signalbox-cluster-bench: the routers did not link\n";
    return 1;
  }
  settle(*t);
  int rc = throughput(opts, a, *t);
  rc |= latency(opts, a, *t);
  caf::anon_send_exit(handler, caf::exit_reason::user_shutdown);
  return rc;
}
