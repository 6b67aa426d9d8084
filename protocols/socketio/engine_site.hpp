// What a Socket.IO port serves: one Engine.IO server per path (the product
// serves `/socket.io/`; the conformance setup of the tests adds an
// Engine.IO echo on `/engine.io/`). Anything else is a JSON 404.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "protocols/http/site.hpp"
#include "protocols/socketio/engine_server.hpp"

namespace signalbox::engineio {

class engine_site : public http::site {
public:
  /// `servers`: path (with its trailing slash, e.g. "/socket.io/") ->
  /// server. The path without the slash is served too.
  explicit engine_site(
      std::map<std::string, std::shared_ptr<engine_server>> servers);

  void handle(http::request_type&& req,
              http::response_callback respond) override;
  /// A polling GET's session learns when its connection closes (`watch`).
  void handle(http::request_type&& req, http::response_callback respond,
              const std::shared_ptr<http::connection_watch>& watch) override;

  std::optional<http::response_type>
  upgrade(http::wire& stream, http::request_type& req,
          const std::shared_ptr<http::session_registry>& sessions) override;

  void body_too_large(const http::request_type& req) override;

  /// Closes every session of every path (shutdown).
  void close_all();

private:
  engine_server* find(const http::request_type& req) const;

  std::map<std::string, std::shared_ptr<engine_server>> servers_;
};

} // namespace signalbox::engineio
