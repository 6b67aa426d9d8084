#include "config/options.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sched.h>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <caf/config_option_adder.hpp>
#include <caf/config_value.hpp>
#include <caf/detail/ini_consumer.hpp>
#include <caf/detail/parser/read_ini.hpp>
#include <caf/dictionary.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/parser_state.hpp>
#include <caf/settings.hpp>

#include "config/default_conf.hpp"
#include "config/option_group.hpp"
#include "config/tls_files.hpp"
#include "core/errors.hpp"
#include "core/host_port.hpp"
#include "core/log.hpp"

namespace signalbox {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

/// The CPUs this process may run on (its affinity mask: taskset, a cpuset
/// cgroup, systemd's CPUAffinity=), at least 1.
size_t usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    return std::max(CPU_COUNT(&set), 1);
  return std::max(std::thread::hardware_concurrency(), 1u);
}

caf::error config_error(std::string text) {
  return make_error(ec::invalid_argument, std::move(text));
}

/// The list at `path`, nullptr when absent; an error when not a list.
caf::expected<const caf::config_value::list*>
find_list(const caf::settings& content, const char* path) {
  auto value = caf::get_if(&content, path);
  if (value == nullptr)
    return static_cast<const caf::config_value::list*>(nullptr);
  if (auto lst = caf::get_if<caf::config_value::list>(value))
    return lst;
  return config_error(std::string{path} + " must be a list");
}

// -- reading list entries ----------------------------------------------------

/// Reads the fields of one dictionary entry of a list option, reporting the
/// first problem as "<where>: <what>".
class entry_reader {
public:
  entry_reader(std::string where, const caf::config_value::dictionary& dict)
      : where_(std::move(where)), dict_(dict) {}

  const caf::config_value* find(const char* key) const {
    auto i = dict_.find(key);
    return i == dict_.end() ? nullptr : &i->second;
  }

  void string(const char* key, std::string& out, bool required = false) {
    if (auto v = find(key)) {
      if (auto str = caf::get_if<std::string>(v))
        out = *str;
      else if (auto atm = caf::get_if<caf::atom_value>(v))
        out = caf::to_string(*atm);
      else
        fail(key, "must be a string");
    } else if (required) {
      fail(key, "is required");
    }
  }

  void boolean(const char* key, bool& out) {
    if (auto v = find(key)) {
      if (auto b = caf::get_if<bool>(v))
        out = *b;
      else
        fail(key, "must be true or false");
    }
  }

  template <class Int>
  void integer(const char* key, Int& out) {
    if (auto v = find(key)) {
      auto i = caf::get_if<int64_t>(v);
      if (i == nullptr) {
        fail(key, "must be an integer");
      } else if (*i < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
                 static_cast<uint64_t>(*i) >
                     static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
        fail(key, "is out of range");
      } else {
        out = static_cast<Int>(*i);
      }
    }
  }

  void string_list(const char* key, std::vector<std::string>& out) {
    auto v = find(key);
    if (v == nullptr)
      return;
    if (auto str = caf::get_if<std::string>(v)) {
      // A single string is a shell command line.
      out = {"/bin/sh", "-c", *str};
      return;
    }
    auto lst = caf::get_if<caf::config_value::list>(v);
    if (lst == nullptr) {
      fail(key, "must be a list of strings or a string");
      return;
    }
    out.clear();
    for (auto& x : *lst) {
      if (auto str = caf::get_if<std::string>(&x))
        out.push_back(*str);
      else
        fail(key, "must be a list of strings");
    }
  }

  void string_map(const char* key, std::map<std::string, std::string>& out) {
    auto v = find(key);
    if (v == nullptr)
      return;
    auto dict = caf::get_if<caf::config_value::dictionary>(v);
    if (dict == nullptr) {
      fail(key, "must be a dictionary of strings");
      return;
    }
    for (auto& [k, x] : *dict) {
      if (auto str = caf::get_if<std::string>(&x))
        out[k] = *str;
      else if (auto i = caf::get_if<int64_t>(&x))
        out[k] = std::to_string(*i);
      else
        fail(key, "must be a dictionary of strings");
    }
  }

  /// Reports keys this reader does not know (typos should not pass silently).
  void reject_unknown(std::initializer_list<const char*> known) {
    for (auto& kvp : dict_) {
      bool ok = false;
      for (auto k : known)
        if (kvp.first == k)
          ok = true;
      if (!ok)
        fail(kvp.first.c_str(), "is not a known setting");
    }
  }

  void fail(const char* key, const char* what) {
    if (error_.empty())
      error_ = where_ + "." + key + " " + what;
  }

