#include "protocols/ttmnotify/server.hpp"

#include <boost/beast/http/field.hpp>

#include "protocols/http/listener.hpp"
#include "protocols/http/rest_json.hpp"
#include "protocols/http/ws_handshake.hpp"
#include "protocols/ttmnotify/codec.hpp"
#include "protocols/ttmnotify/dashboard.hpp"

namespace signalbox::ttmnotify {

namespace {

namespace bhttp = http::bhttp;

/// GET /metrics: the registry's text.
http::response_type metrics_response(const metrics::registry& reg,
                                     const http::request_type& req) {
  http::response_type res{bhttp::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(bhttp::field::server, "signalbox");
  res.set(bhttp::field::content_type, prometheus::content_type);
  res.set(bhttp::field::cache_control, "no-store");
  auto text = reg.render();
  auto size = text.size();
  if (req.method() != bhttp::verb::head)
    res.body() = std::move(text);
  res.prepare_payload();
  if (req.method() == bhttp::verb::head)
    res.content_length(size);
  return res;
}

/// What port 1777 serves.
class ttm_site : public http::site {
public:
  ttm_site(std::shared_ptr<ws_fanout> hub, net_options limits,
           http::rest_api api, site_extras extras)
      : hub_(std::move(hub)), limits_(std::move(limits)), api_(std::move(api)),
        extras_(std::move(extras)) {
    // nop
  }

  void handle(http::request_type&& req,
              http::response_callback respond) override {
    auto version = req.version();
    auto keep_alive = req.keep_alive();
    auto target = std::string{req.target()};
    if (!http::rest_api::is_api_path(target)) {
      respond(answer_outside_api(req, target));
      return;
    }
    http::rest_request r;
    r.method = std::string{req.method_string()};
    r.target = std::move(target);
    r.content_type = std::string{req[bhttp::field::content_type]};
    r.authorization = std::string{req[bhttp::field::authorization]};
    r.body = std::move(req.body());
    api_.handle(r, [version, keep_alive,
                    respond = std::move(respond)](http::rest_response out) {
      auto res = http::make_json_response(out.status, std::move(out.body),
                                          version, keep_alive);
      for (auto& [name, value] : out.headers)
        res.set(name, value);
      respond(std::move(res));
    });
  }

  std::optional<http::response_type>
  upgrade(http::wire& stream, http::request_type& req,
          const std::shared_ptr<http::session_registry>& sessions) override {
    auto target = std::string{req.target()};
    auto path = target.substr(0, target.find('?'));
    if (path != "/" && path != "/ttmnotify")
      return http::make_json_response(
          404, rest::encode_error("no WebSocket endpoint at " + path),
          req.version(), false);
    auto offered = http::ws::offered_subprotocols(req);
    auto outcome = negotiate(offered);
    if (outcome == negotiation::rejected)
      return http::make_json_response(
          400,
          rest::encode_error("unsupported WebSocket subprotocol '" + offered +
                             "'; this endpoint speaks ttmnotify"),
          req.version(), false);
    auto ws = std::make_shared<fanout_session>(std::move(stream), limits_,
                                               sessions, hub_);
    ws->accept(std::move(req),
               outcome == negotiation::selected ? subprotocol : "");
    return std::nullopt;
  }

private:
  /// The dashboard, /metrics, and what is left of a plain request to the
  /// WebSocket endpoint.
  http::response_type answer_outside_api(const http::request_type& req,
                                         const std::string& target) const {
    auto path = std::string_view{target}.substr(0, target.find('?'));
    auto version = req.version();
    auto keep_alive = req.keep_alive();
    bool readable =
        req.method() == bhttp::verb::get || req.method() == bhttp::verb::head;
    if (readable && path == "/metrics" && extras_.metrics)
      return metrics_response(*extras_.metrics, req);
    if (readable && extras_.dashboard.enabled && is_dashboard_path(path))
      return dashboard_response(extras_.dashboard, path, req);
    if (req.method() == bhttp::verb::get &&
        (path == "/" || path == "/ttmnotify"))
      return http::make_upgrade_required(
          "this is the ttmnotify WebSocket endpoint", version, keep_alive);
    return http::make_json_response(
        404, rest::encode_error("no such resource: " + target), version,
        keep_alive);
  }

  std::shared_ptr<ws_fanout> hub_;
  net_options limits_;
  http::rest_api api_;
  site_extras extras_;
};

} // namespace

void serve(http::bound_listener& listener, std::shared_ptr<ws_fanout> hub,
           const net_options& limits, http::rest_api api, site_extras extras) {
  listener.impl().run(http::http_connections(
      std::make_shared<ttm_site>(std::move(hub), limits, std::move(api),
                                 std::move(extras)),
      limits));
}

std::vector<std::string> subscribed_groups() {
  return {groups::jobs, groups::gpio, groups::values, groups::cluster};
}

} // namespace signalbox::ttmnotify
