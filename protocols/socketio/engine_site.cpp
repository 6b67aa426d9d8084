#include "protocols/socketio/engine_site.hpp"

#include "protocols/http/rest_json.hpp"
#include "protocols/socketio/engineio_codec.hpp"

namespace signalbox::engineio {

engine_site::engine_site(
    std::map<std::string, std::shared_ptr<engine_server>> servers)
    : servers_(std::move(servers)) {
  // nop
}

engine_server* engine_site::find(const http::request_type& req) const {
  auto path = target_path({req.target().data(), req.target().size()});
  for (auto& [prefix, server] : servers_) {
    std::string_view p{prefix};
    if (path == p ||
        (p.size() > 1 && p.back() == '/' && path == p.substr(0, p.size() - 1)))
      return server.get();
  }
  return nullptr;
}

void engine_site::handle(http::request_type&& req,
                         http::response_callback respond) {
  handle(std::move(req), std::move(respond), nullptr);
}

void engine_site::handle(http::request_type&& req,
                         http::response_callback respond,
                         const std::shared_ptr<http::connection_watch>& watch) {
  if (auto server = find(req)) {
    server->handle(std::move(req), std::move(respond), watch);
    return;
  }
  auto target = std::string{req.target()};
  respond(http::make_json_response(
      404, rest::encode_error("no such resource: " + target), req.version(),
      req.keep_alive()));
}

std::optional<http::response_type>
engine_site::upgrade(http::wire& stream, http::request_type& req,
                     const std::shared_ptr<http::session_registry>& sessions) {
  if (auto server = find(req))
    return server->upgrade(stream, req, sessions);
  auto path =
      std::string{target_path({req.target().data(), req.target().size()})};
  return http::make_json_response(
      404, rest::encode_error("no WebSocket endpoint at " + path),
      req.version(), false);
}

void engine_site::body_too_large(const http::request_type& req) {
  if (auto server = find(req))
    server->body_too_large(req);
}

void engine_site::close_all() {
  for (auto& [path, server] : servers_)
    server->close_all();
}

} // namespace signalbox::engineio
