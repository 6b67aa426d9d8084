#include "hal/sim_backend.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <linux/gpio.h>
#include <unistd.h>

namespace signalbox::hal {

namespace {

uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u +
         static_cast<uint64_t>(ts.tv_nsec);
}

} // namespace

sim_port::sim_port(const gpio_line_spec& spec)
    : prefix_(gpio_error_prefix(spec)), direction_(spec.direction),
      chip_(spec.chip), offset_(spec.offset),
      level_(spec.initial != 0 ? 1 : 0) {
  if (direction_ != gpio_direction::input)
    return;
  // Both ends non-blocking: a full pipe (nobody reads edges) makes simulate
  // fail instead of blocking the line actor. Records are 16 bytes, far below
  // PIPE_BUF, so every write is atomic: a reader never sees half a record.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
    throw gpio_error(gpio_fault::system,
                     prefix_ + "cannot create the simulated event pipe: " +
                         std::strerror(errno));
  read_fd_ = fds[0];
  write_fd_ = fds[1];
}

sim_port::~sim_port() {
  if (read_fd_ >= 0)
    ::close(read_fd_);
  if (write_fd_ >= 0)
    ::close(write_fd_);
}

int32_t sim_port::read_value() {
  return level_;
}

void sim_port::write_value(int32_t value) {
  if (direction_ != gpio_direction::output)
    throw gpio_error(gpio_fault::configuration,
                     prefix_ + "is an input and cannot be written");
  level_ = value != 0 ? 1 : 0;
}

int sim_port::event_fd() const {
  return read_fd_;
}

std::string sim_port::chip() const {
  return chip_;
}

int32_t sim_port::offset() const {
  return offset_;
}

std::optional<uint64_t> sim_port::simulate(int32_t value) {
  if (direction_ != gpio_direction::input)
    throw gpio_error(gpio_fault::configuration,
                     prefix_ + "is an output and cannot be simulated");
  auto level = value != 0 ? 1 : 0;
  if (level == level_)
    return std::nullopt; // a pin that does not move makes no edge
  gpioevent_data record{};
  record.timestamp = next_timestamp();
  record.id =
      level == 1 ? GPIOEVENT_EVENT_RISING_EDGE : GPIOEVENT_EVENT_FALLING_EDGE;
  auto written = ::write(write_fd_, &record, sizeof(record));
  if (written != static_cast<ssize_t>(sizeof(record))) {
    auto err = errno;
    throw gpio_error(gpio_fault::system,
                     prefix_ + "cannot queue the simulated edge: " +
                         (err == EAGAIN ? std::string{"the event queue is "
                                                      "full (edges are not "
                                                      "being read)"}
                                        : std::string{std::strerror(err)}));
  }
  level_ = level;
  last_ts_ = record.timestamp;
  return record.timestamp;
}

uint64_t sim_port::next_timestamp() {
  // The line actor matches replies to edges by timestamp, so two edges must
  // never share one, even when the clock has not advanced between them.
  auto now = monotonic_ns();
  return now > last_ts_ ? now : last_ts_ + 1;
}

std::unique_ptr<gpio_port> sim_backend::request(const gpio_line_spec& spec,
                                                const std::string&) {
  return std::make_unique<sim_port>(spec);
}

} // namespace signalbox::hal