  void fail(const std::string& text) {
    if (error_.empty())
      error_ = where_ + ": " + text;
  }

  const std::string& error() const { return error_; }

private:
  std::string where_;
  const caf::config_value::dictionary& dict_;
  std::string error_;
};

/// Reads every dictionary of the list at `path` with `read_one(reader,
/// index)`, which returns false after reporting a problem through the reader.
template <class ReadOne>
caf::error read_entries(const caf::settings& content, const char* path,
                        ReadOne read_one) {
  auto found = find_list(content, path);
  if (!found)
    return found.error();
  auto lst = *found;
  if (lst == nullptr)
    return caf::none;
  for (size_t i = 0; i < lst->size(); ++i) {
    auto where = std::string{path} + "[" + std::to_string(i) + "]";
    auto dict = caf::get_if<caf::config_value::dictionary>(&(*lst)[i]);
    if (dict == nullptr)
      return config_error(where + " must be a dictionary");
    entry_reader r{where, *dict};
    read_one(r);
    if (!r.error().empty())
      return config_error(r.error());
  }
  return caf::none;
}

caf::error read_jobs(const caf::settings& content, job_options& out) {
  return read_entries(content, "jobs.definitions", [&](entry_reader& r) {
    job_spec spec;
    std::string restart = "no";
    r.string("name", spec.name, true);
    r.string_list("command", spec.command);
    r.string("restart", restart);
    r.integer("watchdog-sec", spec.watchdog_sec);
    r.boolean("notify", spec.notify);
    r.boolean("autostart", spec.autostart);
    r.string_map("env", spec.env);
    r.string("cwd", spec.cwd);
    r.reject_unknown({"name", "command", "restart", "watchdog-sec", "notify",
                      "autostart", "env", "cwd"});
    if (spec.command.empty())
      r.fail("command", "must be a non-empty list of strings");
    if (!from_string(restart, spec.restart))
      r.fail("restart", "must be \"no\", \"on-failure\" or \"always\"");
    for (auto& other : out.definitions)
      if (!spec.name.empty() && other.name == spec.name)
        r.fail("name", "is used by another job");
    if (r.error().empty())
      out.definitions.push_back(std::move(spec));
  });
}

caf::error read_gpio_lines(const caf::settings& content, gpio_options& out) {
  return read_entries(content, "gpio.lines", [&](entry_reader& r) {
    gpio_line_spec spec;
    std::string direction = "input";
    r.string("name", spec.name, true);
    r.string("direction", direction);
    r.boolean("active-low", spec.active_low);
    r.string("chip", spec.chip);
    r.integer("offset", spec.offset);
    r.string("line", spec.line);
    r.string("bias", spec.bias);
    r.integer("debounce-ms", spec.debounce_ms);
    r.integer("initial", spec.initial);
    r.reject_unknown({"name", "direction", "active-low", "chip", "offset",
                      "line", "bias", "debounce-ms", "initial"});
    if (!from_string(direction, spec.direction))
      r.fail("direction", "must be \"input\" or \"output\"");
    if (spec.bias != "" && spec.bias != "pull-up" && spec.bias != "pull-down" &&
        spec.bias != "disable")
      r.fail("bias", "must be \"pull-up\", \"pull-down\" or \"disable\"");
    if (spec.initial != 0 && spec.initial != 1)
      r.fail("initial", "must be 0 or 1");
    if (spec.offset >= 0 && spec.chip.empty())
      r.fail("offset", "needs a chip");
    for (auto& other : out.lines)
      if (other.name == spec.name)
        r.fail("name", "is used by another line");
    if (r.error().empty())
      out.lines.push_back(std::move(spec));
  });
}

std::string to_std_string(caf::string_view str) {
  return std::string{str.data(), str.size()};
}

bool has_config_file_arg(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--config-file=", 14) == 0)
      return true;
  return false;
}

/// The text of the config file in effect (--config-file, else the embedded
/// default). Called after CAF parsed the same file successfully.
std::string config_file_text(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--config-file=", 14) == 0) {
      std::ifstream in{argv[i] + 14};
      return std::string{std::istreambuf_iterator<char>{in}, {}};
    }
  }
  return default_config_text;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0')
    return "signalbox";
  return buf;
}

bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" ||
         address == "localhost";
}

