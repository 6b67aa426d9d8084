#include "protocols/jmri/service.hpp"

#include <caf/actor_cast.hpp>

#include "config/option_group.hpp"
#include "core/errors.hpp"
#include "protocols/jmri/jmri_cluster_messages.hpp"
#include "protocols/jmri/jmri_directory.hpp"
#include "protocols/jmri/jmri_job_messages.hpp"
#include "protocols/jmri/options.hpp"
#include "protocols/jmri/rest_messages.hpp"
#include "protocols/jmri/server.hpp"

namespace signalbox::jmri {

namespace {

class jmri_service : public service {
public:
  const char* name() const override { return "jmri"; }

  void declare_options(caf::config_option_set& set) override {
    option_group{set, "jmri"}
        .add(opts_.enabled, "enabled", "serve the JMRI JSON message service")
        .add(opts_.port, "port", "JMRI WebSocket (/json/) port (0: ephemeral)")
        .add(opts_.tcp_port, "tcp-port",
             "JMRI raw TCP JSON port (0: ephemeral)")
        .add(opts_.heartbeat_interval, "heartbeat-interval",
             "a JMRI connection silent for this x 1.1 is closed; the hello "
             "announces 0.9 of it")
        .add(opts_.railroad, "railroad", "railroad name in the JMRI hello")
        .add(opts_.node, "node",
             "node name in the JMRI hello (default: signalbox-<hostname>)")
        .add(opts_.active_profile, "active-profile",
             "activeProfile in the JMRI hello (default: null)")
        .add(opts_.locale, "locale", "locale of the node's own messages")
        .add(opts_.job_messages, "job-messages",
             "broadcast job status changes as JMRI messages")
        .add(opts_.cluster_messages, "cluster-messages",
             "cluster members coming up or lost as JMRI messages (with "
             "cluster.enabled)")
        .add(opts_.tls, "tls",
             "with net.tls-cert: the WebSocket port serves wss:// only")
        .add(opts_.tcp_tls, "tcp-tls",
             "with net.tls-cert: the raw TCP port speaks TLS only");
  }

  caf::error configure(node_options&) override {
    if (opts_.heartbeat_interval < std::chrono::milliseconds{100})
      return make_error(ec::invalid_argument,
                        "jmri.heartbeat-interval must be at least 100ms");
    return caf::none;
  }

  // Always enabled: with jmri.enabled=false the service binds nothing, but
  // its REST resource still answers POST /api/messages (with 503).

  caf::error bind(service_context& ctx) override {
    if (!opts_.enabled)
      return caf::none;
    auto servers =
        bind_servers(ctx.io, ctx.node.net, opts_, ctx.tls_if(opts_.tls),
                     ctx.tls_if(opts_.tcp_tls));
    if (!servers)
      return servers.error();
    servers_ = *servers;
    return caf::none;
  }

  caf::error start(service_context& ctx) override {
    if (opts_.enabled) {
      directory_ = spawn_jmri_directory(ctx.sys, ctx.cluster);
      if (opts_.job_messages)
        job_messages_ =
            spawn_jmri_job_messages(ctx.sys, directory_, opts_.locale);
      if (opts_.cluster_messages && ctx.cluster)
        cluster_messages_ =
            spawn_jmri_cluster_messages(ctx.sys, directory_, opts_.locale);
    }
    ctx.rest_resources.push_back(
        make_messages_resource(directory_, opts_.locale));
    return caf::none;
  }

  void serve(service_context& ctx) override {
    if (servers_)
      servers_->serve(ctx.sys, directory_);
  }

  std::vector<std::shared_ptr<listener_handle>> listeners() const override {
    if (!servers_)
      return {};
    return servers_->listeners();
  }

  void stop() override {
    for (auto& l : listeners())
      l->stop();
  }

  std::vector<caf::actor> actors() const override {
    return {job_messages_, cluster_messages_,
            caf::actor_cast<caf::actor>(directory_)};
  }

private:
  options opts_;
  std::shared_ptr<servers> servers_;
  jmri_directory_actor directory_;
  caf::actor job_messages_;
  caf::actor cluster_messages_;
};

} // namespace

std::unique_ptr<service> make_service() {
  return std::make_unique<jmri_service>();
}

} // namespace signalbox::jmri
