// `ttm.*`: the settings of port 1777 (the ttmnotify WebSocket and the REST
// API), declared by the ttm service (service.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace signalbox::ttmnotify {

struct options {
  uint16_t port = 1777;
  std::string api_token;     // non-empty: mutating requests need Bearer auth
  bool jobs_editable = true; // false in production: no job create/edit/delete
  bool dashboard = true;     // GET / serves the dashboard
  std::string dashboard_dir; // non-empty: the page's files from here
  bool tls = true;           // with net.tls-cert: HTTPS and WSS
};

} // namespace signalbox::ttmnotify
