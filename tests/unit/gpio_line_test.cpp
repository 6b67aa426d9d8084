// The gpio_line actor under CAF's deterministic scheduler. No reader runs
// here: the test plays it, reading the simulated port's event pipe with
// libgpiod's decoder and handing the edges to the actor, so that debounce
// timers and the order of publications and replies can be checked exactly.
// (gpio_test.cpp runs the same actor with the real Asio reader.)
#define CAF_SUITE gpio_line

#include <chrono>
#include <variant>

#include <caf/test/dsl.hpp>

#include "actors/gpio_line.hpp"
#include "core/errors.hpp"
#include "fixture.hpp"
#include "gpio_test_support.hpp"
#include "hal/sim_backend.hpp"

using namespace signalbox;
using namespace signalbox::test;
using namespace std::chrono_literals;

namespace {

struct fixture : deterministic_fixture {
  fixture() { self->join(sys.groups().get_local(groups::gpio)); }

  gpio_line_actor spawn_line(const gpio_line_spec& spec,
                             std::shared_ptr<hal::gpio_port> port,
                             std::string backend = "simulated") {
    boost::asio::io_context* no_reader = nullptr;
    auto line = sys.spawn(gpio_line, spec, std::move(port), std::move(backend),
                          no_reader);
    consume_messages();
    return line;
  }

  gpio_line_actor spawn_sim(const gpio_line_spec& spec) {
    port = hal::sim_backend{}.request(spec, "test");
    return spawn_line(spec, port);
  }

  /// Sends a request, lets the actors work (without firing timers) and
  /// returns the answer, which must be there by then.
  template <class... Ts>
  caf::expected<gpio_info> ask(const gpio_line_actor& line, Ts... xs) {
    auto handle = self->request(line, caf::infinite, xs...);
    consume_messages();
    CAF_REQUIRE(self->has_next_message());
    caf::expected<gpio_info> result{caf::error{}};
    handle.receive([&](gpio_info& info) { result = std::move(info); },
                   [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// The line's value as `get` answers it.
  int32_t value_of(const gpio_line_actor& line) {
    auto info = ask(line, get_atom_v);
    CAF_REQUIRE(info);
    return info->value;
  }

  /// Plays the edge reader: moves every edge queued in the port's event fd
  /// to the line actor.
  void forward_queued_edges(const gpio_line_actor& line) {
    for (auto& edge : read_queued_edges(port->event_fd()))
      self->send(line, edge_atom_v, edge);
    consume_messages();
  }

  void send_edge(const gpio_line_actor& line, uint64_t ts, int32_t value) {
    self->send(line, edge_atom_v, gpio_edge{ts, value});
    consume_messages();
  }

  /// Fires the timers due within `interval` and lets the actors handle them.
  void elapse(caf::timespan interval) {
    advance_time(interval);
    consume_messages();
  }

  /// The gpioupdates published so far (and not yet taken), oldest first,
  /// as (name, value).
  std::vector<std::pair<std::string, int32_t>> published() {
    std::vector<std::pair<std::string, int32_t>> result;
    for (bool more = true; more;)
      self->receive(
          [&](notify_atom, const notification_ptr& n) {
            auto& change = std::get<gpio_changed>(n->event());
            result.emplace_back(change.name, change.value);
          },
          caf::after(0s) >> [&] { more = false; });
    return result;
  }

  std::shared_ptr<hal::gpio_port> port;
};

using changes = std::vector<std::pair<std::string, int32_t>>;

} // namespace

CAF_TEST_FIXTURE_SCOPE(gpio_line_tests, fixture)

CAF_TEST(get answers the snapshot) {
  auto spec = line_spec("relay-a", gpio_direction::output);
  spec.initial = 1;
  spec.active_low = true;
  spec.chip = "gpiochip2";
  spec.offset = 5;
  auto info = ask(spawn_sim(spec), get_atom_v);
  CAF_REQUIRE(info);
  CAF_CHECK_EQUAL(info->name, "relay-a");
  CAF_CHECK(info->direction == gpio_direction::output);
  CAF_CHECK_EQUAL(info->value, 1);
  CAF_CHECK_EQUAL(info->active_low, true);
  CAF_CHECK_EQUAL(info->backend, "simulated");
  CAF_CHECK_EQUAL(info->chip, "gpiochip2");
  CAF_CHECK_EQUAL(info->offset, 5);
  CAF_CHECK_EQUAL(info->debounce_ms, 0u);
}

CAF_TEST(put publishes each change of an output once) {
  auto line = spawn_sim(line_spec("relay-a", gpio_direction::output));
  auto info = ask(line, put_atom_v, int32_t{1});
  CAF_REQUIRE(info);
  CAF_CHECK_EQUAL(info->value, 1);
  CAF_CHECK_EQUAL(port->read_value(), 1); // written to the port
  CAF_CHECK(published() == changes{{"relay-a", 1}});
  // The value the line already has: not a change.
  info = ask(line, put_atom_v, int32_t{1});
  CAF_REQUIRE(info);
  CAF_CHECK_EQUAL(info->value, 1);
  CAF_CHECK(published().empty());
  info = ask(line, put_atom_v, int32_t{0});
  CAF_REQUIRE(info);
  CAF_CHECK_EQUAL(info->value, 0);
  CAF_CHECK_EQUAL(port->read_value(), 0);
  CAF_CHECK(published() == changes{{"relay-a", 0}});
}

CAF_TEST(put rejects inputs and values other than 0 and 1) {
  auto input = spawn_sim(line_spec("door", gpio_direction::input));
  auto res = ask(input, put_atom_v, int32_t{1});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::conflict);
  CAF_CHECK_EQUAL(text_of(res.error()), "GPIO line 'door' is an input");
  auto output = spawn_sim(line_spec("relay-a", gpio_direction::output));
  res = ask(output, put_atom_v, int32_t{2});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::invalid_argument);
  CAF_CHECK_EQUAL(text_of(res.error()), "GPIO value must be 0 or 1, got 2");
  CAF_CHECK_EQUAL(port->read_value(), 0);
  CAF_CHECK(published().empty());
}

CAF_TEST(simulate rejects outputs and values other than 0 and 1) {
  auto output = spawn_sim(line_spec("relay-a", gpio_direction::output));
  auto res = ask(output, simulate_atom_v, int32_t{1});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::conflict);
  CAF_CHECK_EQUAL(text_of(res.error()),
                  "GPIO line 'relay-a' is an output; only inputs can be "
                  "simulated");
  auto input = spawn_sim(line_spec("door", gpio_direction::input));
  res = ask(input, simulate_atom_v, int32_t{-1});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::invalid_argument);
  CAF_CHECK(read_queued_edges(port->event_fd()).empty());
}

