// The node's GPIO lines: spawn_gpio requests every configured line from the
// configured backend (a missing chip or line is a start-up error), spawns one
// gpio_line actor per line, and the registry that finds lines by name and
// delegates requests to them.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "core/metrics.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox {

/// A line actor and the name clients use for it.
using named_gpio_line = std::pair<std::string, gpio_line_actor>;

struct gpio_registry_state {
  static inline const char* name = "gpio_registry";

  std::vector<named_gpio_line> lines; // in configuration order
  std::unordered_map<std::string, gpio_line_actor> by_name;
};

using gpio_registry_pointer =
    gpio_registry_actor::stateful_pointer<gpio_registry_state>;

/// The behavior of the registry over `lines`. It links to every line: a line
/// that fails takes the registry down, and the registry's exit takes the
/// lines down with it.
gpio_registry_actor::behavior_type
gpio_registry(gpio_registry_pointer self, std::vector<named_gpio_line> lines);

/// Requests every line of `opts.lines` from the backend `opts.backend`
/// ("simulated" or "gpiod"), spawns their actors (edge readers on `io`,
/// which must outlive them) and the registry. Fails, with nothing spawned
/// and every requested line released again, with ec::invalid_argument when
/// the configuration names a backend, chip or line that does not exist (or
/// a line twice), or with ec::system_error when a line cannot be requested;
/// the text names the line, e.g. "gpio line 'relay-x': no line named
/// 'relay-x' on any chip".
///
/// With `reg`, each line counts its changes there
/// (signalbox_gpio_changes_total{line}).
caf::expected<gpio_registry_actor> spawn_gpio(caf::actor_system& sys,
                                              boost::asio::io_context& io,
                                              const gpio_options& opts,
                                              metrics::registry* reg = nullptr);

} // namespace signalbox
