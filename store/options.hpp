// The store's settings (`store.*`), declared by config/ and read by the LMDB
// wrapper and the store actor.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace signalbox {

struct store_options {
  std::string directory = "signalbox-data"; // the node's data directory
  uint64_t map_size = 64 * 1024 * 1024;     // initial map; grows when full
  // The map grows (doubling) up to this; beyond it writes fail with
  // "store full" (REST 507) until records are removed. 0: no limit but
  // the disk (a full disk fails the same way).
  uint64_t max_size = 0;
  bool sync = true; // fsync on commit; false trades durability for speed
  // Without sync: what was committed is flushed to disk this long after,
  // so a power cut loses at most this much (a killed process loses none).
  std::chrono::milliseconds sync_interval{1000};
  /// The tables the store opens (creating them when missing). The node's
  /// own are listed here; a service that keeps records of its own adds its
  /// tables while it is configured, before the store opens.
  std::vector<std::string> tables{"values", "jobs", "meta"};
};

} // namespace signalbox
