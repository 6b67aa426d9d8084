// What every client of one run adds to while it runs: counters (atomics,
// read by the progress line from another thread) and latency histograms
// (one mutex each; a record is a few nanoseconds under it). Clients report
// their end-of-run totals (lost, out of order) after the io threads have
// stopped, so those need no synchronisation beyond the join.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "tools/load/histogram.hpp"

namespace signalbox::load {

/// steady_clock::now() in ns: the time base of stamps.
inline uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

class shared_histogram {
public:
  void record(uint64_t value) {
    std::lock_guard<std::mutex> guard{mtx_};
    h_.record(value);
  }

  histogram snapshot() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return h_;
  }

private:
  mutable std::mutex mtx_;
  histogram h_;
};

using counter = std::atomic<uint64_t>;

struct run_stats {
  // Connections, every client type.
  counter connects_started{0};
  counter connects_made{0};
  counter connects_failed{0};
  /// Connections that ended before the run did (closed by the node, errors).
  counter dropped{0};
  /// Clients fully set up (subscribed, query ok / con ok, writer connected).
  counter ready{0};
  /// Connections open right now (the close phase waits for 0).
  counter open{0};
  /// Receivers set up (ttmnotify subscribers, JMRI clients): each must see
  /// every write meant for its kind.
  counter subscribers_ready{0};
  /// The JMRI clients among subscribers_ready.
  counter jmri_ready{0};

  // ttmnotify subscribers.
  counter notifications{0}; ///< every frame received
  counter delivered{0};     ///< frames carrying one of this run's stamps
  counter gpio_delivered{0};
  shared_histogram ttm_delivery;

  // JMRI clients.
  counter jmri_messages{0};  ///< every message frame received
  counter jmri_delivered{0}; ///< messages carrying one of this run's stamps
  counter jmri_other{0};     ///< the node's own (job status), other runs'
  counter jmri_errors{0};    ///< error frames after the subscription
  shared_histogram jmri_delivery;

  // REST writers.
  counter writes_sent{0};
  counter writes_ok{0};
  /// Of writes_ok: value and gpio writes (ttmnotify subscribers see them)
  /// and messages (JMRI clients see them).
  counter ttm_writes_ok{0};
  counter message_writes_ok{0};
  counter writes_failed{0};
  /// Ticks not sent because the previous request was still in flight at
  /// the end of the run (the node was slower than the rate).
  counter writes_skipped{0};
  shared_histogram rest_write;

  // Socket.IO users and monitors.
  counter commands_sent{0};
  counter commands_ok{0};
  counter commands_failed{0};
  counter commands_do{0};
  counter commands_done{0};
  counter commands_finish{0};
  shared_histogram sio_command_do;
  shared_histogram sio_command_ok;

  // RTOC writers and subscribers.
  counter rtoc_requests_sent{0};
  counter rtoc_requests_ok{0};
  counter rtoc_requests_failed{0};
  counter rtoc_samples_sent{0};
  counter rtoc_samples_acked{0};
  /// Ticks not sent because the window was full (the node was slower).
  counter rtoc_skipped{0};
  /// Subscribers whose every subscription was confirmed.
  counter rtoc_subscribers_ready{0};
  counter rtoc_pushes{0};    ///< every push frame received
  counter rtoc_delivered{0}; ///< pushed samples of this run's writers
  shared_histogram rtoc_write;
  shared_histogram rtoc_delivery;

  // Flooders: for the progress line only (each flooder keeps its own
  // figures); they count in none of the above.
  counter flooder_bytes_written{0};
  counter flooder_replies{0};
  counter flooders_closed{0}; ///< by the node
};

} // namespace signalbox::load
