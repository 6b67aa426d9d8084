// A load scenario: which clients to run against a node, how fast, for how
// long, and what must hold at the end. Read from a JSON file; every error
// names the offending field (`clients[2].rate: must be a number > 0`).
//
// Format (every field but "clients" is optional; defaults in brackets):
//
//   {
//     "name": "smoke",                   // [the file name] shown in reports
//     "host": "127.0.0.1",               // [127.0.0.1]
//     "ttm_port": 1777,                  // [1777] ttmnotify + REST
//     "socketio_port": 5000,             // [5000] Socket.IO (altoponix relay)
//     "jmri_port": 12080,                // [12080] JMRI WebSocket (/json/)
//     "jmri_tcp_port": 2056,             // [2056] JMRI raw TCP
//     "rtoc_port": 5050,                 // [5050] RTOC WebSocket
//     "realdds_port": 5151,              // [5151] realdds WebSocket mirror
//     "connect_rate": 200,               // [0 = no limit] new connections/s
//     "connect_timeout_ms": 10000,       // [10000] all clients ready by then
//     "duration_ms": 3000,               // [3000] publishing phase
//     "drain_ms": 5000,                  // [5000] max wait for deliveries
//     "clients": [
//       {"type": "ttm_subscriber", "count": 20},
//       {"type": "realdds_subscriber", "count": 20},  // realdds-json mirror
//       {"type": "rest_writer", "count": 2, "rate": 50,
//        "target": "value",               // ["value"], "gpio" or "message"
//        "key": "shared",                 // [one key per writer] "value" only
//        "persistent": false,             // [false] "value" only
//        "gpios": ["relay-a"]},           // "gpio" only: one output per writer
//       {"type": "sio_monitor", "count": 1, "think_ms": 0},
//       {"type": "sio_user", "count": 2, "rate": 20},
//       {"type": "jmri_client", "count": 5,
//        "transport": "ws"},              // ["ws"] or "tcp"
//       {"type": "rtoc_writer", "count": 4,
//        "rate": 100,                     // [0 = as fast as window allows]
//        "batch": 100,                    // [1] values per request
//        "signals": 1,                    // [1] signals per writer
//        "window": 1,                     // [1] requests in flight
//        "samples": 1000000,              // [0 = no limit] then stop
//        "password": "secret",            // [none] authorize with it
//        "aes": true},                    // [password given] encrypt frames
//       {"type": "rtoc_subscriber", "count": 10, "password": "secret"},
//       {"type": "flooder", "count": 4,
//        "interface": "rtoc",             // required: "jmri_tcp", "jmri_ws",
//                                         // "rtoc" or "realdds"
//        "reads": true}                   // [true] false: never reads
//     ],
//     "assert": {
//       "max_lost": 0,                   // notifications + relayed commands
//       "max_out_of_order": 0,
//       "max_failed_connections": 0,
//       "max_failed_requests": 0,        // REST errors, `command failed`
//       "all_commands_finished": true,   // every command: ok, do, finish
//       "max_p99_us": {"ttm_delivery": 50000, "rest_write": 50000,
//                      "sio_command_do": 50000, "sio_command_ok": 50000,
//                      "jmri_delivery": 50000, "rtoc_write": 50000,
//                      "rtoc_delivery": 50000},
//       "min_delivered_per_second": 1000, // ttmnotify + JMRI deliveries
//       "max_flooders_closed": 0         // [no limit] closed by the node
//     }
//   }
//
// rate is per client (messages per second); sio users are spread over the
// monitors round robin (user i talks to monitor i % monitors); a monitor
// waits think_ms before it answers a `command do` with `command done`.
// A "message" writer POSTs /api/messages, which every jmri_client receives.
// An rtoc_writer writes device "load<run id>", signals "w<writer>" (or
// "w<writer>-<k>" with several), `batch` values per request spread over its
// signals round robin; x is the writer's sample number (1, 2, ...), y the
// send time in ns since the run's epoch (exact in a double). Every
// rtoc_subscriber subscribes to every writer's signals by name, and checks
// loss, order and latency of each pushed sample. Any group but the RTOC
// ones may set "port": its clients connect there instead of the scenario's
// port for their interface (a cluster: users on one node, monitors on
// another).
//
// A flooder sends one cheap request over and over, as fast as the
// connection takes it, from the start of the publishing phase to its end:
// JMRI `{"type":"ping"}` (raw TCP on jmri_tcp_port, or WebSocket /json/ on
// jmri_port), RTOC `{"getPluginList":true}` (rtoc_port, no password), or
// the realdds control `{"id":"query-options","sensor-name":"flood"}` (the
// realdds-json mirror on realdds_port). With "reads" it reads and counts
// every reply; without, it never reads its socket. Flooders measure how the
// node bears clients that send faster than it reads: they count in no
// delivery, latency or failure figure, and a flooder the node closes is an
// outcome, reported per group (max_flooders_closed bounds it), not a failed
// connection. "port" applies to the JMRI interfaces only, as for the other
// RTOC and realdds groups.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace signalbox::load {

