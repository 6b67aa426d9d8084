// The RTOC websocket server (port 5050) as a node service
// (protocols/service.hpp).
#pragma once

#include <memory>

#include "protocols/service.hpp"

namespace signalbox::rtoc {

std::unique_ptr<service> make_service();

} // namespace signalbox::rtoc
