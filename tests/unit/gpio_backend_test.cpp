// The GPIO backends without actors: the simulated ports (values, the edge
// records they write, their timestamps, a full queue) and the libgpiod
// backend as far as a machine without GPIO chips allows: every way a
// configured line can be missing must be a clear error that names it.
#define CAF_SUITE gpio_backend

#include <filesystem>
#include <stdexcept>

#include <caf/test/unit_test.hpp>

#include "fixture.hpp"
#include "gpio_test_support.hpp"
#include "hal/gpio_backend.hpp"
#include "hal/gpiod_backend.hpp"
#include "hal/sim_backend.hpp"

using namespace signalbox;
using namespace signalbox::test;

namespace {

gpio_line_spec line_spec(std::string name, gpio_direction direction) {
  gpio_line_spec spec;
  spec.name = std::move(name);
  spec.direction = direction;
  return spec;
}

/// Runs `request` and returns the gpio_error it throws.
template <class F>
hal::gpio_error error_of(F request) {
  try {
    request();
  } catch (const hal::gpio_error& e) {
    return e;
  }
  CAF_FAIL("expected a gpio_error");
  throw std::logic_error("unreachable: CAF_FAIL throws");
}

} // namespace

CAF_TEST(make_gpio_backend knows simulated and gpiod only) {
  CAF_CHECK_EQUAL(hal::make_gpio_backend("simulated")->name(), "simulated");
  CAF_CHECK_EQUAL(hal::make_gpio_backend("gpiod")->name(), "gpiod");
  auto err = error_of([] { hal::make_gpio_backend("sysfs"); });
  CAF_CHECK(err.fault() == hal::gpio_fault::configuration);
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "unknown GPIO backend 'sysfs' (expected \"simulated\" or "
                  "\"gpiod\")");
}

CAF_TEST(a simulated output keeps its value and has no event fd) {
  auto spec = line_spec("relay-a", gpio_direction::output);
  spec.initial = 1;
  spec.chip = "gpiochip0";
  spec.offset = 4;
  auto port = hal::sim_backend{}.request(spec, "test");
  CAF_CHECK(port->simulated());
  CAF_CHECK_EQUAL(port->event_fd(), -1);
  CAF_CHECK_EQUAL(port->chip(), "gpiochip0");
  CAF_CHECK_EQUAL(port->offset(), 4);
  CAF_CHECK_EQUAL(port->read_value(), 1);
  port->write_value(0);
  CAF_CHECK_EQUAL(port->read_value(), 0);
  port->write_value(1);
  CAF_CHECK_EQUAL(port->read_value(), 1);
  auto err = error_of([&] { port->simulate(0); });
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'relay-a': is an output and cannot be simulated");
  CAF_CHECK_EQUAL(port->read_value(), 1);
}

CAF_TEST(a simulated input writes kernel edge records into its event fd) {
  auto port = hal::sim_backend{}.request(
      line_spec("door", gpio_direction::input), "test");
  auto fd = port->event_fd();
  CAF_REQUIRE_GREATER_OR_EQUAL(fd, 0);
  CAF_CHECK_EQUAL(port->read_value(), 0);
  // A pin that does not move makes no edge.
  CAF_CHECK(!port->simulate(0));
  CAF_CHECK(read_queued_edges(fd).empty());
  auto rising = port->simulate(1);
  CAF_REQUIRE(rising);
  CAF_CHECK_EQUAL(port->read_value(), 1);
  CAF_CHECK(!port->simulate(1));
  auto falling = port->simulate(0);
  CAF_REQUIRE(falling);
  CAF_CHECK_GREATER(*falling, *rising);
  // Read the raw bytes: exactly two 16-byte kernel records.
  gpioevent_data records[3];
  CAF_REQUIRE_EQUAL(::read(fd, records, sizeof(records)),
                    static_cast<ssize_t>(2 * sizeof(gpioevent_data)));
  CAF_CHECK_EQUAL(records[0].id, GPIOEVENT_EVENT_RISING_EDGE);
  CAF_CHECK_EQUAL(records[0].timestamp, *rising);
  CAF_CHECK_EQUAL(records[1].id, GPIOEVENT_EVENT_FALLING_EDGE);
  CAF_CHECK_EQUAL(records[1].timestamp, *falling);
  auto err = error_of([&] { port->write_value(1); });
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'door': is an input and cannot be written");
}

CAF_TEST(a simulated input rests at its configured initial value) {
  auto spec = line_spec("door", gpio_direction::input);
  spec.initial = 1;
  auto port = hal::sim_backend{}.request(spec, "test");
  CAF_CHECK_EQUAL(port->read_value(), 1);
  CAF_CHECK(!port->simulate(1));
  CAF_CHECK(port->simulate(0));
  auto edges = read_queued_edges(port->event_fd());
  CAF_REQUIRE_EQUAL(edges.size(), 1u);
  CAF_CHECK_EQUAL(edges[0].value, 0);
}