/// A scenario file that cannot be used; what() names the field.
struct scenario_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class client_type {
  ttm_subscriber,
  rest_writer,
  sio_user,
  sio_monitor,
  jmri_client,
  rtoc_writer,
  rtoc_subscriber,
  realdds_subscriber,
  flooder,
};

enum class write_target { value, gpio, message };

enum class jmri_transport { ws, tcp };

/// Where a flooder sends its requests.
enum class flooder_interface { jmri_tcp, jmri_ws, rtoc, realdds };

struct client_group {
  client_type type = client_type::ttm_subscriber;
  uint32_t count = 0;
  /// Messages per second per client (rest_writer, sio_user).
  double rate = 0;
  /// sio_monitor: delay before `command done`.
  uint32_t think_ms = 0;
  write_target target = write_target::value;
  /// rest_writer on values: one key shared by every writer of the group;
  /// empty means a key per writer.
  std::string key;
  bool persistent = false;
  /// rest_writer on gpios: the output line of each writer.
  std::vector<std::string> gpios;
  /// jmri_client: WebSocket (/json/ on jmri_port) or raw TCP.
  jmri_transport transport = jmri_transport::ws;
  /// rtoc_writer: values per request, signals per writer, requests in
  /// flight.
  uint32_t batch = 1;
  uint32_t signals = 1;
  uint32_t window = 1;
  /// rtoc_writer: samples to send before stopping (0: until the run ends).
  /// A run whose only publishers are capped writers ends when all are done.
  uint64_t samples = 0;
  /// rtoc_*: the password to authorize with ("" for none) and whether
  /// frames are AES-encrypted both ways.
  std::string password;
  bool aes = false;
  /// flooder: the interface it floods, and whether it reads the replies.
  flooder_interface interface = flooder_interface::jmri_tcp;
  bool reads = true;
  /// The port these clients connect to instead of the scenario's port for
  /// their interface (0: that one): a cluster run puts users on one node
  /// and monitors on another.
  uint16_t port = 0;
};

struct assertions {
  std::optional<uint64_t> max_lost;
  std::optional<uint64_t> max_out_of_order;
  std::optional<uint64_t> max_failed_connections;
  std::optional<uint64_t> max_failed_requests;
  bool all_commands_finished = false;
  /// Metric name -> bound on its p99, in microseconds.
  std::map<std::string, uint64_t> max_p99_us;
  std::optional<double> min_delivered_per_second;
  /// Flooder connections the node closed (none: no limit).
  std::optional<uint64_t> max_flooders_closed;
};

/// The latency metrics max_p99_us may name.
extern const std::vector<std::string> latency_metrics;

struct scenario {
  std::string name;
  std::string host = "127.0.0.1";
  uint16_t ttm_port = 1777;
  uint16_t socketio_port = 5000;
  uint16_t jmri_port = 12080;
  uint16_t jmri_tcp_port = 2056;
  uint16_t rtoc_port = 5050;
  uint16_t realdds_port = 5151;
  double connect_rate = 0;
  uint32_t connect_timeout_ms = 10000;
  uint32_t duration_ms = 3000;
  uint32_t drain_ms = 5000;
  std::vector<client_group> clients;
  assertions checks;

  /// Total clients of `type` over all groups.
  uint32_t count_of(client_type type) const;
  /// Total rest writers of `target`.
  uint32_t writers_of(write_target target) const;
  /// Total jmri clients over `transport`.
  uint32_t jmri_clients_over(jmri_transport transport) const;

private:
  /// Clients of every group for which `pred(group)` holds.
  template <class Pred>
  uint32_t count_where(Pred pred) const {
    uint32_t n = 0;
    for (auto& g : clients)
      if (pred(g))
        n += g.count;
    return n;
  }
};

/// Parses and validates scenario JSON; `default_name` is used when the
/// file has no "name". Throws scenario_error.
scenario parse_scenario(const std::string& json,
                        const std::string& default_name);

/// Reads and parses a scenario file. Throws scenario_error.
scenario load_scenario(const std::string& path);

const char* to_string(client_type type);
const char* to_string(flooder_interface interface);

} // namespace signalbox::load