caf::error check_cluster_tls(const cluster_options& c) {
  auto given = int{!c.tls_cert.empty()} + int{!c.tls_key.empty()} +
               int{!c.tls_ca.empty()};
  if (given == 0)
    return caf::none;
  if (given != 3)
    return config_error("cluster.tls-cert, cluster.tls-key and cluster.tls-ca "
                        "go together: links are mutually authenticated");
  if (!c.enabled)
    return caf::none;
  auto problem = tls_identity_problem({c.tls_cert, c.tls_key, c.tls_ca});
  if (!problem.empty())
    return config_error("cluster.tls-*: " + problem);
  return caf::none;
}

caf::error check_net_tls(const net_options& n) {
  if (n.tls_cert.empty() != n.tls_key.empty())
    return config_error("net.tls-cert and net.tls-key go together");
  if (!n.tls_client_ca.empty() && !n.tls())
    return config_error("net.tls-client-ca needs net.tls-cert and "
                        "net.tls-key");
  if (!n.tls())
    return caf::none;
  // The client authority signs the clients, not necessarily the node: it
  // is checked on its own.
  auto problem = tls_identity_problem({n.tls_cert, n.tls_key, ""});
  if (problem.empty() && !n.tls_client_ca.empty())
    problem = tls_authority_problem(n.tls_client_ca);
  if (!problem.empty())
    return config_error("net.tls-*: " + problem);
  return caf::none;
}

caf::error check_cluster(node_options& x) {
  auto& c = x.cluster;
  if (c.name.empty())
    c.name = host_name();
  if (c.heartbeat < std::chrono::milliseconds{50})
    return config_error("cluster.heartbeat must be at least 50ms");
  if (c.max_backlog == 0)
    return config_error("cluster.max-backlog must be positive");
  for (auto& peer : c.peers)
    if (!parse_host_port(peer))
      return config_error("cluster.peers: \"" + peer +
                          "\" is not \"host:port\"");
  if (auto err = check_cluster_tls(c))
    return err;
  // Plain links carry no authentication: any process that reaches the
  // port joins. Between hosts the links must run over mutual TLS.
  if (c.enabled && !c.tls() && !is_loopback(x.net.address))
    return config_error("cluster.enabled with net.address " + x.net.address +
                        " needs cluster.tls-cert, cluster.tls-key and "
                        "cluster.tls-ca: links between hosts run over "
                        "mutual TLS");
  return caf::none;
}

} // namespace

