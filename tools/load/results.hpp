// What one run measured, gathered by the runner after the io threads have
// stopped; report.hpp prints it and verdict.hpp checks it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "tools/load/histogram.hpp"

namespace signalbox::load {

struct process_usage {
  pid_t pid = 0;
  uint64_t rss_kib_start = 0;     ///< before the first connection
  uint64_t rss_kib_connected = 0; ///< all clients set up, before publishing
  uint64_t rss_kib_max = 0;       ///< largest sample (once per second)
  uint64_t rss_kib_end = 0;       ///< after draining, before closing
  uint64_t rss_anon_kib_end = 0;  ///< of it, anonymous (no mapped files)
  double cpu_seconds = 0;         ///< user + system, publishing + draining
  double cpu_percent = 0;         ///< of one core, over the same time
  /// VmHWM after draining: the peak RSS since the process started, exact
  /// where rss_kib_max is the largest of the samples.
  uint64_t rss_hwm_kib_end = 0;
};

/// One flooder group: what its connections sent, got back, and how they
/// ended.
struct flooder_group_result {
  std::string interface; ///< jmri_tcp, jmri_ws, rtoc, realdds
  bool reads = true;
  uint64_t count = 0;
  uint64_t connected = 0; ///< set up (TCP connected, WebSocket upgraded)
  uint64_t requests_written = 0;
  uint64_t bytes_written = 0;
  double requests_per_second = 0; ///< over the publishing phase
  uint64_t bytes_read = 0;
  uint64_t messages = 0; ///< frames or JSON values received
  uint64_t replies = 0;  ///< of them, replies to the requests
  uint64_t open_at_end = 0;
  uint64_t closed = 0; ///< by the node, before the run ended
  /// Why, and how often: "ws 1008 slow consumer", "eof", "reset".
  std::map<std::string, uint64_t> close_reasons;
  /// Bytes each closed connection had written when it was closed.
  uint64_t closed_after_bytes_min = 0;
  uint64_t closed_after_bytes_max = 0;
};

struct assertion_result {
  std::string name;
  std::string limit;
  std::string value;
  bool passed = false;
};

struct results {
  std::string scenario;
  std::string run_id;
  double connect_seconds = 0; ///< until every client was set up
  double run_seconds = 0;     ///< publishing + draining
  bool drained = false;       ///< everything expected arrived in time

  uint64_t clients = 0;
  uint64_t connects_made = 0;
  uint64_t connects_failed = 0; ///< includes clients not set up in time
  uint64_t dropped = 0;

  uint64_t subscribers = 0;
  uint64_t notifications = 0;
  uint64_t delivered = 0;
  uint64_t delivered_expected = 0;
  uint64_t ttm_lost = 0;
  uint64_t ttm_out_of_order = 0;
  double delivered_per_second = 0;

  /// JMRI clients subscribed (only those must see every message), and
  /// those of the scenario per transport.
  uint64_t jmri_clients = 0;
  uint64_t jmri_ws = 0;
  uint64_t jmri_tcp = 0;
  uint64_t jmri_messages = 0;  ///< every message frame received
  uint64_t jmri_delivered = 0; ///< of them, this run's stamps
  uint64_t jmri_expected = 0;
  uint64_t jmri_other = 0;  ///< the node's own (job status), other runs'
  uint64_t jmri_errors = 0; ///< error frames after the subscription
  uint64_t jmri_lost = 0;
  uint64_t jmri_out_of_order = 0;
  double jmri_delivered_per_second = 0;

  uint64_t writes_sent = 0;
  uint64_t writes_ok = 0;
  uint64_t message_writes_ok = 0; ///< of writes_ok, JMRI messages
  uint64_t writes_failed = 0;
  uint64_t writes_skipped = 0;

  uint64_t commands_sent = 0;
  uint64_t commands_ok = 0;
  uint64_t commands_failed = 0;
  uint64_t commands_do = 0;
  uint64_t commands_done = 0;
  uint64_t commands_finish = 0;
  uint64_t commands_finish_expected = 0;
  uint64_t sio_lost = 0;
  uint64_t sio_out_of_order = 0;

  /// RTOC writers and subscribers: samples acknowledged (sent in requests
  /// answered "error":false) and pushed to subscribed subscribers.
  uint64_t rtoc_writers = 0;
  uint64_t rtoc_subscribers = 0; ///< with every subscription confirmed
  uint64_t rtoc_requests_sent = 0;
  uint64_t rtoc_requests_ok = 0;
  uint64_t rtoc_requests_failed = 0;
  uint64_t rtoc_skipped = 0;
  uint64_t rtoc_samples_sent = 0;
  uint64_t rtoc_samples_acked = 0;
  uint64_t rtoc_pushes = 0; ///< every push frame, other runs' too
  uint64_t rtoc_delivered = 0;
  uint64_t rtoc_expected = 0;
  uint64_t rtoc_lost = 0;
  uint64_t rtoc_out_of_order = 0;
  double rtoc_acked_per_second = 0;
  double rtoc_delivered_per_second = 0;

  /// The flooder groups, in scenario order.
  std::vector<flooder_group_result> flooders;

  /// ttm_delivery, rest_write, sio_command_do, sio_command_ok,
  /// jmri_delivery, rtoc_write, rtoc_delivery (ns).
  std::map<std::string, histogram> latency;

  std::optional<process_usage> server;
  std::optional<process_usage> generator; ///< this process

  std::vector<assertion_result> assertions;
  bool passed = true;

  uint64_t lost() const { return ttm_lost + sio_lost + jmri_lost + rtoc_lost; }
  uint64_t out_of_order() const {
    return ttm_out_of_order + sio_out_of_order + jmri_out_of_order +
           rtoc_out_of_order;
  }
  /// REST errors, `command failed` answers, JMRI error frames and RTOC
  /// {"error":true} replies.
  uint64_t failed_requests() const {
    return writes_failed + commands_failed + jmri_errors + rtoc_requests_failed;
  }
  /// ttmnotify, JMRI and RTOC deliveries together.
  double total_delivered_per_second() const {
    return delivered_per_second + jmri_delivered_per_second +
           rtoc_delivered_per_second;
  }
  /// Flooder connections the node closed, over every group.
  uint64_t flooders_closed() const {
    uint64_t n = 0;
    for (auto& g : flooders)
      n += g.closed;
    return n;
  }
  bool all_commands_finished() const {
    return commands_ok == commands_sent && commands_do == commands_ok &&
           commands_done == commands_do &&
           commands_finish == commands_finish_expected;
  }
};

} // namespace signalbox::load