CAF_TEST(simulate answers once its edge came back through the event fd) {
  auto line = spawn_sim(line_spec("door", gpio_direction::input));
  auto handle = self->request(line, caf::infinite, simulate_atom_v, int32_t{1});
  consume_messages();
  // The edge is in the pipe, not yet read: no answer, no publication.
  CAF_CHECK(!self->has_next_message());
  forward_queued_edges(line);
  CAF_CHECK(published() == changes{{"door", 1}});
  auto answered = false;
  handle.receive(
      [&](gpio_info& info) {
        answered = true;
        CAF_CHECK_EQUAL(info.value, 1);
      },
      [&](caf::error& err) {
        CAF_FAIL("unexpected error: " << caf::to_string(err));
      });
  CAF_CHECK(answered);
  // The pin already is 1: no edge, an immediate answer, nothing published.
  auto info = ask(line, simulate_atom_v, int32_t{1});
  CAF_REQUIRE(info);
  CAF_CHECK_EQUAL(info->value, 1);
  CAF_CHECK(read_queued_edges(port->event_fd()).empty());
  CAF_CHECK(published().empty());
}

CAF_TEST(a same-value simulate waits for edges still in flight) {
  auto line = spawn_sim(line_spec("door", gpio_direction::input));
  auto first = self->request(line, caf::infinite, simulate_atom_v, int32_t{1});
  // The pin is 1 already, but the edge to 1 has not been applied yet: an
  // answer now would show the old value.
  auto second = self->request(line, caf::infinite, simulate_atom_v, int32_t{1});
  consume_messages();
  CAF_CHECK(!self->has_next_message());
  forward_queued_edges(line);
  for (auto* handle : {&first, &second})
    handle->receive(
        [&](gpio_info& info) { CAF_CHECK_EQUAL(info.value, 1); },
        [&](caf::error& err) { CAF_FAIL("error: " << caf::to_string(err)); });
  CAF_CHECK(published() == changes{{"door", 1}});
}

CAF_TEST(edges without debounce publish every change) {
  auto line = spawn_sim(line_spec("door", gpio_direction::input));
  send_edge(line, 1, 1);
  send_edge(line, 2, 1); // a repeated level is no change
  send_edge(line, 3, 0);
  CAF_CHECK(published() == changes({{"door", 1}, {"door", 0}}));
  CAF_CHECK_EQUAL(value_of(line), 0);
}

