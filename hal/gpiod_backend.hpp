// The libgpiod 1.6 backend: real lines through the kernel's GPIO character
// device (uAPI v1). Lines are found by name on any chip (names are not
// unique: the first match wins, as gpiod_line_find documents), by name on
// one chip, or by chip plus offset. Inputs are requested for both-edge
// events; their event fd is the kernel's, read by gpio_events.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hal/gpio_backend.hpp"

struct gpiod_line;

namespace signalbox::hal {

/// One requested libgpiod line. Releases the line and closes its chip on
/// destruction.
class gpiod_port final : public gpio_port {
public:
  /// Takes ownership of `line` (which must already be requested).
  gpiod_port(gpiod_line* line, const gpio_line_spec& spec);
  ~gpiod_port() override;

  gpiod_port(const gpiod_port&) = delete;
  gpiod_port& operator=(const gpiod_port&) = delete;

  int32_t read_value() override;
  void write_value(int32_t value) override;
  int event_fd() const override;
  std::string chip() const override;
  int32_t offset() const override;

private:
  gpiod_line* line_;
  std::string prefix_; // "gpio line 'NAME': "
  gpio_direction direction_;
};

class gpiod_backend final : public gpio_backend {
public:
  std::unique_ptr<gpio_port> request(const gpio_line_spec& spec,
                                     const std::string& consumer) override;
  std::string name() const override { return "gpiod"; }
};

/// The libgpiod request flags for `spec` (active-low, bias). Throws
/// gpio_error (configuration) for an unknown bias.
int gpiod_request_flags(const gpio_line_spec& spec);

} // namespace signalbox::hal
