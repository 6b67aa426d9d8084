// The node's settings, one struct per option group. config/options.cpp
// declares them as CAF config options (file and command line) and reads the
// list-valued settings (jobs, GPIO lines) from the parsed configuration.
// Actors receive only the struct of their own group.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/timespan.hpp>

#include "actors/messages.hpp"

namespace signalbox {

/// `net`: the Asio side, shared by every listener.
struct net_options {
  std::string address = "127.0.0.1";        // the address every listener binds
  size_t threads = 1;                       // io_context threads
  size_t max_header_bytes = 8 * 1024;       // HTTP request line + headers
  size_t max_body_bytes = 64 * 1024;        // HTTP request body
  size_t max_frame_bytes = 64 * 1024;       // incoming WebSocket message
  size_t max_queue_bytes = 4 * 1024 * 1024; // outbound bytes per connection
  size_t max_queue_frames = 4096;           // outbound frames per connection
  std::chrono::milliseconds http_idle_timeout{30000}; // keep-alive idle
  std::chrono::milliseconds request_timeout{10000};   // actor round-trips
  std::chrono::milliseconds close_timeout{2000};    // WebSocket close handshake
  std::chrono::milliseconds ws_idle_timeout{60000}; // silent WebSocket peer
  size_t max_connections = 10000; // per listener; more are refused
};

/// `ttm`: the ttmnotify WebSocket and the REST API (port 1777).
struct ttm_options {
  uint16_t port = 1777;
  std::string api_token;     // non-empty: mutating requests need Bearer auth
  bool jobs_editable = true; // false in production: no job create/edit/delete
};

/// `jobs`: supervision of child processes.
struct job_options {
  std::vector<job_spec> definitions;            // the configured jobs, ids 1..n
  std::chrono::milliseconds stop_grace{5000};   // SIGTERM -> SIGKILL
  std::chrono::milliseconds restart_delay{100}; // first back-off
  std::chrono::milliseconds restart_delay_max{30000};
  std::chrono::milliseconds stable_after{10000}; // a run this long resets it
  uint32_t log_lines = 200;                      // captured lines kept per job
  uint32_t max_line_bytes = 4096;                // longer output lines are cut
  std::string signalbox_url; // SIGNALBOX_URL for jobs (derived)
  bool editable = true;      // copy of ttm.jobs-editable
};

/// `gpio`: the backend and the configured lines.
struct gpio_options {
  std::string backend = "simulated";  // "simulated" or "gpiod"
  std::string consumer = "signalbox"; // the consumer label at the kernel
  std::vector<gpio_line_spec> lines;
};

/// `values`: validation limits of shared values.
struct value_options {
  size_t max_key_bytes = 256;
  size_t max_value_bytes = 16 * 1024;
  size_t max_keys = 100000;
};

/// `store`: the LMDB environment.
struct store_options {
  std::string directory = "signalbox-data"; // the node's data directory
  uint64_t map_size = 64 * 1024 * 1024;     // initial map; grows when full
  bool sync = true; // fsync on commit; false trades durability for speed
};

/// `jmri`: the JMRI JSON message service (WebSocket and raw TCP).
struct jmri_options {
  bool enabled = true;
  uint16_t port = 12080;    // WebSocket /json/
  uint16_t tcp_port = 2056; // raw TCP JSON stream
  std::chrono::milliseconds heartbeat_interval{15000};
  std::string railroad = "signalbox";
  std::string node;           // empty: "signalbox-<hostname>"
  std::string active_profile; // empty: null
  std::string locale = "en";  // the locale of the node's own messages
  bool job_messages = true;   // broadcast job status changes as messages
};

/// `socketio`: the Socket.IO v4 server and the altoponix relay (port 5000).
/// Defaults are the Node server's.
struct socketio_options {
  bool enabled = true;
  uint16_t port = 5000;
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds upgrade_timeout{10000};
  std::chrono::milliseconds connect_timeout{45000}; // to join a namespace
  uint64_t max_payload = 1000000;        // per message and per polling POST
  std::vector<std::string> cors_origins; // browser origins allowed; "*": any
};

struct node_options {
  net_options net;
  ttm_options ttm;
  jmri_options jmri;
  socketio_options socketio;
  job_options jobs;
  gpio_options gpio;
  value_options values;
  store_options store;
};

/// The CAF configuration of a signalbox node: registers signalbox's types and
/// declares every option. After `parse`, `read_node_options` turns it into a
/// node_options (or a clear error about the offending setting).
class node_config : public caf::actor_system_config {
public:
  node_config();

  /// Parses the command line. Without --config-file, the embedded default
  /// configuration (config/default.conf) is used.
  caf::error parse_args(int argc, char** argv);

  /// The settings, with list-valued options (jobs.definitions, gpio.lines)
  /// read and validated.
  caf::expected<node_options> read_node_options() const;

  /// A readable text for an error of parse_args (CAF renders parser errors
  /// as "parser_error(...)").
  std::string describe(const caf::error& err) const;

  /// True when the user asked for --help (the help text was printed).
  bool help_requested() const;

private:
  caf::error check_config_types(const std::string& text) const;

  node_options defaults_;
  // Scalar options are bound to these fields by CAF.
  std::string net_address_;
  size_t net_threads_;
  size_t max_header_bytes_, max_body_bytes_, max_frame_bytes_;
  size_t max_queue_bytes_, max_queue_frames_, max_connections_;
  caf::timespan http_idle_timeout_, request_timeout_, close_timeout_,
      ws_idle_timeout_;
  uint16_t ttm_port_;
  std::string ttm_api_token_;
  bool ttm_jobs_editable_;
  caf::timespan stop_grace_, restart_delay_, restart_delay_max_, stable_after_;
  uint32_t log_lines_, max_line_bytes_;
  std::string gpio_backend_, gpio_consumer_;
  size_t max_key_bytes_, max_value_bytes_, max_keys_;
  bool jmri_enabled_, jmri_job_messages_;
  uint16_t jmri_port_, jmri_tcp_port_;
  caf::timespan jmri_heartbeat_;
  std::string jmri_railroad_, jmri_node_, jmri_active_profile_, jmri_locale_;
  bool sio_enabled_;
  uint16_t sio_port_;
  caf::timespan sio_ping_interval_, sio_ping_timeout_, sio_upgrade_timeout_,
      sio_connect_timeout_;
  uint64_t sio_max_payload_;
  std::vector<std::string> sio_cors_origins_;
  std::string store_directory_;
  uint64_t store_map_size_;
  bool store_sync_;
};

} // namespace signalbox
