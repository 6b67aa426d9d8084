// The envelope that carries one domain event to every subscriber: immutable,
// shared by pointer, and caching each wire format's encoding the first time a
// session of that protocol asks for it. A change seen by a thousand ttmnotify
// clients is encoded once, and the thousand writes share that one buffer.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "actors/messages.hpp"

namespace signalbox {

using domain_event = std::variant<job_list_changed, job_status_changed,
                                  gpio_changed, value_changed>;

/// The wire formats an event can be encoded in. Add one per protocol.
enum class wire_format : uint8_t {
  ttmnotify,    // the JSON object
  ttmnotify_ws, // the same, as one whole WebSocket text frame
  format_count, // not a format: the number of formats
};

class notification {
public:
  explicit notification(domain_event event) : event_(std::move(event)) {}

  notification(const notification&) = delete;
  notification& operator=(const notification&) = delete;

  const domain_event& event() const noexcept { return event_; }

  /// This event in `format`, encoded by the first caller and shared by all
  /// later ones. Empty when the format has nothing to say about the event
  /// (sessions skip empty frames). Thread-safe.
  const std::string& encoded(wire_format format) const;

private:
  static constexpr size_t format_count =
      static_cast<size_t>(wire_format::format_count);

  domain_event event_;
  mutable std::array<std::once_flag, format_count> once_;
  mutable std::array<std::string, format_count> frames_;
};

using notification_ptr = std::shared_ptr<const notification>;

/// Wraps an event into a fresh envelope.
template <class Event>
notification_ptr make_notification(Event&& event) {
  return std::make_shared<const notification>(
      domain_event{std::forward<Event>(event)});
}

} // namespace signalbox
