#include "protocols/jmri/server.hpp"

#include <boost/asio/ip/host_name.hpp>
#include <boost/beast/http/field.hpp>

#include "core/errors.hpp"
#include "protocols/http/bound_listener.hpp"
#include "protocols/http/listener.hpp"
#include "protocols/http/rest_json.hpp"
#include "protocols/jmri/tcp_session.hpp"
#include "protocols/jmri/ws_session.hpp"

namespace signalbox::jmri {

namespace {

namespace bhttp = http::bhttp;

connection_settings make_settings(const options& opts) {
  connection_settings s;
  auto interval = static_cast<int>(opts.heartbeat_interval.count());
  s.hello.jmri_version = SIGNALBOX_VERSION;
  s.hello.heartbeat_ms = advertised_heartbeat_ms(interval);
  s.hello.railroad = opts.railroad;
  s.hello.node = opts.node;
  if (s.hello.node.empty()) {
    boost::system::error_code ec;
    auto host = boost::asio::ip::host_name(ec);
    s.hello.node = "signalbox-" + (ec ? std::string{"node"} : host);
  }
  if (!opts.active_profile.empty())
    s.hello.active_profile = opts.active_profile;
  // JsonWebSocket.onOpen: the idle timeout is the heartbeat interval x 1.1.
  s.idle_timeout = std::chrono::milliseconds{interval + interval / 10};
  s.default_locale = opts.locale;
  return s;
}

/// What port 12080 serves: the WebSocket at /json/ and, for plain HTTP, a
/// short page saying so (JMRI serves its JSON console there).
class jmri_site : public http::site {
public:
  jmri_site(caf::actor_system& sys, net_options limits,
            jmri_directory_actor directory, connection_settings settings)
      : sys_(sys), limits_(std::move(limits)), directory_(std::move(directory)),
        settings_(std::move(settings)) {
    // nop
  }

  void handle(http::request_type&& req,
              http::response_callback respond) override {
    auto target = std::string{req.target()};
    auto path = target.substr(0, target.find('?'));
    if (path == "/json/" || path == "/json") {
      http::response_type res{bhttp::status::ok, req.version()};
      res.set(bhttp::field::server, "signalbox");
      res.set(bhttp::field::content_type, "text/html; charset=utf-8");
      res.keep_alive(req.keep_alive());
      res.body() = "<!DOCTYPE html><html><head><title>JMRI JSON</title>"
                   "</head><body><p>This is the JMRI JSON service of a "
                   "signalbox node. Connect a WebSocket to <code>/json/"
                   "</code>.</p></body></html>";
      res.prepare_payload();
      respond(std::move(res));
      return;
    }
    respond(http::make_json_response(
        404, rest::encode_error("no such resource: " + target), req.version(),
        req.keep_alive()));
  }

  std::optional<http::response_type>
  upgrade(http::wire& stream, http::request_type& req,
          const std::shared_ptr<http::session_registry>& sessions) override {
    auto target = std::string{req.target()};
    auto path = target.substr(0, target.find('?'));
    if (path != "/json/" && path != "/json")
      return http::make_json_response(
          404, rest::encode_error("no WebSocket endpoint at " + path),
          req.version(), false);
    auto ws = std::make_shared<ws_session>(std::move(stream), limits_, sessions,
                                           sys_, directory_, settings_);
    ws->accept(std::move(req), "");
    return std::nullopt;
  }

private:
  caf::actor_system& sys_;
  net_options limits_;
  jmri_directory_actor directory_;
  connection_settings settings_;
};

class jmri_servers : public servers {
public:
  jmri_servers(std::shared_ptr<http::bound_listener> ws,
               std::shared_ptr<http::bound_listener> tcp, net_options net,
               options opts)
      : ws_(std::move(ws)), tcp_(std::move(tcp)), net_(std::move(net)),
        opts_(std::move(opts)) {
    // nop
  }

  std::vector<std::shared_ptr<listener_handle>> listeners() override {
    return {ws_, tcp_};
  }

  void serve(caf::actor_system& sys, jmri_directory_actor directory) override {
    auto settings = make_settings(opts_);
    auto limits = net_;
    // What may wait of one client's requests: one message at its largest.
    settings.max_pending_bytes = limits.max_frame_bytes;
    settings.max_pending_requests = limits.max_waiting_requests;
    ws_->impl().run(http::http_connections(
        std::make_shared<jmri_site>(sys, limits, directory, settings), limits));
    tcp_->impl().run(
        [&sys, limits, directory,
         settings](http::wire&& socket,
                   const std::shared_ptr<http::session_registry>& sessions) {
          return std::make_shared<tcp_session>(
              std::move(socket), limits, sessions, sys, directory, settings);
        });
  }

private:
  std::shared_ptr<http::bound_listener> ws_;
  std::shared_ptr<http::bound_listener> tcp_;
  net_options net_;
  options opts_;
};

} // namespace

caf::expected<std::shared_ptr<servers>>
bind_servers(boost::asio::io_context& io, const net_options& net,
             const options& opts, std::shared_ptr<http::tls_server> ws_tls,
             std::shared_ptr<http::tls_server> tcp_tls) {
  auto ws = http::bind_listener(io, net, "jmri", opts.port, std::move(ws_tls));
  if (!ws)
    return ws.error();
  // A plain-text client on the TLS stream gets one JMRI error it can read.
  auto tcp = http::bind_listener(
      io, net, "jmri-tcp", opts.tcp_port, std::move(tcp_tls),
      error_frame(code::bad_request, "this port speaks TLS: connect with TLS"));
  if (!tcp)
    return tcp.error();
  return std::make_shared<jmri_servers>(*ws, *tcp, net, opts);
}

} // namespace signalbox::jmri
