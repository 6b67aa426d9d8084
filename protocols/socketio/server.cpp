#include "protocols/socketio/server.hpp"

#include <boost/asio/io_context.hpp>

#include "protocols/http/bound_listener.hpp"
#include "protocols/socketio/engine_site.hpp"
#include "protocols/socketio/relay_namespace.hpp"
#include "protocols/socketio/sio_connection.hpp"

namespace signalbox::socketio {

namespace {

engineio::engine_settings engine_settings_of(const net_options& net,
                                             const options& opts) {
  engineio::engine_settings s;
  s.ping_interval = opts.ping_interval;
  s.ping_timeout = opts.ping_timeout;
  s.upgrade_timeout = opts.upgrade_timeout;
  s.max_payload = opts.max_payload;
  s.max_queue_bytes = net.max_queue_bytes;
  s.max_queue_packets = net.max_queue_frames;
  return s;
}

class sio_server : public server {
public:
  sio_server(boost::asio::io_context& io,
             std::shared_ptr<http::bound_listener> listener, net_options net,
             options opts)
      : io_(io), listener_(std::move(listener)), net_(std::move(net)),
        opts_(std::move(opts)) {
    // nop
  }

  void serve(caf::actor_system& sys, sio_directory_actor directory) override {
    auto namespaces = std::make_shared<namespace_map>();
    namespaces->emplace(
        "/",
        std::make_shared<relay::relay_namespace>(
            sys, std::move(directory),
            std::chrono::duration_cast<caf::timespan>(net_.request_timeout),
            net_.max_waiting_requests, static_cast<size_t>(opts_.max_payload)));
    sio_settings settings;
    settings.connect_timeout = opts_.connect_timeout;
    auto limits = net_;
    // A polling POST may carry up to max-payload bytes.
    limits.max_body_bytes = static_cast<size_t>(opts_.max_payload);
    auto engine = std::make_shared<engineio::engine_server>(
        io_, engine_settings_of(net_, opts_), limits,
        engineio::cors_policy{opts_.cors_origins},
        [namespaces,
         settings](const std::shared_ptr<engineio::engine_socket>& socket) {
          return std::make_shared<sio_connection>(socket, namespaces, settings);
        });
    site_ = std::make_shared<engineio::engine_site>(
        std::map<std::string, std::shared_ptr<engineio::engine_server>>{
            {"/socket.io/", engine}});
    listener_->impl().run(http::http_connections(site_, limits));
  }

  std::string service() const override { return listener_->service(); }
  std::string address() const override { return listener_->address(); }
  uint16_t port() const override { return listener_->port(); }
  bool secure() const override { return listener_->secure(); }
  size_t connections() const override { return listener_->connections(); }
  listener_stats stats() const override { return listener_->stats(); }

  void stop() override {
    // Sessions first: a GET held open gets its close packet before the
    // listener closes its connection.
    if (site_)
      site_->close_all();
    listener_->stop();
  }

private:
  boost::asio::io_context& io_;
  std::shared_ptr<http::bound_listener> listener_;
  net_options net_;
  options opts_;
  std::shared_ptr<engineio::engine_site> site_;
};

} // namespace

caf::expected<std::shared_ptr<server>>
bind_server(boost::asio::io_context& io, const net_options& net,
            const options& opts, std::shared_ptr<http::tls_server> tls) {
  auto listener =
      http::bind_listener(io, net, "socketio", opts.port, std::move(tls));
  if (!listener)
    return listener.error();
  return std::make_shared<sio_server>(io, std::move(*listener), net, opts);
}

} // namespace signalbox::socketio
