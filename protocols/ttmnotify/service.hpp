// Port 1777 (the ttmnotify WebSocket and the REST API) as a node service
// (protocols/service.hpp).
#pragma once

#include <memory>

#include "protocols/service.hpp"

namespace signalbox::ttmnotify {

std::unique_ptr<service> make_service();

} // namespace signalbox::ttmnotify