CAF_TEST(simulated timestamps strictly increase) {
  // Replies are matched to edges by timestamp: even edges written faster
  // than the clock ticks must not share one.
  auto port = hal::sim_backend{}.request(
      line_spec("door", gpio_direction::input), "test");
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    auto ts = port->simulate(i % 2 == 0 ? 1 : 0);
    CAF_REQUIRE(ts);
    CAF_REQUIRE_GREATER(*ts, last);
    last = *ts;
  }
  auto edges = read_queued_edges(port->event_fd());
  CAF_REQUIRE_EQUAL(edges.size(), 1000u);
  for (size_t i = 1; i < edges.size(); ++i)
    CAF_REQUIRE_GREATER(edges[i].timestamp_ns, edges[i - 1].timestamp_ns);
  CAF_CHECK_EQUAL(edges.back().timestamp_ns, last);
}

CAF_TEST(a full simulated edge queue fails without moving the pin) {
  auto port = hal::sim_backend{}.request(
      line_spec("door", gpio_direction::input), "test");
  // Nobody reads: the pipe fills up (64 KiB by default, 4096 records).
  int value = 1;
  bool full = false;
  for (int i = 0; i < 1'000'000 && !full; ++i) {
    try {
      port->simulate(value);
      value = 1 - value;
    } catch (const hal::gpio_error& e) {
      full = true;
      CAF_CHECK(e.fault() == hal::gpio_fault::system);
      CAF_CHECK_EQUAL(std::string{e.what()},
                      "gpio line 'door': cannot queue the simulated edge: the "
                      "event queue is full (edges are not being read)");
    }
  }
  CAF_REQUIRE(full);
  // The failed edge did not happen: the pin kept the last queued level.
  CAF_CHECK_EQUAL(port->read_value(), 1 - value);
}

CAF_TEST(gpiod request flags follow active low and bias) {
  auto spec = line_spec("x", gpio_direction::input);
  CAF_CHECK_EQUAL(hal::gpiod_request_flags(spec), 0);
  spec.active_low = true;
  CAF_CHECK_EQUAL(hal::gpiod_request_flags(spec),
                  GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW);
  spec.bias = "pull-up";
  CAF_CHECK_EQUAL(hal::gpiod_request_flags(spec),
                  GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW |
                      GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP);
  spec.active_low = false;
  spec.bias = "pull-down";
  CAF_CHECK_EQUAL(hal::gpiod_request_flags(spec),
                  GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN);
  spec.bias = "disable";
  CAF_CHECK_EQUAL(hal::gpiod_request_flags(spec),
                  GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE);
  spec.bias = "pull-sideways";
  auto err = error_of([&] { hal::gpiod_request_flags(spec); });
  CAF_CHECK(err.fault() == hal::gpio_fault::configuration);
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'x': unknown bias 'pull-sideways' (expected "
                  "\"pull-up\", \"pull-down\" or \"disable\")");
}

// The remaining tests run the real libgpiod backend against this machine's
// (absent) GPIO chips.

CAF_TEST(gpiod reports a line name found on no chip) {
  hal::gpiod_backend backend;
  auto err = error_of([&] {
    backend.request(line_spec("relay-x", gpio_direction::output), "test");
  });
  CAF_CHECK(err.fault() == hal::gpio_fault::configuration);
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'relay-x': no line named 'relay-x' on any chip");
  // With a separate hardware name, the message names both.
  auto spec = line_spec("door", gpio_direction::input);
  spec.line = "GPIO17";
  err = error_of([&] { backend.request(spec, "test"); });
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'door': no line named 'GPIO17' on any chip");
}

CAF_TEST(gpiod reports a chip that does not exist) {
  CAF_REQUIRE(!std::filesystem::exists("/dev/gpiochip9"));
  hal::gpiod_backend backend;
  auto spec = line_spec("x", gpio_direction::input);
  spec.chip = "gpiochip9";
  spec.offset = 3;
  auto err = error_of([&] { backend.request(spec, "test"); });
  CAF_CHECK(err.fault() == hal::gpio_fault::configuration);
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'x': chip 'gpiochip9' cannot be opened: No such "
                  "file or directory");
  // A chip searched by line name fails the same way.
  spec.offset = -1;
  err = error_of([&] { backend.request(spec, "test"); });
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'x': chip 'gpiochip9' cannot be opened: No such "
                  "file or directory");
}

CAF_TEST(gpiod reports a path that is no GPIO chip) {
  hal::gpiod_backend backend;
  auto spec = line_spec("x", gpio_direction::output);
  spec.chip = "/dev/null";
  spec.offset = 0;
  auto err = error_of([&] { backend.request(spec, "test"); });
  CAF_CHECK(err.fault() == hal::gpio_fault::configuration);
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'x': chip '/dev/null' cannot be opened: "
                  "Inappropriate ioctl for device");
}

CAF_TEST(gpiod checks the bias before touching any chip) {
  hal::gpiod_backend backend;
  auto spec = line_spec("x", gpio_direction::input);
  spec.bias = "weak";
  auto err = error_of([&] { backend.request(spec, "test"); });
  CAF_CHECK_EQUAL(std::string{err.what()},
                  "gpio line 'x': unknown bias 'weak' (expected \"pull-up\", "
                  "\"pull-down\" or \"disable\")");
}
