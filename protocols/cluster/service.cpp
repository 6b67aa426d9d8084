#include "protocols/cluster/service.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/send.hpp>

#include "actors/cluster_router.hpp"
#include "actors/value_replica.hpp"
#include "core/errors.hpp"
#include "core/host_port.hpp"
#include "protocols/http/rest_routes.hpp"

namespace signalbox::cluster {

namespace {

/// The listening line of the published router. Its links are the
/// middleman's, not Asio connections: none is counted here.
class router_listener : public listener_handle {
public:
  router_listener(std::string address, uint16_t port, bool tls)
      : address_(std::move(address)), port_(port), tls_(tls) {
    // nop
  }
  bool secure() const override { return tls_; }
  std::string service() const override { return "cluster"; }
  std::string address() const override { return address_; }
  uint16_t port() const override { return port_; }
  void stop() override {
    // The router's links end with the router (the node retires it).
  }
  size_t connections() const override { return 0; }

private:
  std::string address_;
  uint16_t port_;
  bool tls_; // links over CAF's OpenSSL module (cluster.tls-*)
};

std::shared_ptr<const http::rest_resource>
cluster_resource(cluster_router_actor router, const node_options& node) {
  using namespace http;
  cluster_view lone;
  lone.name = node.cluster.name;
  lone.heartbeat_ms = node.cluster.heartbeat.count();
  auto r = std::make_shared<rest_resource>();
  r->routes = {
      {{"api", "cluster"},
       {{"GET",
         [router, lone](rest_call& call) {
           if (!router) {
             call.respond(json_response(200, rest::encode(lone)));
             return;
           }
           answer<cluster_view>(call, 200, router, get_atom_v);
         }}}},
  };
  return r;
}

class cluster_service : public service {
public:
  const char* name() const override { return "cluster"; }

  void declare_options(caf::config_option_set&) override {
    // cluster.* are the node's options (config/options.cpp): main() needs
    // them before the actor system exists, to load the middleman.
  }

  caf::error bind(service_context& ctx) override {
    auto& opts = ctx.node.cluster;
    if (!opts.enabled)
      return caf::none;
    cluster_router_settings settings;
    settings.name = opts.name;
    settings.heartbeat = opts.heartbeat;
    settings.max_backlog = opts.max_backlog;
    // With cluster.tls-*, CAF's OpenSSL middleman dials and accepts every
    // link (node_config::enable_cluster loaded it); it shares the one BASP
    // broker with the plain middleman, which then publishes nothing.
    settings.middleman = opts.tls() ? ctx.sys.openssl_manager().actor_handle()
                                    : ctx.sys.middleman().actor_handle();
    router_ = ctx.sys.spawn(cluster_router, std::move(settings));
    auto& address = ctx.node.net.address;
    auto port = publish_router(opts.port, address, opts.tls());
    if (!port)
      return make_error(ec::system_error, "cluster: cannot listen on " +
                                              address + ":" +
                                              std::to_string(opts.port) + ": " +
                                              text_of(port.error()));
    listener_ = std::make_shared<router_listener>(address, *port, opts.tls());
    ctx.cluster = router_;
    if (!opts.master.empty())
      share_values(ctx);
    caf::anon_send(router_, cluster_join_atom_v,
                   to_string(host_port{address, *port}), opts.peers);
    return caf::none;
  }

  caf::error start(service_context& ctx) override {
    ctx.rest_resources.push_back(cluster_resource(router_, ctx.node));
    return caf::none;
  }

  void serve(service_context&) override {
    // The middleman accepts links since `bind`.
  }

  std::vector<std::shared_ptr<listener_handle>> listeners() const override {
    if (!listener_)
      return {};
    return {listener_};
  }

  void stop() override {
    // nop: see router_listener::stop
  }

  std::vector<caf::actor> actors() const override {
    return {caf::actor_cast<caf::actor>(router_),
            caf::actor_cast<caf::actor>(replica_),
            caf::actor_cast<caf::actor>(registry_)};
  }

private:
  /// Publishes the router on `port`, with SO_REUSEADDR as the node's other
  /// listeners: a restarted node takes its port back while the old links
  /// linger in TIME_WAIT.
  caf::expected<uint16_t> publish_router(uint16_t port,
                                         const std::string& address, bool tls) {
    if (tls)
      return caf::openssl::publish(router_, port, address.c_str(), true);
    return router_.home_system().middleman().publish(router_, port,
                                                     address.c_str(), true);
  }

  /// Puts the replica in front of the node's value registry: every service
  /// started after this writes through it (the node still holds the
  /// registry, which is retired with the replica).
  void share_values(service_context& ctx) {
    value_replica_settings settings;
    settings.self_name = ctx.node.cluster.name;
    settings.master = ctx.node.cluster.master;
    settings.timeout = 2 * ctx.node.cluster.heartbeat;
    registry_ = ctx.values;
    replica_ = ctx.sys.spawn(value_replica, ctx.values, router_, settings);
    ctx.values = caf::actor_cast<value_registry_actor>(replica_);
  }

  value_replica_actor replica_;
  value_registry_actor registry_;
  cluster_router_actor router_;
  std::shared_ptr<router_listener> listener_;
};

} // namespace

std::unique_ptr<service> make_service() {
  return std::make_unique<cluster_service>();
}

} // namespace signalbox::cluster
