// The ttmnotify wire formats, registered with the notification envelope
// (core/notification.hpp) the first time they are asked for.
#pragma once

#include "core/notification.hpp"

namespace signalbox::ttmnotify {

/// The ttmnotify JSON object of an event (codec.hpp's encode).
wire_format json_format();

/// The same object as one whole WebSocket text frame: server frames are
/// unmasked, so a thousand subscribers get the same bytes, header included.
wire_format ws_format();

} // namespace signalbox::ttmnotify
