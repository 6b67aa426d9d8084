// The envelope that carries one domain event to every subscriber: immutable,
// shared by pointer, and caching each wire format's encoding the first time a
// session of that protocol asks for it. A change seen by a thousand ttmnotify
// clients is encoded once, and the thousand writes share that one buffer.
//
// The envelope knows no protocol: each protocol registers its encoders as
// wire formats (wire_format::add) and asks for its format by the handle it
// got back, so a new protocol adds formats without touching this file.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "core/messages.hpp"

namespace signalbox {

using domain_event = std::variant<job_list_changed, job_status_changed,
                                  gpio_changed, value_changed, cluster_changed>;

/// One encoding of domain events, registered by the protocol that owns it.
class wire_format {
public:
  /// Encodes one event; "" when the format has nothing to say about it.
  using encoder = std::string (*)(const domain_event&);

  /// How many formats a node can register (each notification reserves a
  /// slot per format, so this stays small).
  static constexpr size_t capacity = 8;

  /// Registers `encode` as a new format. Thread-safe. Call it once per
  /// format, typically from a function-local static of the protocol;
  /// registering more than `capacity` formats is a programming error
  /// (std::logic_error).
  static wire_format add(const char* name, encoder encode);

  /// The format's name, as given to add (for logs and metrics).
  const char* name() const;

  size_t index() const noexcept { return index_; }

private:
  explicit wire_format(uint8_t index) : index_(index) {}

  uint8_t index_;
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
  domain_event event_;
  mutable std::array<std::once_flag, wire_format::capacity> once_;
  mutable std::array<std::string, wire_format::capacity> frames_;
};

using notification_ptr = std::shared_ptr<const notification>;

/// Wraps an event into a fresh envelope.
template <class Event>
notification_ptr make_notification(Event&& event) {
  return std::make_shared<const notification>(
      domain_event{std::forward<Event>(event)});
}

} // namespace signalbox
