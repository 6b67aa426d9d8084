// Port 1777: the ttmnotify WebSocket ("/" and "/ttmnotify"), the REST API
// ("/api/..."), the dashboard ("/", "/ui/...") and the metrics ("/metrics")
// on one listener.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <caf/fwd.hpp>

#include "config/options.hpp"
#include "core/metrics.hpp"
#include "protocols/http/bound_listener.hpp"
#include "protocols/http/rest.hpp"
#include "protocols/toolkit/ws_fanout.hpp"
#include "protocols/ttmnotify/dashboard.hpp"

namespace signalbox::ttmnotify {

/// What port 1777 serves besides the WebSocket and the REST API.
struct site_extras {
  dashboard_settings dashboard;  // GET / and /ui/<file>
  metrics::registry_ptr metrics; // GET /metrics (null: 404)
};

/// Starts serving on `listener`: WebSocket subscribers join `hub`, REST
/// requests go to `api`.
void serve(http::bound_listener& listener, std::shared_ptr<ws_fanout> hub,
           const net_options& limits, http::rest_api api, site_extras extras);

/// The groups a ttmnotify subscriber receives: jobs, GPIO lines and shared
/// values.
std::vector<std::string> subscribed_groups();

} // namespace signalbox::ttmnotify
