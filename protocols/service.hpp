// The seam between the node and its interfaces. Each protocol (ttmnotify and
// REST, JMRI, Socket.IO, ...) is a `service`: it declares its own options,
// binds its listeners, spawns its own actors, serves, and stops. The node
// (app/node.cpp) knows services only through this interface and runs them
// in the order of the one registration list, app/services.cpp.
//
// The phases, in the order the node calls them:
//   declare_options  before the configuration is parsed
//   configure        after parsing: validate, adjust the node's settings
//   bind             listeners bound (ports known); jobs not yet spawned
//   start            the domain actors exist; spawn the service's actors
//   serve            accept connections
//   stop             stop accepting, close connections (WebSockets: 1001)
// and then the node retires the service's actors() before its own.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/config_option_set.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "core/metrics.hpp"
#include "protocols/http/listener_handle.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox {

namespace http {
struct rest_resource;
class tls_server;
} // namespace http

/// What the node hands its services.
struct service_context {
  service_context(caf::actor_system& sys, boost::asio::io_context& io,
                  const node_options& node)
      : sys(sys), io(io), node(node) {
    // nop
  }

  caf::actor_system& sys;
  boost::asio::io_context& io;
  const node_options& node;

  /// What GET /metrics shows: services count into it and may add
  /// collectors of their own.
  metrics::registry_ptr metrics = std::make_shared<metrics::registry>();

  /// Every service's listeners, in the order of their listening lines;
  /// filled after every service bound (so from `start` on).
  std::vector<std::shared_ptr<listener_handle>> listeners;

  // The domain actors; valid from `start` on.
  store_actor store;
  value_registry_actor values;
  gpio_registry_actor gpio;
  job_registry_actor jobs;

  /// The cluster router (protocols/cluster), from `bind` on; null when the
  /// cluster is off.
  cluster_router_actor cluster;

  /// Variables every job's process gets, filled during `bind` (the ttm
  /// service adds SIGNALBOX_URL, so jobs can reach the node's REST API).
  std::map<std::string, std::string> job_environment;

  /// The node's TLS identity (net.tls-cert and net.tls-key), for the
  /// listeners whose interface switch (ttm.tls, ...) is on; null without.
  std::shared_ptr<http::tls_server> tls;
  /// Every TLS identity in use, the node's and any a service has of its own
  /// (rtoc.tls-cert): SIGHUP re-reads them all. Filled during `bind`.
  std::vector<std::shared_ptr<http::tls_server>> tls_identities;
  /// The identity for an interface whose switch is `on`: the node's, or
  /// none (plain TCP).
  std::shared_ptr<http::tls_server> tls_if(bool on) const {
    return on ? tls : nullptr;
  }
  /// REST resources contributed by services during `start` and served by
  /// the REST API (the ttm service) from `serve` on: JMRI adds
  /// /api/messages.
  std::vector<std::shared_ptr<const http::rest_resource>> rest_resources;
};

class service {
public:
  virtual ~service() = default;

  /// The service's option group and name in messages ("ttm", "jmri").
  virtual const char* name() const = 0;

  /// Declares the service's options, bound to its own settings.
  virtual void declare_options(caf::config_option_set& options) = 0;

  /// Validates the parsed settings, and may adjust the node's (for
  /// example a table of its own in store.tables). An error is a start-up
  /// error with a text naming the option.
  virtual caf::error configure(node_options&) { return caf::none; }

  /// False when the service is switched off: the node skips every later
  /// phase.
  virtual bool enabled() const { return true; }

  /// Binds the listeners; an error names the service and the port.
  virtual caf::error bind(service_context& ctx) = 0;

  /// Spawns the service's actors (the domain actors exist by now).
  virtual caf::error start(service_context&) { return caf::none; }

  /// Starts accepting connections.
  virtual void serve(service_context& ctx) = 0;

  /// The bound listeners, in the order of their listening lines.
  virtual std::vector<std::shared_ptr<listener_handle>> listeners() const = 0;

  /// Stops accepting and closes every connection. Thread-safe.
  virtual void stop() = 0;

  /// The actors the service spawned, for the node to retire.
  virtual std::vector<caf::actor> actors() const { return {}; }
};

using service_list = std::vector<std::unique_ptr<service>>;

} // namespace signalbox