CAF_TEST(debounce publishes only the value that settled) {
  auto line = spawn_sim(line_spec("button", gpio_direction::input, 50));
  send_edge(line, 1, 1);
  send_edge(line, 2, 0);
  send_edge(line, 3, 1);
  elapse(49ms);
  CAF_CHECK(published().empty());
  CAF_CHECK_EQUAL(value_of(line), 0);
  elapse(1ms);
  CAF_CHECK(published() == changes{{"button", 1}});
  // A burst that ends where it started is no change at all.
  send_edge(line, 4, 0);
  send_edge(line, 5, 1);
  elapse(50ms);
  CAF_CHECK(published().empty());
  send_edge(line, 6, 0);
  elapse(50ms);
  CAF_CHECK(published() == changes{{"button", 0}});
}

CAF_TEST(every edge restarts the debounce period) {
  auto line = spawn_sim(line_spec("button", gpio_direction::input, 50));
  send_edge(line, 1, 1);
  elapse(30ms);
  send_edge(line, 2, 1); // the contact bounced: the period starts again
  elapse(20ms);          // 50 ms after the first edge, 20 after the second
  CAF_CHECK(published().empty());
  elapse(30ms);
  CAF_CHECK(published() == changes{{"button", 1}});
}

CAF_TEST(a debounced simulate answers after the period settled) {
  auto line = spawn_sim(line_spec("button", gpio_direction::input, 50));
  auto handle = self->request(line, caf::infinite, simulate_atom_v, int32_t{1});
  consume_messages();
  forward_queued_edges(line);
  CAF_CHECK(!self->has_next_message()); // the edge arrived, still settling
  elapse(50ms);
  CAF_CHECK(published() == changes{{"button", 1}});
  handle.receive(
      [&](gpio_info& info) { CAF_CHECK_EQUAL(info.value, 1); },
      [&](caf::error& err) { CAF_FAIL("error: " << caf::to_string(err)); });
}

CAF_TEST(a hardware line rereads its level when the debounce settles) {
  auto hw = std::make_shared<hardware_double_port>();
  auto line =
      spawn_line(line_spec("button", gpio_direction::input, 50), hw, "gpiod");
  // Rising then falling edges, but the contact came to rest high: the
  // kernel sampled the falling edge's level while the contact bounced.
  send_edge(line, 1, 1);
  send_edge(line, 2, 0);
  hw->level = 1;
  elapse(50ms);
  CAF_CHECK(published() == changes{{"button", 1}});
  auto info = ask(line, get_atom_v);
  CAF_CHECK_EQUAL(info->value, 1);
  CAF_CHECK_EQUAL(info->backend, "gpiod");
  CAF_CHECK_EQUAL(info->chip, "gpiochip0");
  CAF_CHECK_EQUAL(info->offset, 17);
}

CAF_TEST(simulate is forbidden on hardware lines) {
  auto line = spawn_line(line_spec("door", gpio_direction::input),
                         std::make_shared<hardware_double_port>(), "gpiod");
  auto res = ask(line, simulate_atom_v, int32_t{1});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::forbidden);
  CAF_CHECK_EQUAL(text_of(res.error()),
                  "GPIO line 'door' is not simulated (backend gpiod)");
}

CAF_TEST(a failed edge reader fails waiting and later simulations) {
  auto line = spawn_sim(line_spec("door", gpio_direction::input));
  auto handle = self->request(line, caf::infinite, simulate_atom_v, int32_t{1});
  consume_messages();
  self->send(line, edge_atom_v, std::string{"reading edge events failed: X"});
  consume_messages();
  handle.receive([&](gpio_info&) { CAF_FAIL("answered without an edge"); },
                 [&](caf::error& err) {
                   CAF_CHECK(code_of(err) == ec::system_error);
                   CAF_CHECK_EQUAL(text_of(err),
                                   "GPIO line 'door': reading edge events "
                                   "failed: X");
                 });
  auto res = ask(line, simulate_atom_v, int32_t{0});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::system_error);
  CAF_CHECK(published().empty());
}

CAF_TEST(a line going down answers the simulations still waiting) {
  auto line = spawn_sim(line_spec("door", gpio_direction::input));
  auto handle = self->request(line, caf::infinite, simulate_atom_v, int32_t{1});
  consume_messages();
  self->send_exit(line, caf::exit_reason::user_shutdown);
  consume_messages();
  handle.receive([&](gpio_info&) { CAF_FAIL("answered without an edge"); },
                 [&](caf::error& err) {
                   CAF_CHECK(code_of(err) == ec::unavailable);
                   CAF_CHECK_EQUAL(text_of(err),
                                   "GPIO line 'door' is shutting down");
                 });
}

CAF_TEST_FIXTURE_SCOPE_END()
