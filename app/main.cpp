// signalbox: a device-gateway message broker. Parses the configuration,
// starts the node, serves until SIGINT/SIGTERM, then shuts down in order.
//
// Exit status: 0 after an orderly shutdown, 1 when the shutdown failed,
// 2 when the node could not start (bad configuration, unusable data
// directory, missing GPIO line, port in use).
#include <csignal>
#include <iostream>
#include <sys/resource.h>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/interfaces.hpp"
#include "app/node.hpp"
#include "app/services.hpp"
#include "app/watchdog.hpp"
#include "config/options.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "hal/service_manager.hpp"

int main(int argc, char** argv) {
  // Writes to a vanished peer must fail with EPIPE, not kill the node.
  std::signal(SIGPIPE, SIG_IGN);
  // systemd's notify socket, taken out of the environment before any job
  // or thread could see it (deploy/systemd/signalbox.service).
  auto manager = std::make_shared<const signalbox::hal::service_manager>(
      signalbox::hal::service_manager::from_environment());
  signalbox::log::set_priority_prefixes(signalbox::hal::stderr_is_journal());
  // Every connection, pipe and event fd is a descriptor; the usual soft
  // limit of 1024 would cap the node far below net.max-connections.
  if (rlimit lim{};
      getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  auto services = signalbox::make_services();
  signalbox::node_config cfg;
  signalbox::add_signalbox_types(cfg);
  for (auto& s : services)
    s->declare_options(cfg.option_set());
  if (auto err = cfg.parse_args(argc, argv)) {
    std::cerr << "signalbox: invalid configuration: " << cfg.describe(err)
              << std::endl;
    return 2;
  }
  if (cfg.help_requested())
    return 0;
  auto opts = cfg.read_node_options();
  for (auto& s : services)
    if (opts)
      if (auto err = s->configure(*opts))
        opts = std::move(err);
  if (!opts) {
    std::cerr << "signalbox: invalid configuration: "
              << signalbox::text_of(opts.error()) << std::endl;
    return 2;
  }
  signalbox::log::set_level(*signalbox::log::parse_level(opts->log.level));
  if (opts->cluster.enabled)
    cfg.enable_cluster(opts->cluster);
  caf::actor_system sys{cfg};
  signalbox::node node{sys, std::move(*opts), std::move(services)};
  auto on_listening = [](const std::string& service, const std::string& address,
                         uint16_t port) {
    // The one line scripts and tests wait for; flushed at once.
    std::cout << "listening " << service << " " << address << ":" << port
              << std::endl;
  };
  if (auto err = node.start(on_listening)) {
    std::cerr << "signalbox: cannot start: " << signalbox::text_of(err)
              << std::endl;
    manager->notify("STATUS=cannot start: " + signalbox::text_of(err));
    node.stop();
    return 2;
  }
  // Every listener is bound and the store is open: ready. Then the
  // watchdog pings, through the orderly shutdown too.
  manager->notify("READY=1\nSTATUS=serving");
  caf::actor watchdog;
  if (auto timeout = manager->watchdog())
    watchdog = signalbox::spawn_watchdog(
        sys, manager, std::chrono::duration_cast<caf::timespan>(*timeout / 2));
  node.wait_for_signal();
  manager->notify("STOPPING=1\nSTATUS=stopping");
  auto stopped = node.stop();
  // The actor system waits for every actor when it ends: the pinger too.
  if (watchdog)
    caf::anon_send_exit(watchdog, caf::exit_reason::user_shutdown);
  if (stopped) {
    std::cerr << "signalbox: shutdown: " << signalbox::text_of(stopped)
              << std::endl;
    return 1;
  }
  return 0;
}
