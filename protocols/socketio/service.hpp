// Socket.IO v4 and the altoponix command relay as a node service
// (protocols/service.hpp).
#pragma once

#include <memory>

#include "protocols/service.hpp"

namespace signalbox::socketio {

std::unique_ptr<service> make_service();

} // namespace signalbox::socketio
