#include "protocols/ttmnotify/server.hpp"

#include <boost/beast/http/field.hpp>

#include "protocols/http/listener.hpp"
#include "protocols/http/rest_json.hpp"
#include "protocols/http/ws_handshake.hpp"
#include "protocols/ttmnotify/codec.hpp"

namespace signalbox::ttmnotify {

namespace {

namespace bhttp = http::bhttp;

/// What port 1777 serves.
class ttm_site : public http::site {
public:
  ttm_site(std::shared_ptr<ws_fanout> hub, net_options limits,
           http::rest_api api)
      : hub_(std::move(hub)), limits_(std::move(limits)), api_(std::move(api)),
        counters_(std::make_shared<http::ws_counters>()) {
    // nop
  }

  void handle(http::request_type&& req,
              http::response_callback respond) override {
    auto version = req.version();
    auto keep_alive = req.keep_alive();
    auto target = std::string{req.target()};
    if (!http::rest_api::is_api_path(target)) {
      bool endpoint = req.method() == bhttp::verb::get &&
                      (target == "/" || target == "/ttmnotify");
      respond(endpoint
                  ? http::make_upgrade_required(
                        "this is the ttmnotify WebSocket endpoint", version,
                        keep_alive)
                  : http::make_json_response(
                        404, rest::encode_error("no such resource: " + target),
                        version, keep_alive));
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
  upgrade(http::beast::tcp_stream& stream, http::request_type& req,
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
                                               sessions, counters_, hub_);
    ws->accept(std::move(req),
               outcome == negotiation::selected ? subprotocol : "");
    return std::nullopt;
  }

private:
  std::shared_ptr<ws_fanout> hub_;
  net_options limits_;
  http::rest_api api_;
  std::shared_ptr<http::ws_counters> counters_;
};

} // namespace

void serve(http::bound_listener& listener, std::shared_ptr<ws_fanout> hub,
           const net_options& limits, http::rest_api api) {
  listener.impl().run(http::http_connections(
      std::make_shared<ttm_site>(std::move(hub), limits, std::move(api)),
      limits));
}

std::vector<std::string> subscribed_groups() {
  return {groups::jobs, groups::gpio, groups::values, groups::cluster};
}

} // namespace signalbox::ttmnotify
