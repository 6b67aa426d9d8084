// The GPIO hardware abstraction: a backend requests configured lines and
// hands out one port per line. The libgpiod backend (gpiod_backend.hpp)
// talks to real chips; the simulated backend (sim_backend.hpp) has no
// hardware and lets tests and demos drive inputs. Both give inputs an event
// fd that yields the kernel's `struct gpioevent_data` records, so edges of
// both backends travel the same path (gpio_events.hpp) into the line actor.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/messages.hpp"

namespace signalbox::hal {

/// What a GPIO failure means for the operator.
enum class gpio_fault : uint8_t {
  configuration, // the configuration names a chip or line that is not there
  system,        // a system call failed (busy line, permissions, I/O)
};

/// A GPIO failure with a message that names the line, e.g. "gpio line
/// 'relay-x': no line named 'relay-x' on any chip".
class gpio_error : public std::runtime_error {
public:
  gpio_error(gpio_fault fault, const std::string& what)
      : std::runtime_error(what), fault_(fault) {}

  gpio_fault fault() const noexcept { return fault_; }

private:
  gpio_fault fault_;
};

/// One requested line, held exclusively until the port is destroyed. Values
/// are logical: active-low is applied by the backend. Not thread-safe: the
/// owning line actor is its only user.
class gpio_port {
public:
  virtual ~gpio_port();

  /// The line's logical value now. Throws gpio_error.
  virtual int32_t read_value() = 0;

  /// Drives an output line to logical `value` (0 or 1). Throws gpio_error.
  virtual void write_value(int32_t value) = 0;

  /// Inputs: the fd that yields one `struct gpioevent_data` per edge
  /// (<linux/gpio.h>); the port owns it. Outputs: -1.
  virtual int event_fd() const = 0;

  /// The chip the line was found on ("gpiochip0"; empty if simulated
  /// without a configured chip) and its offset there (-1 if unknown).
  virtual std::string chip() const = 0;
  virtual int32_t offset() const = 0;

  /// True if `simulate` can drive this line.
  virtual bool simulated() const { return false; }

  /// Simulated inputs only: sets the pin to `value`. If that changes the
  /// pin, the port writes the edge record into its event fd, exactly as the
  /// kernel would, and returns the record's timestamp (strictly increasing
  /// per port); if the pin already has `value`, no edge occurs and the
  /// result is empty. Throws gpio_error (always, for ports that cannot
  /// simulate).
  virtual std::optional<uint64_t> simulate(int32_t value);
};

/// A source of GPIO lines.
class gpio_backend {
public:
  virtual ~gpio_backend();

  /// Requests the line `spec` describes, labelled `consumer` at the kernel:
  /// inputs for both-edge events, outputs driven to `spec.initial`. Throws
  /// gpio_error naming the line when it is missing or cannot be requested.
  virtual std::unique_ptr<gpio_port> request(const gpio_line_spec& spec,
                                             const std::string& consumer) = 0;

  /// "simulated" or "gpiod": the backend a gpio_info reports.
  virtual std::string name() const = 0;
};

/// The backend called `name` ("simulated" or "gpiod"). Throws gpio_error
/// (configuration) for any other name.
std::unique_ptr<gpio_backend> make_gpio_backend(const std::string& name);

/// The hardware line name `spec` refers to: `spec.line`, or `spec.name`
/// when no separate hardware name is configured.
const std::string& hardware_line_name(const gpio_line_spec& spec);

/// "gpio line 'NAME': ", the prefix of every message about line `spec`.
std::string gpio_error_prefix(const gpio_line_spec& spec);

} // namespace signalbox::hal
