#include "actors/gpio_registry.hpp"

#include <memory>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/gpio_line.hpp"
#include "core/errors.hpp"
#include "hal/gpio_backend.hpp"

namespace signalbox {

namespace {

caf::error unknown_line(const std::string& name) {
  return make_error(ec::not_found, "no GPIO line named '" + name + "'");
}

/// Collects the snapshots of a `list` request, one slot per line, and
/// answers once all of them arrived (or with the first error).
struct list_collector {
  explicit list_collector(
      size_t n, caf::typed_response_promise<std::vector<gpio_info>> rp)
      : infos(n), remaining(n), promise(std::move(rp)) {}

  void add(size_t index, gpio_info info) {
    if (failed)
      return;
    infos[index] = std::move(info);
    if (--remaining == 0)
      promise.deliver(std::move(infos));
  }

  void fail(const caf::error& err) {
    if (failed)
      return;
    failed = true;
    promise.deliver(err);
  }

  std::vector<gpio_info> infos;
  size_t remaining;
  bool failed = false;
  caf::typed_response_promise<std::vector<gpio_info>> promise;
};

caf::error to_error(const hal::gpio_error& e) {
  return make_error(e.fault() == hal::gpio_fault::configuration
                        ? ec::invalid_argument
                        : ec::system_error,
                    e.what());
}

} // namespace

gpio_registry_actor::behavior_type
gpio_registry(gpio_registry_pointer self, std::vector<named_gpio_line> lines) {
  auto& st = self->state;
  for (auto& [name, line] : lines) {
    self->link_to(line);
    st.by_name.emplace(name, line);
  }
  st.lines = std::move(lines);
  auto find = [self](const std::string& name) -> const gpio_line_actor* {
    auto i = self->state.by_name.find(name);
    return i == self->state.by_name.end() ? nullptr : &i->second;
  };
  return {
      [self](list_atom) -> caf::result<std::vector<gpio_info>> {
        auto& lines = self->state.lines;
        if (lines.empty())
          return std::vector<gpio_info>{};
        // Fan-in by hand (CAF 0.17 has no fan_out_request): the slots keep
        // the configuration order whatever order the answers come in.
        auto rp = self->make_response_promise<std::vector<gpio_info>>();
        auto collector = std::make_shared<list_collector>(lines.size(), rp);
        for (size_t i = 0; i < lines.size(); ++i)
          self->request(lines[i].second, caf::infinite, get_atom_v)
              .then(
                  [collector, i](gpio_info& info) {
                    collector->add(i, std::move(info));
                  },
                  [collector](caf::error& err) { collector->fail(err); });
        return rp;
      },
      [self, find](get_atom,
                   const std::string& name) -> caf::result<gpio_info> {
        if (auto line = find(name))
          return self->delegate(*line, get_atom_v);
        return unknown_line(name);
      },
      [self, find](put_atom, const std::string& name,
                   int32_t value) -> caf::result<gpio_info> {
        if (auto line = find(name))
          return self->delegate(*line, put_atom_v, value);
        return unknown_line(name);
      },
      [self, find](simulate_atom, const std::string& name,
                   int32_t value) -> caf::result<gpio_info> {
        if (auto line = find(name))
          return self->delegate(*line, simulate_atom_v, value);
        return unknown_line(name);
      },
  };
}

caf::expected<gpio_registry_actor> spawn_gpio(caf::actor_system& sys,
                                              boost::asio::io_context& io,
                                              const gpio_options& opts,
                                              metrics::registry* reg) {
  std::set<std::string> names;
  for (auto& spec : opts.lines) {
    if (spec.name.empty())
      return make_error(ec::invalid_argument, "a GPIO line has no name");
    if (!names.insert(spec.name).second)
      return make_error(ec::invalid_argument,
                        "gpio line '" + spec.name + "' is configured twice");
  }
  // Request every line before spawning anything: a configuration with one
  // bad line fails as a whole, and the lines requested so far are released
  // when `ports` goes out of scope.
  std::unique_ptr<hal::gpio_backend> backend;
  std::vector<std::shared_ptr<hal::gpio_port>> ports;
  try {
    backend = hal::make_gpio_backend(opts.backend);
    for (auto& spec : opts.lines)
      ports.emplace_back(backend->request(spec, opts.consumer));
  } catch (const hal::gpio_error& e) {
    return to_error(e);
  }
  std::shared_ptr<metrics::counter_family> changes;
  if (reg != nullptr)
    changes = reg->counters("signalbox_gpio_changes_total",
                            "value changes published per GPIO line", {"line"});
  std::vector<named_gpio_line> lines;
  for (size_t i = 0; i < ports.size(); ++i) {
    auto& spec = opts.lines[i];
    auto counted = changes ? changes->with({spec.name})
                           : std::make_shared<metrics::counter>();
    lines.emplace_back(spec.name,
                       spawn_gpio_line(sys, io, spec, std::move(ports[i]),
                                       backend->name(), std::move(counted)));
  }
  return sys.spawn(gpio_registry, std::move(lines));
}

} // namespace signalbox
