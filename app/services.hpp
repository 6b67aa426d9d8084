// The node's services, in the order they bind, start and print their
// listening lines.
#pragma once

#include "protocols/service.hpp"

namespace signalbox {

/// Every service of the node: one line each in services.cpp.
service_list make_services();

} // namespace signalbox
