// The store's settings (`store.*`), declared by config/ and read by the LMDB
// wrapper and the store actor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace signalbox {

struct store_options {
  std::string directory = "signalbox-data"; // the node's data directory
  uint64_t map_size = 64 * 1024 * 1024;     // initial map; grows when full
  bool sync = true; // fsync on commit; false trades durability for speed
  /// The tables the store opens (creating them when missing). The node's
  /// own are listed here; a service that keeps records of its own adds its
  /// tables while it is configured, before the store opens.
  std::vector<std::string> tables{"values", "jobs", "meta"};
};

} // namespace signalbox
