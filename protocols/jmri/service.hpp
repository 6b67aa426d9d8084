// The JMRI JSON message service as a node service (protocols/service.hpp).
#pragma once

#include <memory>

#include "protocols/service.hpp"

namespace signalbox::jmri {

std::unique_ptr<service> make_service();

} // namespace signalbox::jmri
