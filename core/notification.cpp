#include "core/notification.hpp"

#include <stdexcept>

namespace signalbox {

namespace {

struct format_registry {
  std::mutex mutex;
  size_t size = 0;
  std::array<wire_format::encoder, wire_format::capacity> encoders{};
  std::array<const char*, wire_format::capacity> names{};
};

format_registry& registry() {
  static format_registry instance;
  return instance;
}

} // namespace

wire_format wire_format::add(const char* name, encoder encode) {
  auto& reg = registry();
  std::lock_guard<std::mutex> guard{reg.mutex};
  if (reg.size == capacity)
    throw std::logic_error(
        "too many wire formats; raise wire_format::capacity");
  reg.encoders[reg.size] = encode;
  reg.names[reg.size] = name;
  return wire_format{static_cast<uint8_t>(reg.size++)};
}

const char* wire_format::name() const {
  return registry().names[index_];
}

const std::string& notification::encoded(wire_format format) const {
  auto index = format.index();
  std::call_once(once_[index], [&] {
    // Registration happened before anyone held `format`, so the encoder is
    // there; the registry never changes a slot once written.
    frames_[index] = registry().encoders[index](event_);
  });
  return frames_[index];
}

} // namespace signalbox