node_config::node_config() {
  auto& x = opts_;
  option_group{custom_options_, "log"}.add(
      x.log.level, "level",
      "the node's log lines up to: error, warning, info or debug");
  option_group{custom_options_, "net"}
      .add(x.net.address, "address", "address every listener binds")
      .add(x.net.threads, "threads", "threads running the network io_context")
      .add(x.net.max_header_bytes, "max-header-bytes",
           "largest HTTP request line plus headers (431 beyond)")
      .add(x.net.max_body_bytes, "max-body-bytes",
           "largest HTTP request body (413 beyond)")
      .add(x.net.max_frame_bytes, "max-frame-bytes",
           "largest incoming WebSocket message (close 1009 beyond)")
      .add(x.net.max_queue_bytes, "max-queue-bytes",
           "outbound bytes queued per connection before it is closed as a "
           "slow consumer (1008)")
      .add(x.net.max_queue_frames, "max-queue-frames",
           "outbound frames queued per connection before it is closed as a "
           "slow consumer (1008)")
      .add(x.net.max_waiting_requests, "max-waiting-requests",
           "requests of one connection waiting for the node before that "
           "client is no longer read (until half are answered)")
      .add(x.net.max_connections, "max-connections",
           "open connections per listener; more are refused")
      .add(x.net.http_idle_timeout, "http-idle-timeout",
           "idle time after which an HTTP connection is closed")
      .add(x.net.request_timeout, "request-timeout",
           "time a REST request may wait for the actors (503 beyond)")
      .add(x.net.close_timeout, "close-timeout",
           "time a WebSocket close handshake may take")
      .add(x.net.ws_idle_timeout, "ws-idle-timeout",
           "a WebSocket peer silent this long is dropped (pinged halfway)")
      .add(x.net.tls_cert, "tls-cert",
           "PEM certificate (chain): TLS on every interface whose <group>.tls "
           "is on (the default); re-read on SIGHUP")
      .add(x.net.tls_key, "tls-key", "the certificate's PEM private key")
      .add(x.net.tls_client_ca, "tls-client-ca",
           "PEM authority: TLS clients must show a certificate it signed");
  option_group{custom_options_, "jobs"}
      .add(x.jobs.stop_grace, "stop-grace", "time between SIGTERM and SIGKILL")
      .add(x.jobs.start_timeout, "start-timeout",
           "a notify job without READY=1 this long after its start is "
           "stopped and failed (0: no limit)")
      .add(x.jobs.restart_delay, "restart-delay", "first restart back-off")
      .add(x.jobs.restart_delay_max, "restart-delay-max",
           "longest restart back-off")
      .add(x.jobs.stable_after, "stable-after",
           "a run this long resets the restart back-off")
      .add(x.jobs.log_lines, "log-lines", "output lines kept per job")
      .add(x.jobs.max_line_bytes, "max-line-bytes",
           "longer output lines are cut");
  option_group{custom_options_, "gpio"}
      .add(x.gpio.backend, "backend", "\"simulated\" or \"gpiod\"")
      .add(x.gpio.consumer, "consumer", "consumer label of requested lines");
  option_group{custom_options_, "values"}
      .add(x.values.max_key_bytes, "max-key-bytes", "longest shared-value key")
      .add(x.values.max_value_bytes, "max-value-bytes", "longest shared value")
      .add(x.values.max_keys, "max-keys", "most shared values");
  option_group{custom_options_, "store"}
      .add(x.store.directory, "directory", "data directory (LMDB environment)")
      .add(x.store.map_size, "map-size", "initial LMDB map size in bytes")
      .add(x.store.max_size, "max-size",
           "the map grows up to this many bytes; beyond, writes fail with "
           "507 until records are removed (0: up to the disk)")
      .add(x.store.sync, "sync", "fsync every commit")
      .add(x.store.sync_interval, "sync-interval",
           "with store.sync=false: commits are flushed to disk this long "
           "after");
  option_group{custom_options_, "cluster"}
      .add(x.cluster.enabled, "enabled", "link this node with other nodes")
      .add(x.cluster.name, "name",
           "this node's name, unique in the cluster (default: host name)")
      .add(x.cluster.port, "port", "the cluster router's port (0: ephemeral)")
      .add(x.cluster.peers, "peers", "routers to dial, a list of \"host:port\"")
      .add(x.cluster.master, "master",
           "the node whose shared values every node shares (default: none, "
           "each node's values stay its own)")
      .add(x.cluster.heartbeat, "heartbeat",
           "heartbeat period; a member silent for 3 of them is down")
      .add(x.cluster.max_backlog, "max-backlog",
           "unacknowledged events per member before further ones drop")
      .add(x.cluster.tls_cert, "tls-cert",
           "PEM certificate (chain) of this node: links run over mutual TLS")
      .add(x.cluster.tls_key, "tls-key", "the certificate's PEM private key")
      .add(x.cluster.tls_ca, "tls-ca",
           "PEM certificate of the authority every member's certificate is "
           "signed by");
}

caf::error node_config::parse_args(int argc, char** argv) {
  // CAF 0.17 takes a boolean on the command line only as a bare flag
  // ("--ttm.jobs-editable"); "--ttm.jobs-editable=false" is what people and
  // scripts write, so those are taken out here and applied after parsing.
  std::vector<std::string> args;
  std::vector<std::pair<const caf::config_option*, bool>> flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      auto opt = custom_options_.qualified_name_lookup(arg.substr(2, eq - 2));
      if (opt != nullptr && opt->is_flag()) {
        auto value = arg.substr(eq + 1);
        if (value != "true" && value != "false")
          return config_error(arg.substr(0, eq) + " takes true or false");
        flags.emplace_back(opt, value == "true");
        continue;
      }
    }
    args.push_back(std::move(arg));
  }
  caf::error err;
  if (has_config_file_arg(argc, argv)) {
    err = parse(std::move(args));
  } else {
    std::istringstream embedded{default_config_text};
    err = parse(std::move(args), embedded);
  }
  if (err)
    return err;
  for (auto& [opt, value] : flags) {
    opt->store(caf::config_value{value});
    caf::put(content, opt->full_name(), value);
  }
  // CAF starts max(hardware_concurrency(), 4) workers whatever CPUs the
  // node may use. Idle workers poll (a 50 µs sleep, 500 times after each
  // burst), so under taskset or a cpuset the extra ones only take turns
  // and context switches on the cores they share: on one core four workers
  // cost the RTOC ingest about 15 % of its samples per CPU-second. Nothing
  // blocks a worker here (docs/design.md), so one per usable CPU suffices.
  if (caf::get_if(&content, "scheduler.max-threads") == nullptr)
    caf::put(content, "scheduler.max-threads", usable_cpus());
  return check_config_types(config_file_text(argc, argv));
}

