#include "hal/gpiod_backend.hpp"

#include <cerrno>
#include <cstring>

#include <gpiod.h>

namespace signalbox::hal {

namespace {

/// errno values that mean the configuration points at something that is
/// not a usable GPIO chip or line (rather than a transient system failure).
gpio_fault fault_of(int err) {
  switch (err) {
  case ENOENT: // no such chip, no such line name
  case ENOTTY: // the path exists but is no GPIO chip (e.g. /dev/null)
  case ENODEV:
  case ENXIO:
  case EINVAL: // offset out of range, flags the line does not support
    return gpio_fault::configuration;
  default:
    return gpio_fault::system;
  }
}

struct chip_closer {
  void operator()(gpiod_chip* chip) const { gpiod_chip_close(chip); }
};

/// Closes the chip a found line belongs to (which releases the line).
struct line_closer {
  void operator()(gpiod_line* line) const { gpiod_line_close_chip(line); }
};

using line_ptr = std::unique_ptr<gpiod_line, line_closer>;

/// "chip 'gpiochip0' offset 17": where a found line is.
std::string location_of(gpiod_line* line) {
  return "chip '" + std::string{gpiod_chip_name(gpiod_line_get_chip(line))} +
         "' offset " + std::to_string(gpiod_line_offset(line));
}

line_ptr find_on_any_chip(const gpio_line_spec& spec,
                          const std::string& prefix) {
  auto& hw = hardware_line_name(spec);
  errno = 0;
  // Names are not unique across chips; like gpiofind, the first match in
  // chip order wins (documented by gpiod_line_find).
  line_ptr line{gpiod_line_find(hw.c_str())};
  if (line)
    return line;
  auto err = errno;
  if (err == ENOENT || err == 0)
    throw gpio_error(gpio_fault::configuration,
                     prefix + "no line named '" + hw + "' on any chip");
  throw gpio_error(gpio_fault::system,
                   prefix + "searching the chips for line '" + hw +
                       "' failed: " + std::strerror(err));
}

line_ptr find_on_chip(const gpio_line_spec& spec, const std::string& prefix) {
  errno = 0;
  // gpiod_chip_open_lookup accepts a path, a name ("gpiochip0"), a label or
  // a number.
  std::unique_ptr<gpiod_chip, chip_closer> chip{
      gpiod_chip_open_lookup(spec.chip.c_str())};
  if (!chip) {
    auto err = errno != 0 ? errno : ENOENT;
    throw gpio_error(fault_of(err),
                     prefix + "chip '" + spec.chip +
                         "' cannot be opened: " + std::strerror(err));
  }
  gpiod_line* found = nullptr;
  if (spec.offset >= 0) {
    errno = 0;
    found =
        gpiod_chip_get_line(chip.get(), static_cast<unsigned int>(spec.offset));
    if (found == nullptr) {
      auto err = errno;
      if (err == EINVAL || err == 0)
        throw gpio_error(
            gpio_fault::configuration,
            prefix + "chip '" + spec.chip + "' has no line at " + "offset " +
                std::to_string(spec.offset) + " (it has " +
                std::to_string(gpiod_chip_num_lines(chip.get())) + " lines)");
      throw gpio_error(gpio_fault::system,
                       prefix + "line " + std::to_string(spec.offset) +
                           " of chip '" + spec.chip +
                           "' cannot be opened: " + std::strerror(err));
    }
  } else {
    auto& hw = hardware_line_name(spec);
    errno = 0;
    found = gpiod_chip_find_line(chip.get(), hw.c_str());
    if (found == nullptr) {
      auto err = errno;
      if (err == ENOENT || err == 0)
        throw gpio_error(gpio_fault::configuration, prefix + "no line named '" +
                                                        hw + "' on chip '" +
                                                        spec.chip + "'");
      throw gpio_error(gpio_fault::system,
                       prefix + "searching chip '" + spec.chip +
                           "' for line '" + hw +
                           "' failed: " + std::strerror(err));
    }
  }
  // From here on the line owns the chip: closing the line's chip closes it.
  chip.release();
  return line_ptr{found};
}

} // namespace

int gpiod_request_flags(const gpio_line_spec& spec) {
  int flags = 0;
  if (spec.active_low)
    flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
  if (spec.bias == "pull-up")
    flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
  else if (spec.bias == "pull-down")
    flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
  else if (spec.bias == "disable")
    flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
  else if (!spec.bias.empty())
    throw gpio_error(gpio_fault::configuration,
                     gpio_error_prefix(spec) + "unknown bias '" + spec.bias +
                         "' (expected \"pull-up\", \"pull-down\" or "
                         "\"disable\")");
  return flags;
}

gpiod_port::gpiod_port(gpiod_line* line, const gpio_line_spec& spec)
    : line_(line), prefix_(gpio_error_prefix(spec)),
      direction_(spec.direction) {
  // nop
}

gpiod_port::~gpiod_port() {
  gpiod_line_release(line_);
  gpiod_line_close_chip(line_);
}

int32_t gpiod_port::read_value() {
  auto value = gpiod_line_get_value(line_);
  if (value < 0)
    throw gpio_error(gpio_fault::system,
                     prefix_ +
                         "reading the value failed: " + std::strerror(errno));
  return value;
}

void gpiod_port::write_value(int32_t value) {
  if (gpiod_line_set_value(line_, value != 0 ? 1 : 0) != 0)
    throw gpio_error(gpio_fault::system,
                     prefix_ +
                         "setting the value failed: " + std::strerror(errno));
}

int gpiod_port::event_fd() const {
  if (direction_ != gpio_direction::input)
    return -1;
  return gpiod_line_event_get_fd(line_);
}

std::string gpiod_port::chip() const {
  return gpiod_chip_name(gpiod_line_get_chip(line_));
}

int32_t gpiod_port::offset() const {
  return static_cast<int32_t>(gpiod_line_offset(line_));
}

std::unique_ptr<gpio_port> gpiod_backend::request(const gpio_line_spec& spec,
                                                  const std::string& consumer) {
  auto prefix = gpio_error_prefix(spec);
  auto flags = gpiod_request_flags(spec);
  auto line = spec.chip.empty() ? find_on_any_chip(spec, prefix)
                                : find_on_chip(spec, prefix);
  auto input = spec.direction == gpio_direction::input;
  gpiod_line_request_config config{};
  config.consumer = consumer.c_str();
  config.request_type = input ? GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES
                              : GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
  config.flags = flags;
  // For outputs, `initial` is the logical value the kernel drives at once,
  // so the pin never glitches through the other level.
  if (gpiod_line_request(line.get(), &config, spec.initial != 0 ? 1 : 0) != 0) {
    auto err = errno;
    auto text = prefix + "cannot request " + location_of(line.get()) + " as " +
                (input ? "an event input" : "an output") + ": " +
                std::strerror(err);
    if (err == EBUSY) {
      if (auto user = gpiod_line_consumer(line.get()))
        text += " (used by '" + std::string{user} + "')";
    }
    throw gpio_error(err == EBUSY ? gpio_fault::system : fault_of(err), text);
  }
  auto port = std::make_unique<gpiod_port>(line.get(), spec);
  line.release(); // the port owns it now
  return port;
}

} // namespace signalbox::hal
