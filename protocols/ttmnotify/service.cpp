#include "protocols/ttmnotify/service.hpp"

#include <boost/asio/io_context.hpp>

#include "config/option_group.hpp"
#include "core/log.hpp"
#include "protocols/http/bound_listener.hpp"
#include "protocols/http/rest.hpp"
#include "protocols/http/rest_resources.hpp"
#include "protocols/toolkit/ws_fanout.hpp"
#include "protocols/ttmnotify/formats.hpp"
#include "protocols/ttmnotify/options.hpp"
#include "protocols/ttmnotify/server.hpp"

namespace signalbox::ttmnotify {

namespace {

/// An address a browser can open: a wildcard bind is reached at any of the
/// host's addresses, of which loopback is one.
std::string browsable(const std::string& address) {
  if (address == "0.0.0.0")
    return "127.0.0.1";
  if (address == "::")
    return "[::1]";
  if (address.find(':') != std::string::npos)
    return "[" + address + "]";
  return address;
}

class ttm_service : public service {
public:
  const char* name() const override { return "ttm"; }

  void declare_options(caf::config_option_set& set) override {
    option_group{set, "ttm"}
        .add(opts_.port, "port",
             "ttmnotify WebSocket and REST port (0: ephemeral)")
        .add(opts_.api_token, "api-token",
             "bearer token required by mutating REST requests (empty: none)")
        .add(opts_.jobs_editable, "jobs-editable",
             "allow creating, editing and removing jobs through REST")
        .add(opts_.dashboard, "dashboard",
             "serve the dashboard at GET / (false: only the WebSocket)")
        .add(opts_.dashboard_dir, "dashboard-dir",
             "serve the dashboard's page files from this folder instead of "
             "the embedded ones (working on the page)")
        .add(opts_.tls, "tls",
             "with net.tls-cert: serve TLS here (https://, wss://)");
  }

  caf::error configure(node_options& node) override {
    // The REST API is where jobs are edited; the registry enforces it.
    node.jobs.editable = opts_.jobs_editable;
    return caf::none;
  }

  caf::error bind(service_context& ctx) override {
    auto listener = http::bind_listener(ctx.io, ctx.node.net, "ttm", opts_.port,
                                        ctx.tls_if(opts_.tls));
    if (!listener)
      return listener.error();
    listener_ = *listener;
    // Jobs reach the node's REST API here (port 0 picks an ephemeral one,
    // so this is known only now).
    ctx.job_environment["SIGNALBOX_URL"] =
        std::string{listener_->secure() ? "https://" : "http://"} +
        listener_->address() + ":" + std::to_string(listener_->port());
    return caf::none;
  }

  void serve(service_context& ctx) override {
    hub_ = std::make_shared<ws_fanout>(ctx.sys, ctx.io.get_executor(),
                                       subscribed_groups(), ws_format());
    http::rest_context rest;
    rest.sys = &ctx.sys;
    rest.jobs = ctx.jobs;
    rest.gpio = ctx.gpio;
    rest.values = ctx.values;
    rest.api_token = opts_.api_token;
    rest.request_timeout =
        std::chrono::duration_cast<caf::timespan>(ctx.node.net.request_timeout);
    rest.gpio_simulated = ctx.node.gpio.backend == "simulated";
    rest.metrics = ctx.metrics;
    http::rest_api api{std::move(rest)};
    for (auto& resource : ctx.rest_resources)
      api.add(resource);
    api.add(http::node_resource(summary(ctx)));
    site_extras extras;
    extras.dashboard.enabled = opts_.dashboard;
    extras.dashboard.directory = opts_.dashboard_dir;
    extras.metrics = ctx.metrics;
    ttmnotify::serve(*listener_, hub_, ctx.node.net, std::move(api),
                     std::move(extras));
    if (opts_.dashboard)
      log::info(std::string{"ttm: dashboard at "} +
                (listener_->secure() ? "https://" : "http://") +
                browsable(listener_->address()) + ":" +
                std::to_string(listener_->port()) + "/");
  }

  std::vector<std::shared_ptr<listener_handle>> listeners() const override {
    if (!listener_)
      return {};
    return {listener_};
  }

  void stop() override {
    if (listener_)
      listener_->stop();
    // Sessions closing from here on no longer need notifications, and the
    // node waits for every actor (the fan-out's companion too).
    if (hub_)
      hub_->stop();
  }

private:
  rest::node_summary summary(const service_context& ctx) const {
    rest::node_summary out;
    out.name = ctx.node.cluster.name;
    out.version = SIGNALBOX_VERSION;
    out.jobs_editable = opts_.jobs_editable;
    out.token_required = !opts_.api_token.empty();
    out.gpio_backend = ctx.node.gpio.backend;
    for (auto& l : ctx.listeners)
      out.interfaces.push_back({l->service(), l->address(), l->port()});
    return out;
  }

  options opts_;
  std::shared_ptr<http::bound_listener> listener_;
  std::shared_ptr<ws_fanout> hub_;
};

} // namespace

std::unique_ptr<service> make_service() {
  return std::make_unique<ttm_service>();
}

} // namespace signalbox::ttmnotify
