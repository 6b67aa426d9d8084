// The gpio_line actor: one per configured GPIO line. It owns the line's
// port (hal/gpio_backend.hpp) and the Asio reader of its edge events, keeps
// the published logical value, debounces edges in software, and publishes a
// `gpio_changed` to the "ttm/gpio" group on every value change.
//
// Simulated inputs: `simulate` writes an edge record into the port's event
// pipe and answers only once that edge came back through the reader and was
// applied (after the debounce period, if any). A client that got the answer
// therefore sees the new value on its next request, and the gpioupdate was
// published before the answer. Edges are matched to waiting requests by the
// record's timestamp, which the simulated port makes strictly increasing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/group.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "core/metrics.hpp"
#include "hal/gpio_backend.hpp"
#include "hal/gpio_events.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox {

struct gpio_line_state {
  static inline const char* name = "gpio_line";

  gpio_line_spec spec;
  std::string backend; // "simulated" or "gpiod"
  std::shared_ptr<hal::gpio_port> port;
  // Declared after the port so that it is closed before the port goes.
  std::unique_ptr<hal::gpio_event_reader> reader;

  int32_t value = 0; // the published logical value

  // Published changes (GET /metrics: signalbox_gpio_changes_total).
  std::shared_ptr<metrics::counter> changes_counted =
      std::make_shared<metrics::counter>();

  // Edges, for debouncing: how many arrived (numbers the debounce timers),
  // and the newest one.
  uint64_t edges = 0;
  gpio_edge last_edge;

  // The timestamp of the newest edge whose effect has been applied, and of
  // the newest edge `simulate` wrote into the port.
  uint64_t applied_ts = 0;
  uint64_t simulated_ts = 0;

  // Simulate requests waiting for the edge with the given timestamp.
  std::vector<std::pair<uint64_t, caf::typed_response_promise<gpio_info>>>
      waiting;

  // Non-empty once the edge reader failed: why no edge arrives any more.
  std::string edge_failure;

  // The "ttm/gpio" group, looked up once.
  caf::group changes;
};

using gpio_line_pointer = gpio_line_actor::stateful_pointer<gpio_line_state>;

/// The behavior of a gpio_line actor for `port`, requested as `spec` from
/// backend `backend`. With an `io`, the actor starts the reader of the
/// port's edge events there (and closes it when it exits); the io_context
/// must outlive the actor. With a null `io`, edges arrive only as edge
/// messages from elsewhere (deterministic tests play the reader).
gpio_line_actor::behavior_type gpio_line(gpio_line_pointer self,
                                         gpio_line_spec spec,
                                         std::shared_ptr<hal::gpio_port> port,
                                         std::string backend,
                                         boost::asio::io_context* io);

/// Spawns a gpio_line actor whose edge reader runs on `io`; it counts
/// its published changes into `changes`.
gpio_line_actor
spawn_gpio_line(caf::actor_system& sys, boost::asio::io_context& io,
                gpio_line_spec spec, std::shared_ptr<hal::gpio_port> port,
                std::string backend, std::shared_ptr<metrics::counter> changes);

} // namespace signalbox
