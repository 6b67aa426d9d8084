// The data that crosses actor boundaries: job, GPIO and shared-value
// descriptions and snapshots, and the domain events that are published to
// groups. Every type has an `inspect` overload so that it can also cross
// CAF's middleman when nodes form a cluster.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/message.hpp>
#include <caf/meta/type_name.hpp>

namespace signalbox {

// -- jobs ---------------------------------------------------------------------

/// The ttmnotify job status enumeration, with the seed's numeric values.
enum class job_status : int32_t {
  unknown = 0,
  running = 10,
  starting = 11,
  stopping = 12,
  stopped = 13,
  failed_to_start = 14,
  exited = 15,
  exited_with_error = 16,
  crashed = 17,
  killed_by_watchdog = 18,
};

/// When a job's process is started again after it ended (systemd's Restart=).
enum class restart_policy : uint8_t { no, on_failure, always };

/// What a job is: its definition, from the configuration or the REST API.
struct job_spec {
  std::string name;
  std::vector<std::string> command; // argv; command[0] is looked up in PATH
  restart_policy restart = restart_policy::no;
  uint32_t watchdog_sec = 0; // 0: no watchdog
  bool notify = false;       // running only after READY=1 (sd_notify)
  bool autostart = true;
  std::map<std::string, std::string> env;
  std::string cwd; // empty: the node's working directory
};

/// Where a job definition comes from. Configured jobs cannot be edited or
/// removed through the REST API; API jobs are kept in the store.
enum class job_origin : uint8_t { config, api };

/// A snapshot of a job, as the REST API returns it.
struct job_info {
  uint64_t id = 0;
  job_spec spec;
  job_origin origin = job_origin::config;
  job_status status = job_status::unknown;
  int32_t pid = 0;         // 0: no process
  int32_t exit_code = -1;  // -1: none yet (or ended by a signal)
  int32_t term_signal = 0; // the signal that ended the last run, 0: none
  uint32_t restarts = 0;   // automatic restarts since the last start request
  std::string status_text; // the last STATUS=... from sd_notify
};

/// One captured line of a job's stdout or stderr.
struct log_line {
  int64_t ts_ms = 0;  // wall clock, milliseconds since the Unix epoch
  std::string stream; // "stdout" or "stderr"
  std::string line;
};

// -- GPIO ---------------------------------------------------------------------

enum class gpio_direction : uint8_t { input, output };

/// A configured GPIO line. Lines are found by `line` name on any chip, or by
/// `chip` plus `offset`.
struct gpio_line_spec {
  std::string name; // the name clients use ("relay-a")
  gpio_direction direction = gpio_direction::input;
  bool active_low = false;
  std::string chip;    // "gpiochip0" or a path; empty: search by line name
  int32_t offset = -1; // with `chip`
  std::string line;    // the hardware line name; empty: same as `name`
  std::string bias;    // "", "pull-up", "pull-down", "disable"
  uint32_t debounce_ms = 0;
  int32_t initial = 0; // outputs: the value set when the line is requested
};

/// A snapshot of a GPIO line, as the REST API returns it.
struct gpio_info {
  std::string name;
  gpio_direction direction = gpio_direction::input;
  int32_t value = 0; // logical value (active-low already applied)
  bool active_low = false;
  std::string backend; // "simulated" or "gpiod"
  std::string chip;
  int32_t offset = -1;
  uint32_t debounce_ms = 0;
};

/// An edge seen on a line's event fd (decoded `gpioevent_data`).
struct gpio_edge {
  uint64_t timestamp_ns = 0; // kernel timestamp (CLOCK_MONOTONIC)
  int32_t value = 0;         // logical value after the edge
};

// -- shared values ------------------------------------------------------------

/// A shared key/value pair, as the REST API returns it.
struct value_info {
  std::string key;
  std::string value;
  bool persistent = false;
  bool notify = true;
  std::string provider;
};

/// A write to a shared value.
struct value_write {
  std::string value;
  bool persistent = false;
  bool notify = true;
  std::string provider;
};

/// Why a shared value notification was sent.
enum class value_change : uint8_t { added, updated, removed };

/// The answer to a write: the value as stored, and whether it was new.
struct value_put_result {
  value_info info;
  bool added = false;
};

// -- store --------------------------------------------------------------------

/// One key/value record of a store table.
struct store_record {
  std::string key;
  std::string value;
};

/// Records whose keys and values each have one size, packed into two
/// buffers: record i is keys[i*key_size, +key_size) = values[i*value_size,
/// +value_size). A batch of many small records (RTOC samples) then costs no
/// allocation per record, on the way to the store and in it.
struct store_batch {
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  std::string keys;
  std::string values;