caf::error node_config::check_config_types(const std::string& text) const {
  // CAF keeps an option's default when the file holds a value of the wrong
  // type (port="abc") and only records a warning nobody can read; a typo
  // must not start a node silently configured otherwise. So read the file
  // again with CAF's own parser into a plain dictionary and check each
  // declared option's value against its type.
  caf::settings raw;
  caf::config_option_set no_options;
  caf::detail::ini_consumer consumer{no_options, raw};
  caf::parser_state<std::string::const_iterator> ps{text.begin(), text.end()};
  caf::detail::parser::read_ini(ps, consumer);
  if (ps.code > caf::pec::trailing_character)
    return config_error("the config file cannot be parsed at line " +
                        std::to_string(ps.line) + ", column " +
                        std::to_string(ps.column) + ": " +
                        caf::to_string(ps.code));
  for (auto& opt : custom_options_) {
    auto value = caf::get_if(&raw, opt.full_name());
    if (value != nullptr && opt.check(*value))
      return config_error("invalid value for " +
                          to_std_string(opt.full_name()) + ": expected " +
                          to_std_string(opt.type_name()) + ", got " +
                          caf::to_string(*value));
  }
  return caf::none;
}

std::string node_config::describe(const caf::error& err) const {
  if (err.category() != caf::atom("parser"))
    return text_of(err);
  auto code = static_cast<caf::pec>(err.code());
  std::string where;
  if (err.context().match_elements<caf::settings>()) {
    auto& ctx = err.context().get_as<caf::settings>(0);
    if (auto arg = caf::get_if<std::string>(&ctx, "argument"))
      where = "'" + *arg + "'";
    else if (auto line = caf::get_if<int64_t>(&ctx, "line"))
      where = "line " + std::to_string(*line) + " of the config file";
  }
  std::string what;
  switch (code) {
  case caf::pec::not_an_option:
    what = "unknown option";
    break;
  case caf::pec::missing_argument:
    what = "missing value";
    break;
  default:
    what = "invalid value (" + caf::to_string(code) + ")";
  }
  return where.empty() ? what : what + " in " + where;
}

void node_config::enable_cluster(const cluster_options& cluster) {
  load<caf::io::middleman>();
  // The middleman closes a link silent for two heartbeats (checked every
  // heartbeat, so within three); the router notices the same on its own.
  auto beat = std::chrono::duration_cast<caf::timespan>(cluster.heartbeat);
  caf::put(content, "middleman.heartbeat-interval", beat);
  caf::put(content, "middleman.connection-timeout", 2 * beat);
  caf::put(content, "middleman.app-identifiers",
           std::vector<std::string>{cluster_app_identifier});
  if (!cluster.tls())
    return;
  // With any of these set, CAF's OpenSSL module authenticates both ends of
  // every link against the authority (SSL_VERIFY_PEER and
  // SSL_VERIFY_FAIL_IF_NO_PEER_CERT); the files were checked at start-up.
  openssl_certificate = cluster.tls_cert;
  openssl_key = cluster.tls_key;
  openssl_cafile = cluster.tls_ca;
  load<caf::openssl::manager>();
}

bool node_config::help_requested() const {
  return cli_helptext_printed;
}

caf::expected<node_options> node_config::read_node_options() const {
  auto x = opts_;
  if (!log::parse_level(x.log.level))
    return config_error("log.level must be error, warning, info or debug, "
                        "not \"" +
                        x.log.level + "\"");
  if (x.net.threads == 0)
    x.net.threads = 1;
  if (x.net.ws_idle_timeout < std::chrono::milliseconds{20})
    return config_error("net.ws-idle-timeout must be at least 20ms");
  if (x.gpio.backend != "simulated" && x.gpio.backend != "gpiod")
    return config_error("gpio.backend must be \"simulated\" or \"gpiod\"");
  if (x.store.directory.empty())
    return config_error("store.directory must not be empty");
  if (x.store.max_size > 0 && x.store.map_size > x.store.max_size)
    return config_error("store.map-size must not be larger than "
                        "store.max-size");
  if (!x.store.sync && x.store.sync_interval.count() <= 0)
    return config_error("store.sync-interval must be positive");
  if (x.net.max_queue_bytes == 0 || x.net.max_queue_frames == 0)
    return config_error("net.max-queue-bytes and net.max-queue-frames must "
                        "be positive");
  if (x.net.max_waiting_requests == 0)
    return config_error("net.max-waiting-requests must be positive");
  if (auto err = check_net_tls(x.net))
    return err;
  if (auto err = check_cluster(x))
    return err;
  if (auto err = read_jobs(content, x.jobs))
    return err;
  if (auto err = read_gpio_lines(content, x.gpio))
    return err;
  return x;
}

} // namespace signalbox
