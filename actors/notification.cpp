#include "actors/notification.hpp"

#include "protocols/http/ws_frame_codec.hpp"
#include "protocols/ttmnotify/codec.hpp"

namespace signalbox {

const std::string& notification::encoded(wire_format format) const {
  auto index = static_cast<size_t>(format);
  std::call_once(once_[index], [&] {
    switch (format) {
    case wire_format::ttmnotify:
      frames_[index] = ttmnotify::encode(event_);
      break;
    case wire_format::ttmnotify_ws: {
      // Framed once: a thousand subscribers get the same header too. The
      // bare JSON is not cached beside it: sessions only ever write the
      // frame, so a second copy would just live as long as the event.
      auto json = ttmnotify::encode(event_);
      if (!json.empty())
        frames_[index] = http::ws::make_frame(http::ws::opcode::text, json);
      break;
    }
    case wire_format::format_count:
      break;
    }
  });
  return frames_[index];
}

} // namespace signalbox
