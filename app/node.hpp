// The node supervisor: starts a signalbox node in dependency order and stops
// it in reverse. Start-up blocks (it runs in main(), before anything is
// served); so does the orderly shutdown. Nothing here runs inside an actor.
//
// The node owns the domain (store, shared values, GPIO lines, jobs) and
// runs its services (protocols/service.hpp) through their phases; it knows
// none of them by name.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "config/options.hpp"
#include "protocols/service.hpp"

namespace signalbox {

class node {
public:
  /// Called once per listener, after it is bound: (service, address, port).
  using listening_callback =
      std::function<void(const std::string&, const std::string&, uint16_t)>;

  node(caf::actor_system& sys, node_options opts, service_list services);
  ~node();

  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Opens the store, loads state, requests GPIO lines, binds and serves
  /// every service, then starts the autostart jobs. An error with a clear
  /// text when the node cannot start (the caller exits with status 2).
  caf::error start(const listening_callback& on_listening);

  /// Blocks until SIGINT or SIGTERM.
  void wait_for_signal();

  /// The orderly shutdown: stop accepting, close WebSockets with 1001, stop
  /// every job (SIGTERM, SIGKILL after the grace period), commit the store.
  /// Returns an error when a step failed (the caller exits non-zero).
  caf::error stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace signalbox
