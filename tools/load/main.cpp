// signalbox-load: drives a signalbox node with scripted client populations
// (ttmnotify subscribers, REST writers, altoponix Socket.IO users and
// monitors, JMRI JSON clients, RTOC and realdds clients, flooders), measures
// delivery, latency, loss and order, and checks the scenario's assertions.
// See deploy/load/README.md.
//
//   signalbox-load <scenario.json> [--host=H] [--ttm-port=N]
//                  [--socketio-port=N] [--jmri-port=N] [--jmri-tcp-port=N]
//                  [--rtoc-port=N] [--realdds-port=N]
//                  [--server-pid=PID] [--report=FILE] [--threads=N]
//                  [--quiet] [--tls]
//
// --tls: ttmnotify subscribers and REST writers connect over TLS (wss://,
// https://) without checking the node's certificate.
//
// Exit status: 0 every assertion passed, 1 an assertion failed, 2 bad
// usage, unusable scenario, or the run could not start.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <sys/resource.h>

#include "tools/load/client_stream.hpp"
#include "tools/load/report.hpp"
#include "tools/load/runner.hpp"
#include "tools/load/scenario.hpp"
#include "tools/load/verdict.hpp"

using namespace signalbox::load;

namespace {

constexpr const char* usage =
    "usage: signalbox-load <scenario.json> [--host=H] [--ttm-port=N]\n"
    "         [--socketio-port=N] [--jmri-port=N] [--jmri-tcp-port=N]\n"
    "         [--rtoc-port=N] [--realdds-port=N]\n"
    "         [--server-pid=PID] [--report=FILE] [--threads=N] [--quiet]\n"
    "         [--tls]\n";

struct cli {
  std::string scenario_file;
  std::optional<std::string> host;
  std::optional<uint16_t> ttm_port;
  std::optional<uint16_t> socketio_port;
  std::optional<uint16_t> jmri_port;
  std::optional<uint16_t> jmri_tcp_port;
  std::optional<uint16_t> rtoc_port;
  std::optional<uint16_t> realdds_port;
  std::optional<std::string> report;
  run_options run;
};

unsigned long number_arg(const std::string& name, const std::string& value,
                         unsigned long min, unsigned long max) {
  char* end = nullptr;
  errno = 0;
  auto n = std::strtoul(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || n < min || n > max)
    throw std::invalid_argument{"--" + name + ": must be a number in [" +
                                std::to_string(min) + ", " +
                                std::to_string(max) + "]"};
  return n;
}

cli parse_cli(int argc, char** argv) {
  cli c;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quiet") {
      c.run.quiet = true;
      continue;
    }
    if (arg == "--tls") {
      enable_client_tls();
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      if (!c.scenario_file.empty())
        throw std::invalid_argument{"more than one scenario file"};
      c.scenario_file = arg;
      continue;
    }
    auto eq = arg.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument{arg + ": expected --name=value"};
    auto name = arg.substr(2, eq - 2);
    auto value = arg.substr(eq + 1);
    if (name == "host")
      c.host = value;
    else if (name == "ttm-port")
      c.ttm_port = static_cast<uint16_t>(number_arg(name, value, 1, 65535));
    else if (name == "socketio-port")
      c.socketio_port =
          static_cast<uint16_t>(number_arg(name, value, 1, 65535));
    else if (name == "jmri-port")
      c.jmri_port = static_cast<uint16_t>(number_arg(name, value, 1, 65535));
    else if (name == "rtoc-port")
      c.rtoc_port = static_cast<uint16_t>(number_arg(name, value, 1, 65535));
    else if (name == "realdds-port")
      c.realdds_port = static_cast<uint16_t>(number_arg(name, value, 1, 65535));
    else if (name == "jmri-tcp-port")
      c.jmri_tcp_port =
          static_cast<uint16_t>(number_arg(name, value, 1, 65535));
    else if (name == "server-pid")
      c.run.server_pid =
          static_cast<pid_t>(number_arg(name, value, 1, 4194304));
    else if (name == "report")
      c.report = value;
    else if (name == "threads")
      c.run.threads = static_cast<unsigned>(number_arg(name, value, 1, 256));
    else
      throw std::invalid_argument{"unknown option --" + name};
  }
  if (c.scenario_file.empty())
    throw std::invalid_argument{"no scenario file"};
  return c;
}

// Thousands of connections need thousands of descriptors; the soft limit
// is often 1024 while the hard one allows far more.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

} // namespace

int main(int argc, char** argv) {
  cli c;
  scenario s;
  try {
    c = parse_cli(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "signalbox-load: " << e.what() << "\n" << usage;
    return 2;
  }
  try {
    s = load_scenario(c.scenario_file);
  } catch (const scenario_error& e) {
    std::cerr << "signalbox-load: " << e.what() << std::endl;
    return 2;
  }
  if (c.host)
    s.host = *c.host;
  if (c.ttm_port)
    s.ttm_port = *c.ttm_port;
  if (c.socketio_port)
    s.socketio_port = *c.socketio_port;
  if (c.jmri_port)
    s.jmri_port = *c.jmri_port;
  if (c.jmri_tcp_port)
    s.jmri_tcp_port = *c.jmri_tcp_port;
  if (c.rtoc_port)
    s.rtoc_port = *c.rtoc_port;
  if (c.realdds_port)
    s.realdds_port = *c.realdds_port;
  raise_fd_limit();
  results r;
  try {
    r = run_scenario(s, c.run);
  } catch (const std::exception& e) {
    std::cerr << "signalbox-load: " << e.what() << std::endl;
    return 2;
  }
  evaluate(s, r);
  std::cout << summary_text(r) << std::flush;
  if (c.report) {
    std::ofstream out{*c.report, std::ios::trunc};
    out << report_json(r);
    if (!out) {
      std::cerr << "signalbox-load: cannot write " << *c.report << std::endl;
      return 2;
    }
  }
  return r.passed ? 0 : 1;
}
