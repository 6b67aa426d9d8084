// The node's settings, one struct per option group. config/options.cpp
// declares them as CAF config options (file and command line), bound
// straight into these structs, and reads the list-valued settings (jobs,
// GPIO lines) from the parsed configuration. Actors receive only the struct
// of their own group.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/timespan.hpp>

#include "core/messages.hpp"
#include "store/options.hpp"

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
  // Requests of one connection waiting for the node (JMRI, RTOC, realdds
  // controls, relay events); at this many, or max_frame_bytes of them, the
  // client is no longer read until half is answered.
  size_t max_waiting_requests = 256;
  std::chrono::milliseconds http_idle_timeout{30000}; // keep-alive idle
  std::chrono::milliseconds request_timeout{10000};   // actor round-trips
  std::chrono::milliseconds close_timeout{2000};    // WebSocket close handshake
  std::chrono::milliseconds ws_idle_timeout{60000}; // silent WebSocket peer
  size_t max_connections = 10000; // per listener; more are refused
  // TLS for the listeners whose interface switch (ttm.tls, jmri.tls, ...)
  // is on, which it is by default: set a certificate and every interface
  // speaks TLS. Empty cert: plain TCP everywhere.
  std::string tls_cert;      // PEM certificate, optionally with its chain
  std::string tls_key;       // its PEM private key, unencrypted
  std::string tls_client_ca; // non-empty: clients need a certificate of it
  bool tls() const { return !tls_cert.empty(); }
};

/// `jobs`: supervision of child processes.
struct job_options {
  std::vector<job_spec> definitions;          // the configured jobs, ids 1..n
  std::chrono::milliseconds stop_grace{5000}; // SIGTERM -> SIGKILL
  // A notify job without READY=1 this long after its start fails (14),
  // like systemd's TimeoutStartSec=; 0: it may take forever.
  std::chrono::milliseconds start_timeout{90000};
  std::chrono::milliseconds restart_delay{100}; // first back-off
  std::chrono::milliseconds restart_delay_max{30000};
  std::chrono::milliseconds stable_after{10000}; // a run this long resets it
  uint32_t log_lines = 200;                      // captured lines kept per job
  uint32_t max_line_bytes = 4096;                // longer output lines are cut
  /// Variables every run gets besides the job's own env (set by the
  /// services: SIGNALBOX_URL is the ttm service's address).
  std::map<std::string, std::string> environment;
  bool editable = true; // set by the service that edits jobs (ttm)
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

/// `cluster`: the links to the other nodes of a site (docs/cluster.md).
struct cluster_options {
  bool enabled = false;
  std::string name;               // unique in the cluster; default: host name
  uint16_t port = 4100;           // the router's port; 0: ephemeral
  std::vector<std::string> peers; // routers to dial, "host:port"
  std::string master; // the node keeping the shared values; "": local values
  std::chrono::milliseconds heartbeat{1000}; // a member silent 3x is down
  size_t max_backlog = 10000; // unacknowledged events per member; more drop
  // Mutual TLS on every link (all three or none): this node's certificate
  // and key, and the authority whose certificates peers must present.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;

  bool tls() const { return !tls_cert.empty(); }
};

/// The node's own settings: the network side every service shares and the
/// domain (jobs, GPIO, shared values, store). Each service declares and
/// keeps its own settings (protocols/<name>/service.cpp).
/// `log`: the node's own log lines (core/log.hpp).
struct log_options {
  std::string level = "info"; // error, warning, info or debug
};

struct node_options {
  log_options log;
  net_options net;
  job_options jobs;
  gpio_options gpio;
  value_options values;
  store_options store;
  cluster_options cluster;
};

/// The CAF configuration of a signalbox node: declares the node's options,
/// bound straight into a node_options, and lets each service declare its
/// own (option_set) before the command line is parsed. After `parse_args`,
/// `read_node_options` validates them and reads the list-valued settings.
class node_config : public caf::actor_system_config {
public:
  node_config();

  /// Where services declare their options (before parse_args).
  caf::config_option_set& option_set() { return custom_options_; }

  /// Parses the command line. Without --config-file, the embedded default
  /// configuration (config/default.conf) is used.
  caf::error parse_args(int argc, char** argv);

  /// The settings, with list-valued options (jobs.definitions, gpio.lines)
  /// read and validated.
  caf::expected<node_options> read_node_options() const;

  /// A readable text for an error of parse_args (CAF renders parser errors
  /// as "parser_error(...)").
  std::string describe(const caf::error& err) const;

  /// Loads CAF's middleman for the cluster's links, with heartbeats on
  /// every link (cluster.heartbeat) so that a hung peer's link is closed.
  void enable_cluster(const cluster_options& cluster);

  /// True when the user asked for --help (the help text was printed).
  bool help_requested() const;

private:
  caf::error check_config_types(const std::string& text) const;

  node_options opts_; // bound to the declared options
};

} // namespace signalbox
