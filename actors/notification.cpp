#include "actors/notification.hpp"

#include "protocols/ttmnotify/codec.hpp"

namespace signalbox {

const std::string& notification::encoded(wire_format format) const {
  auto index = static_cast<size_t>(format);
  std::call_once(once_[index], [&] {
    switch (format) {
      case wire_format::ttmnotify:
        frames_[index] = ttmnotify::encode(event_);
        break;
      case wire_format::format_count:
        break;
    }
  });
  return frames_[index];
}

} // namespace signalbox
