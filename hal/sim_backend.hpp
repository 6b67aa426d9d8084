// The simulated GPIO backend, the default: no hardware at all. Outputs keep
// the value last written. An input is a pin that only `simulate` moves; each
// change writes the kernel's own edge record (`struct gpioevent_data`) into a
// pipe whose read end is the port's event fd, so simulated edges travel the
// same reader and decoder as edges of real lines.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hal/gpio_backend.hpp"

namespace signalbox::hal {

/// One simulated line. Inputs rest at `spec.initial` (logical) until
/// simulated; outputs start at `spec.initial`.
class sim_port final : public gpio_port {
public:
  /// Throws gpio_error if the event pipe cannot be created.
  explicit sim_port(const gpio_line_spec& spec);
  ~sim_port() override;

  sim_port(const sim_port&) = delete;
  sim_port& operator=(const sim_port&) = delete;

  int32_t read_value() override;
  void write_value(int32_t value) override;
  int event_fd() const override;
  std::string chip() const override;
  int32_t offset() const override;
  bool simulated() const override { return true; }
  std::optional<uint64_t> simulate(int32_t value) override;

private:
  /// A CLOCK_MONOTONIC timestamp, later than every one handed out before.
  uint64_t next_timestamp();

  std::string prefix_; // "gpio line 'NAME': "
  gpio_direction direction_;
  std::string chip_;
  int32_t offset_;
  int32_t level_;        // the pin's logical level
  uint64_t last_ts_ = 0; // the newest edge timestamp written
  int read_fd_ = -1;     // inputs: the event fd handed to the reader
  int write_fd_ = -1;    // inputs: where simulated edges are written
};

class sim_backend final : public gpio_backend {
public:
  std::unique_ptr<gpio_port> request(const gpio_line_spec& spec,
                                     const std::string& consumer) override;
  std::string name() const override { return "simulated"; }
};

} // namespace signalbox::hal