  /// Appends one record; `key` and `value` must have the batch's sizes.
  void add(std::string_view key, std::string_view value) {
    keys.append(key);
    values.append(value);
  }

  size_t size() const { return key_size == 0 ? 0 : keys.size() / key_size; }
  std::string_view key(size_t i) const {
    return std::string_view{keys}.substr(i * key_size, key_size);
  }
  std::string_view value(size_t i) const {
    return std::string_view{values}.substr(i * value_size, value_size);
  }
};

// -- domain events ------------------------------------------------------------
// Small immutable facts, published after the change is committed. They travel
// inside a `notification` (notification.hpp), which caches their encodings.

/// A job was added or removed (ttmnotify "refresh").
struct job_list_changed {
  bool added = true; // false: removed
  uint64_t job_id = 0;
  std::string name;
};

/// A job's status changed (ttmnotify "updatejob").
struct job_status_changed {
  uint64_t job_id = 0;
  std::string name;
  job_status status = job_status::unknown;
  int32_t exit_code = -1;
  int32_t term_signal = 0;
};

/// A line of a job's output as it was captured, published to the
/// "jobs/output" group (realdds streams them as `log` entries).
struct job_output {
  uint64_t job_id = 0;
  std::string job; // the job's name
  log_line line;
};

/// A GPIO line's value changed (ttmnotify "gpioupdate").
struct gpio_changed {
  std::string name;
  int32_t value = 0;
};

/// A shared value was added, updated or removed (ttmnotify "dbchange").
struct value_changed {
  std::string key;
  std::string value; // "" when removed
  value_change reason = value_change::updated;
};

// -- cluster ------------------------------------------------------------------

/// What one node knows of a link to another node.
enum class member_state : uint8_t { connecting, up, down };

/// A node of the cluster as members tell each other about it: its unique
/// `cluster.name` and the address its router is published at.
struct cluster_member {
  std::string name;
  std::string address; // "host:port"
};

/// The handshake of a link, sent by the node that dialled and answered by
/// the other: who it is, whom it knows, and which topics it takes.
struct cluster_hello {
  uint32_t protocol = 0;    // refused unless equal on both sides
  std::string name;         // cluster.name, unique in the cluster
  std::string address;      // where its router is published
  uint64_t incarnation = 0; // random per start: a restart is a new peer
  std::vector<cluster_member> members; // the members it has links to
  std::vector<std::string> topics;     // what its services take
};

/// One other node as GET /api/cluster shows it.
struct member_view {
  std::string name; // "" for a configured peer never reached
  std::string address;
  member_state state = member_state::connecting;
  int64_t last_seen_ms = -1; // wall clock of the last message; -1: never
};

/// The node's view of the cluster (GET /api/cluster).
struct cluster_view {
  bool enabled = false;
  std::string name;
  std::string address;
  int64_t heartbeat_ms = 0;
  std::vector<member_view> members; // the other nodes, by name
};

/// The middleman's application identifier of cluster links: nodes whose
/// links speak another version refuse each other's connections.
constexpr const char* cluster_app_identifier = "signalbox.cluster.v2";

/// One event in a batch a router sends over a link: what a service
/// published on `topic` (cluster_router.cpp numbers the batch).
struct cluster_event {
  std::string topic;
  caf::message payload;
};

/// A member came up or was lost (ttmnotify "clusterupdate").
struct cluster_changed {
  std::string name;
  std::string address;
  member_state state = member_state::up;
};

// -- inspection ---------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_spec& x) {
  return f(caf::meta::type_name("job_spec"), x.name, x.command, x.restart,
           x.watchdog_sec, x.notify, x.autostart, x.env, x.cwd);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_info& x) {
  return f(caf::meta::type_name("job_info"), x.id, x.spec, x.origin, x.status,
           x.pid, x.exit_code, x.term_signal, x.restarts, x.status_text);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_line& x) {
  return f(caf::meta::type_name("log_line"), x.ts_ms, x.stream, x.line);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gpio_line_spec& x) {
  return f(caf::meta::type_name("gpio_line_spec"), x.name, x.direction,
           x.active_low, x.chip, x.offset, x.line, x.bias, x.debounce_ms,
           x.initial);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gpio_info& x) {
  return f(caf::meta::type_name("gpio_info"), x.name, x.direction, x.value,
           x.active_low, x.backend, x.chip, x.offset, x.debounce_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gpio_edge& x) {
  return f(caf::meta::type_name("gpio_edge"), x.timestamp_ns, x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, value_info& x) {
  return f(caf::meta::type_name("value_info"), x.key, x.value, x.persistent,
           x.notify, x.provider);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, value_write& x) {
  return f(caf::meta::type_name("value_write"), x.value, x.persistent, x.notify,
           x.provider);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, value_put_result& x) {
  return f(caf::meta::type_name("value_put_result"), x.info, x.added);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_record& x) {
  return f(caf::meta::type_name("store_record"), x.key, x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_batch& x) {
  return f(caf::meta::type_name("store_batch"), x.key_size, x.value_size,
           x.keys, x.values);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_list_changed& x) {
  return f(caf::meta::type_name("job_list_changed"), x.added, x.job_id, x.name);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_output& x) {
  return f(caf::meta::type_name("job_output"), x.job_id, x.job, x.line);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_status_changed& x) {
  return f(caf::meta::type_name("job_status_changed"), x.job_id, x.name,
           x.status, x.exit_code, x.term_signal);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gpio_changed& x) {
  return f(caf::meta::type_name("gpio_changed"), x.name, x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, value_changed& x) {
  return f(caf::meta::type_name("value_changed"), x.key, x.value, x.reason);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_member& x) {
  return f(caf::meta::type_name("cluster_member"), x.name, x.address);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_hello& x) {
  return f(caf::meta::type_name("cluster_hello"), x.protocol, x.name, x.address,
           x.incarnation, x.members, x.topics);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_view& x) {
  return f(caf::meta::type_name("member_view"), x.name, x.address, x.state,
           x.last_seen_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_view& x) {
  return f(caf::meta::type_name("cluster_view"), x.enabled, x.name, x.address,
           x.heartbeat_ms, x.members);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_event& x) {
  return f(caf::meta::type_name("cluster_event"), x.topic, x.payload);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_changed& x) {
  return f(caf::meta::type_name("cluster_changed"), x.name, x.address, x.state);
}

// -- names of enumerations (REST and logs) ------------------------------------

const char* to_string(job_status x);
const char* to_string(restart_policy x);
const char* to_string(job_origin x);
const char* to_string(gpio_direction x);
const char* to_string(value_change x);
const char* to_string(member_state x);

/// Parses "no", "on-failure" or "always"; false for anything else.
bool from_string(const std::string& str, restart_policy& x);

/// Parses "input"/"in" or "output"/"out"; false for anything else.
bool from_string(const std::string& str, gpio_direction& x);

} // namespace signalbox
