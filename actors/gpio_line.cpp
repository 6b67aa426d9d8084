#include "actors/gpio_line.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/errors.hpp"
#include "core/log.hpp"
// CAF checks spawn arguments with type traits that need complete types.
#include <chrono>

#include <boost/asio/io_context.hpp>

namespace signalbox {

namespace {

gpio_info snapshot(const gpio_line_state& st) {
  gpio_info info;
  info.name = st.spec.name;
  info.direction = st.spec.direction;
  info.value = st.value;
  info.active_low = st.spec.active_low;
  info.backend = st.backend;
  info.chip = st.port->chip();
  info.offset = st.port->offset();
  info.debounce_ms = st.spec.debounce_ms;
  return info;
}

std::string quoted_name(const gpio_line_state& st) {
  return "GPIO line '" + st.spec.name + "'";
}

caf::error check_value(int32_t value) {
  if (value == 0 || value == 1)
    return caf::none;
  return make_error(ec::invalid_argument,
                    "GPIO value must be 0 or 1, got " + std::to_string(value));
}

/// Publishes the current value. Called only after the value is committed
/// (written to the port, or settled from edges).
void publish(const gpio_line_state& st) {
  st.changes_counted->add();
  caf::anon_send(st.changes, notify_atom_v,
                 make_notification(gpio_changed{st.spec.name, st.value}));
}

/// Answers the simulate requests whose edge has been applied, in order.
void answer_waiting(gpio_line_pointer self) {
  auto& st = self->state;
  auto info = snapshot(st);
  auto done = st.waiting.begin();
  // `waiting` is ordered by timestamp: the port hands them out increasing.
  while (done != st.waiting.end() && done->first <= st.applied_ts)
    (done++)->second.deliver(info);
  st.waiting.erase(st.waiting.begin(), done);
}

void fail_waiting(gpio_line_pointer self, const caf::error& err) {
  auto& st = self->state;
  for (auto& entry : st.waiting)
    entry.second.deliver(err);
  st.waiting.clear();
}

/// Applies a settled value: publishes it if it is a change and answers the
/// simulate requests up to edge `ts`.
void apply(gpio_line_pointer self, int32_t value, uint64_t ts) {
  auto& st = self->state;
  if (ts > st.applied_ts)
    st.applied_ts = ts;
  if (value != st.value) {
    st.value = value;
    publish(st);
  }
  answer_waiting(self);
}

void start_reader(gpio_line_pointer self, boost::asio::io_context& io) {
  auto& st = self->state;
  // The reader must not keep the actor alive: its handlers hold a weak
  // reference and drop edges once the actor is gone.
  caf::weak_actor_ptr weak{self->ctrl()};
  auto send = [weak](auto&& content) {
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
      caf::anon_send(caf::actor_cast<gpio_line_actor>(strong), edge_atom_v,
                     std::forward<decltype(content)>(content));
  };
  try {
    st.reader = std::make_unique<hal::gpio_event_reader>(
        io, st.port->event_fd(), [send](const gpio_edge& edge) { send(edge); },
        [send](const std::string& reason) { send(reason); });
  } catch (const hal::gpio_error& e) {
    st.edge_failure = e.what();
    log::warning(hal::gpio_error_prefix(st.spec) + e.what() +
                 "; its edges are not seen");
  }
}

} // namespace

gpio_line_actor::behavior_type gpio_line(gpio_line_pointer self,
                                         gpio_line_spec spec,
                                         std::shared_ptr<hal::gpio_port> port,
                                         std::string backend,
                                         boost::asio::io_context* io) {
  auto& st = self->state;
  st.spec = std::move(spec);
  st.backend = std::move(backend);
  st.port = std::move(port);
  st.changes = self->system().groups().get_local(groups::gpio);
  try {
    st.value = st.port->read_value();
  } catch (const hal::gpio_error& e) {
    // Cannot happen for a line that was just requested, short of the chip
    // vanishing; the configured initial value is the best guess then.
    st.value = st.spec.initial;
    log::warning(e.what());
  }
  if (io != nullptr && st.port->event_fd() >= 0)
    start_reader(self, *io);
  // Requests still waiting for an edge are answered when the line goes down
  // (e.g. with its registry) rather than left to time out.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.reason)
      return;
    fail_waiting(self, make_error(ec::unavailable, quoted_name(self->state) +
                                                       " is shutting "
                                                       "down"));
    self->quit(msg.reason);
  });
  return {
      [self](get_atom) { return snapshot(self->state); },
      [self](put_atom, int32_t value) -> caf::result<gpio_info> {
        auto& st = self->state;
        if (auto err = check_value(value))
          return err;
        if (st.spec.direction != gpio_direction::output)
          return make_error(ec::conflict, quoted_name(st) + " is an input");
        if (value == st.value)
          return snapshot(st); // not a change: nothing to write or publish
        try {
          st.port->write_value(value);
        } catch (const hal::gpio_error& e) {
          return make_error(ec::system_error, e.what());
        }
        st.value = value;
        publish(st);
        return snapshot(st);
      },
      [self](simulate_atom, int32_t value) -> caf::result<gpio_info> {
        auto& st = self->state;
        if (!st.port->simulated())
          return make_error(ec::forbidden, quoted_name(st) +
                                               " is not simulated (backend " +
                                               st.backend + ")");
        if (auto err = check_value(value))
          return err;
        if (st.spec.direction != gpio_direction::input)
          return make_error(ec::conflict,
                            quoted_name(st) +
                                " is an output; only inputs can be simulated");
        if (!st.edge_failure.empty())
          return make_error(ec::system_error,
                            quoted_name(st) + ": " + st.edge_failure);
        try {
          if (auto ts = st.port->simulate(value))
            st.simulated_ts = *ts;
        } catch (const hal::gpio_error& e) {
          return make_error(ec::system_error, e.what());
        }
        // Nothing in flight (the pin already had this value and every edge
        // written before has been applied): the snapshot is current.
        if (st.simulated_ts <= st.applied_ts)
          return snapshot(st);
        auto promise = self->make_response_promise<gpio_info>();
        st.waiting.emplace_back(st.simulated_ts, promise);
        return promise;
      },
      [self](edge_atom, const gpio_edge& edge) {
        auto& st = self->state;
        st.last_edge = edge;
        ++st.edges;
        if (st.spec.debounce_ms == 0) {
          apply(self, edge.value, edge.timestamp_ns);
          return;
        }
        // Every edge restarts the period; only the timer of the newest edge
        // counts (older ones see a different edge number and do nothing).
        self->delayed_send(self, std::chrono::milliseconds{st.spec.debounce_ms},
                           debounce_atom_v, st.edges);
      },
      [self](edge_atom, const std::string& reason) {
        auto& st = self->state;
        st.edge_failure = reason;
        log::error(hal::gpio_error_prefix(st.spec) + reason +
                   "; its edges are no longer seen");
        fail_waiting(self, make_error(ec::system_error,
                                      quoted_name(st) + ": " + reason));
      },
      [self](debounce_atom, uint64_t n) {
        auto& st = self->state;
        if (n != st.edges)
          return; // a later edge restarted the period
        auto value = st.last_edge.value;
        if (!st.port->simulated()) {
          // A bouncing contact can leave the last reported edge stale (the
          // kernel samples the level after the interrupt, and its FIFO may
          // overflow): the level after the quiet period is the truth.
          try {
            value = st.port->read_value();
          } catch (const hal::gpio_error& e) {
            log::warning(std::string{e.what()} +
                         "; using the last edge's value");
          }
        }
        apply(self, value, st.last_edge.timestamp_ns);
      },
  };
}

gpio_line_actor spawn_gpio_line(caf::actor_system& sys,
                                boost::asio::io_context& io,
                                gpio_line_spec spec,
                                std::shared_ptr<hal::gpio_port> port,
                                std::string backend,
                                std::shared_ptr<metrics::counter> changes) {
  return sys.spawn(
      [spec = std::move(spec), port = std::move(port),
       backend = std::move(backend), io = &io,
       changes = std::move(changes)](gpio_line_pointer self) mutable {
        self->state.changes_counted = std::move(changes);
        return gpio_line(self, std::move(spec), std::move(port),
                         std::move(backend), io);
      });
}

} // namespace signalbox
