// Port 1777: the ttmnotify WebSocket ("/" and "/ttmnotify") and the REST API
// ("/api/...") on one listener.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <caf/fwd.hpp>

#include "config/options.hpp"
#include "protocols/http/bound_listener.hpp"
#include "protocols/http/rest.hpp"
#include "protocols/toolkit/ws_fanout.hpp"

namespace signalbox::ttmnotify {

/// Starts serving on `listener`: WebSocket subscribers join `hub`, REST
/// requests go to `api`.
void serve(http::bound_listener& listener, std::shared_ptr<ws_fanout> hub,
           const net_options& limits, http::rest_api api);

/// The groups a ttmnotify subscriber receives: jobs, GPIO lines and shared
/// values.
std::vector<std::string> subscribed_groups();

} // namespace signalbox::ttmnotify
