#include "protocols/socketio/service.hpp"

#include <caf/actor_cast.hpp>

#include "config/option_group.hpp"
#include "core/errors.hpp"
#include "protocols/socketio/options.hpp"
#include "protocols/socketio/server.hpp"
#include "protocols/socketio/sio_directory.hpp"

namespace signalbox::socketio {

namespace {

class socketio_service : public service {
public:
  const char* name() const override { return "socketio"; }

  void declare_options(caf::config_option_set& set) override {
    option_group{set, "socketio"}
        .add(opts_.enabled, "enabled",
             "serve Socket.IO v4 and the altoponix command relay")
        .add(opts_.port, "port",
             "Socket.IO port, path /socket.io/ (0: ephemeral)")
        .add(opts_.ping_interval, "ping-interval",
             "the server pings every client this often")
        .add(opts_.ping_timeout, "ping-timeout",
             "a client that does not answer a ping within this is closed")
        .add(opts_.upgrade_timeout, "upgrade-timeout",
             "time a polling client may take to finish its WebSocket upgrade")
        .add(opts_.connect_timeout, "connect-timeout",
             "a client that joins no namespace within this is closed")
        .add(opts_.max_payload, "max-payload",
             "largest message and polling POST body in bytes (413 / close "
             "1009 beyond)")
        .add(opts_.cors_origins, "cors-origins",
             "browser origins allowed cross-origin access (\"*\": any)")
        .add(opts_.tls, "tls",
             "with net.tls-cert: the port serves https:// and wss:// only");
  }

  caf::error configure(node_options&) override {
    if (opts_.ping_interval < std::chrono::milliseconds{10} ||
        opts_.ping_timeout < std::chrono::milliseconds{10})
      return make_error(ec::invalid_argument,
                        "socketio.ping-interval and socketio.ping-timeout "
                        "must be at least 10ms");
    if (opts_.max_payload == 0)
      return make_error(ec::invalid_argument,
                        "socketio.max-payload must be positive");
    return caf::none;
  }

  bool enabled() const override { return opts_.enabled; }

  caf::error bind(service_context& ctx) override {
    auto server =
        bind_server(ctx.io, ctx.node.net, opts_, ctx.tls_if(opts_.tls));
    if (!server)
      return server.error();
    server_ = *server;
    return caf::none;
  }

  caf::error start(service_context& ctx) override {
    directory_ = spawn_sio_directory(ctx.sys, ctx.cluster);
    return caf::none;
  }

  void serve(service_context& ctx) override {
    server_->serve(ctx.sys, directory_);
  }

  std::vector<std::shared_ptr<listener_handle>> listeners() const override {
    if (!server_)
      return {};
    return {server_};
  }

  void stop() override {
    if (server_)
      server_->stop();
  }

  std::vector<caf::actor> actors() const override {
    return {caf::actor_cast<caf::actor>(directory_)};
  }

private:
  options opts_;
  std::shared_ptr<server> server_;
  sio_directory_actor directory_;
};

} // namespace

std::unique_ptr<service> make_service() {
  return std::make_unique<socketio_service>();
}

} // namespace signalbox::socketio
