// The realdds server actor: the one place where the node's notifications
// become realdds messages. It joins the jobs, GPIO, values and job-output
// groups, cuts what they say into messages within realdds' bound (the
// outbox: `log` batching, combined arrays), encodes each message once and
// writes it to the DDS notification topic and the WebSocket mirror. It
// initializes each new DDS reader and mirror client, and answers controls,
// carrying out set-option through the same actors as REST.
//
// Batching: a notification is queued, and a drain message to itself goes to
// the back of its mailbox; what is queued when that arrives goes out
// together (one burst, one message while it fits). Log entries wait for the
// log-flush timer, or go out before any other notification.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/interfaces.hpp"
#include "protocols/realdds/dds_link.hpp"
#include "protocols/realdds/mirror.hpp"

namespace signalbox::realdds {

struct server_settings {
  /// The DDS side; none: the mirror only (the unit tests).
  std::shared_ptr<dds_link> dds;
  /// The data_format of DDS messages (realdds.format).
  data_format format = data_format::json;
  std::shared_ptr<mirror_hub> mirror;
  caf::timespan log_flush = std::chrono::milliseconds{100};
  caf::timespan request_timeout = std::chrono::seconds{5};
  gpio_registry_actor gpio;
  value_registry_actor values;
  /// Sees every message as it is written to everybody (after DDS and the
  /// mirror), in order: the unit tests read the stream here.
  std::function<void(const encoded&)> tap;
};

/// Counters of the server, for tests and metrics.
struct server_counters {
  std::atomic<uint64_t> messages{0};     // messages written (DDS or mirror)
  std::atomic<uint64_t> log_entries{0};  // log entries queued
  std::atomic<uint64_t> dds_failures{0}; // DDS writes refused
  std::atomic<uint64_t> dropped{0};      // notifications beyond the bound
};

realdds_server_actor spawn_server(caf::actor_system& sys,
                                  server_settings settings,
                                  std::shared_ptr<server_counters> counters);

} // namespace signalbox::realdds
