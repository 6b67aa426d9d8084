// POST /api/messages: a JsonMessage sent to one JMRI client or all of them
// (docs/jmri.md), as a REST resource contributed by the JMRI service.
#pragma once

#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "protocols/http/rest_routes.hpp"

namespace signalbox::jmri {

/// The resource over `directory`; `locale` is the default of messages that
/// name none. With a null directory (jmri.enabled=false) every valid
/// request is answered 503: the route stays, so clients learn why.
std::shared_ptr<const http::rest_resource>
make_messages_resource(jmri_directory_actor directory, std::string locale);

} // namespace signalbox::jmri
