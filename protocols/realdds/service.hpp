// The realdds interface (DDS topic plus WebSocket mirror, port 5151) as a
// node service (protocols/service.hpp).
#pragma once

#include <memory>

#include "protocols/service.hpp"

namespace signalbox::realdds {

std::unique_ptr<service> make_service();

} // namespace signalbox::realdds
