#include "hal/gpio_backend.hpp"

#include "hal/gpiod_backend.hpp"
#include "hal/sim_backend.hpp"

namespace signalbox::hal {

gpio_port::~gpio_port() = default;

std::optional<uint64_t> gpio_port::simulate(int32_t) {
  throw gpio_error(gpio_fault::configuration,
                   "this GPIO line cannot be simulated");
}

gpio_backend::~gpio_backend() = default;

std::unique_ptr<gpio_backend> make_gpio_backend(const std::string& name) {
  if (name == "simulated")
    return std::make_unique<sim_backend>();
  if (name == "gpiod")
    return std::make_unique<gpiod_backend>();
  throw gpio_error(gpio_fault::configuration,
                   "unknown GPIO backend '" + name +
                       "' (expected \"simulated\" or \"gpiod\")");
}

const std::string& hardware_line_name(const gpio_line_spec& spec) {
  return spec.line.empty() ? spec.name : spec.line;
}

std::string gpio_error_prefix(const gpio_line_spec& spec) {
  return "gpio line '" + spec.name + "': ";
}

} // namespace signalbox::hal
