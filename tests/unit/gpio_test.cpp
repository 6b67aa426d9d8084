// The GPIO lines as the node runs them: spawn_gpio with a real actor system
// and a real io_context thread, simulated inputs whose edges travel the pipe
// and the Asio reader, the registry's requests, and the start-up errors of
// the libgpiod backend on a machine without GPIO chips. Everything crosses
// threads, so the test waits for messages with timeouts, never with sleeps.
#define CAF_SUITE gpio

#include <chrono>
#include <filesystem>
#include <optional>
#include <variant>

#include <caf/test/unit_test.hpp>

#include "actors/gpio_line.hpp"
#include "actors/gpio_registry.hpp"
#include "core/errors.hpp"
#include "fixture.hpp"
#include "gpio_test_support.hpp"

using namespace signalbox;
using namespace signalbox::test;
using namespace std::chrono_literals;

namespace {

using change = std::pair<std::string, int32_t>;

struct fixture {
  // Declared first, destroyed last: the actor system waits for every actor
  // to finish, and their readers close on this io_context.
  io_thread loop;
  test::config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};

  fixture() { self->join(sys.groups().get_local(groups::gpio)); }

  gpio_options demo_options() {
    gpio_options opts;
    auto relay = line_spec("relay-a", gpio_direction::output);
    relay.initial = 1;
    opts.lines = {relay, line_spec("door", gpio_direction::input),
                  line_spec("button", gpio_direction::input, 400)};
    return opts;
  }

  gpio_registry_actor spawn_demo() {
    auto registry = spawn_gpio(sys, loop.io(), demo_options());
    CAF_REQUIRE(registry);
    return *registry;
  }

  template <class Handle, class... Ts>
  caf::expected<gpio_info> ask(const Handle& dest, Ts... xs) {
    caf::expected<gpio_info> result{caf::error{}};
    self->request(dest, 10s, xs...)
        .receive([&](gpio_info& info) { result = std::move(info); },
                 [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// The next gpioupdate, waiting up to 10 s for it.
  change next_change() {
    change result;
    self->receive(
        [&](notify_atom, const notification_ptr& n) {
          auto& x = std::get<gpio_changed>(n->event());
          result = {x.name, x.value};
        },
        caf::after(10s) >> [] { CAF_FAIL("no gpioupdate within 10 s"); });
    return result;
  }

  /// A gpioupdate that is already in the mailbox, without waiting.
  std::optional<change> change_already_published() {
    std::optional<change> result;
    self->receive(
        [&](notify_atom, const notification_ptr& n) {
          auto& x = std::get<gpio_changed>(n->event());
          result = change{x.name, x.value};
        },
        caf::after(0s) >> [] {});
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(gpio_tests, fixture)

CAF_TEST(list answers every line in configuration order) {
  auto registry = spawn_demo();
  std::vector<gpio_info> infos;
  self->request(registry, 10s, list_atom_v)
      .receive([&](std::vector<gpio_info>& xs) { infos = std::move(xs); },
               [&](caf::error& err) { CAF_FAIL(caf::to_string(err)); });
  CAF_REQUIRE_EQUAL(infos.size(), 3u);
  CAF_CHECK_EQUAL(infos[0].name, "relay-a");
  CAF_CHECK(infos[0].direction == gpio_direction::output);
  CAF_CHECK_EQUAL(infos[0].value, 1); // its initial value
  CAF_CHECK_EQUAL(infos[1].name, "door");
  CAF_CHECK(infos[1].direction == gpio_direction::input);
  CAF_CHECK_EQUAL(infos[1].value, 0);
  CAF_CHECK_EQUAL(infos[2].name, "button");
  CAF_CHECK_EQUAL(infos[2].debounce_ms, 400u);
  for (auto& info : infos)
    CAF_CHECK_EQUAL(info.backend, "simulated");
}

CAF_TEST(simulate publishes the gpioupdate before it answers) {
  auto registry = spawn_demo();
  auto info = ask(registry, simulate_atom_v, std::string{"door"}, int32_t{1});
  CAF_REQUIRE(info);
  CAF_CHECK_EQUAL(info->value, 1);
  // Group delivery is synchronous: a publication made before the answer is
  // in the mailbox by the time the answer is.
  CAF_CHECK(change_already_published() == change("door", 1));
  auto now = ask(registry, get_atom_v, std::string{"door"});
  CAF_REQUIRE(now);
  CAF_CHECK_EQUAL(now->value, 1);
}

CAF_TEST(simulating the same value twice publishes once) {
  auto registry = spawn_demo();
  CAF_REQUIRE(ask(registry, simulate_atom_v, std::string{"door"}, int32_t{1}));
  CAF_CHECK(next_change() == change("door", 1));
  auto info = ask(registry, simulate_atom_v, std::string{"door"}, int32_t{1});
  CAF_REQUIRE(info);
  CAF_CHECK_EQUAL(info->value, 1);
  CAF_CHECK(!change_already_published());
  CAF_REQUIRE(ask(registry, simulate_atom_v, std::string{"door"}, int32_t{0}));
  CAF_CHECK(next_change() == change("door", 0));
}

CAF_TEST(put on an output publishes every change) {
  auto registry = spawn_demo();
  auto info = ask(registry, put_atom_v, std::string{"relay-a"}, int32_t{0});
  CAF_REQUIRE(info);
  CAF_CHECK_EQUAL(info->value, 0);
  CAF_CHECK(change_already_published() == change("relay-a", 0));
  info = ask(registry, put_atom_v, std::string{"relay-a"}, int32_t{0});
  CAF_REQUIRE(info);
  CAF_CHECK(!change_already_published());
  CAF_REQUIRE(ask(registry, put_atom_v, std::string{"relay-a"}, int32_t{1}));
  CAF_CHECK(change_already_published() == change("relay-a", 1));
}

CAF_TEST(requests that contradict a line fail with clear errors) {
  auto registry = spawn_demo();
  auto res = ask(registry, put_atom_v, std::string{"door"}, int32_t{1});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::conflict);
  CAF_CHECK_EQUAL(text_of(res.error()), "GPIO line 'door' is an input");
  res = ask(registry, put_atom_v, std::string{"relay-a"}, int32_t{7});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::invalid_argument);
  res = ask(registry, simulate_atom_v, std::string{"relay-a"}, int32_t{1});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::conflict);
  CAF_CHECK(!change_already_published());
}

CAF_TEST(unknown line names are not found) {
  auto registry = spawn_demo();
  auto check_not_found = [](const caf::expected<gpio_info>& res) {
    CAF_REQUIRE(!res);
    CAF_CHECK(code_of(res.error()) == ec::not_found);
    CAF_CHECK_EQUAL(text_of(res.error()), "no GPIO line named 'nope'");
  };
  check_not_found(ask(registry, get_atom_v, std::string{"nope"}));
  check_not_found(ask(registry, put_atom_v, std::string{"nope"}, int32_t{1}));
  check_not_found(
      ask(registry, simulate_atom_v, std::string{"nope"}, int32_t{1}));
}

CAF_TEST(a debounced burst publishes only its final value) {
  auto registry = spawn_demo();
  // Five edges well within the 400 ms period: the contact bounces and ends
  // high. Every request is answered once the line settled, with the
  // settled value.
  std::vector<decltype(self->request(registry, 10s, simulate_atom_v,
                                     std::string{}, int32_t{}))>
      handles;
  for (int32_t value : {1, 0, 1, 0, 1})
    handles.push_back(self->request(registry, 10s, simulate_atom_v,
                                    std::string{"button"}, value));
  for (auto& handle : handles)
    handle.receive([](gpio_info& info) { CAF_CHECK_EQUAL(info.value, 1); },
                   [](caf::error& err) { CAF_FAIL(caf::to_string(err)); });
  CAF_CHECK(change_already_published() == change("button", 1));
  CAF_CHECK(!change_already_published());
  // The next publication is the next change, not a leftover of the burst.
  CAF_REQUIRE(
      ask(registry, simulate_atom_v, std::string{"button"}, int32_t{0}));
  CAF_CHECK(change_already_published() == change("button", 0));
}

CAF_TEST(edges of a hardware line travel the reader into the actor) {
  // The libgpiod port cannot be built without a chip; this double has its
  // shape (not simulated, an event fd yielding kernel records) so that the
  // non-simulated path runs with the real reader on the real io thread.
  test_pipe kernel;
  auto hw = std::make_shared<hardware_double_port>(kernel.read_fd);
  kernel.close_read(); // the port and the reader hold their own dups
  auto spec = line_spec("door", gpio_direction::input);
  auto changes = std::make_shared<metrics::counter>();
  auto line = spawn_gpio_line(sys, loop.io(), spec, hw, "gpiod", changes);
  hw.reset();
  write_records(kernel.write_fd, {edge_record(10, true)});
  CAF_CHECK(next_change() == change("door", 1));
  write_records(kernel.write_fd, {edge_record(11, false), edge_record(12, true),
                                  edge_record(13, false)});
  CAF_CHECK(next_change() == change("door", 0));
  CAF_CHECK(next_change() == change("door", 1));
  CAF_CHECK(next_change() == change("door", 0));
  // Every published change was counted (GET /metrics).
  CAF_CHECK_EQUAL(changes->value(), 4u);
  auto res = ask(line, simulate_atom_v, int32_t{1});
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::forbidden);
  // When the line goes down, its port and its reader let go of the fd.
  self->send_exit(line, caf::exit_reason::user_shutdown);
  CAF_CHECK(kernel.wait_readers_gone());
}

CAF_TEST(the gpiod backend rejects a line that does not exist) {
  gpio_options opts;
  opts.backend = "gpiod";
  opts.lines = {line_spec("relay-x", gpio_direction::output)};
  auto res = spawn_gpio(sys, loop.io(), opts);
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::invalid_argument);
  CAF_CHECK_EQUAL(text_of(res.error()),
                  "gpio line 'relay-x': no line named 'relay-x' on any chip");
}

CAF_TEST(the gpiod backend rejects a chip that does not exist) {
  CAF_REQUIRE(!std::filesystem::exists("/dev/gpiochip9"));
  gpio_options opts;
  opts.backend = "gpiod";
  auto spec = line_spec("x", gpio_direction::input);
  spec.chip = "gpiochip9";
  spec.offset = 0;
  opts.lines = {spec};
  auto res = spawn_gpio(sys, loop.io(), opts);
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::invalid_argument);
  CAF_CHECK_EQUAL(text_of(res.error()),
                  "gpio line 'x': chip 'gpiochip9' cannot be opened: No such "
                  "file or directory");
}

CAF_TEST(spawn_gpio rejects unknown backends and repeated names) {
  gpio_options opts;
  opts.backend = "sysfs";
  auto res = spawn_gpio(sys, loop.io(), opts);
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::invalid_argument);
  CAF_CHECK_EQUAL(text_of(res.error()),
                  "unknown GPIO backend 'sysfs' (expected \"simulated\" or "
                  "\"gpiod\")");
  opts = demo_options();
  opts.lines.push_back(line_spec("door", gpio_direction::output));
  res = spawn_gpio(sys, loop.io(), opts);
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == ec::invalid_argument);
  CAF_CHECK_EQUAL(text_of(res.error()), "gpio line 'door' is configured twice");
}

CAF_TEST(no lines make an empty registry) {
  auto registry = spawn_gpio(sys, loop.io(), gpio_options{});
  CAF_REQUIRE(registry);
  self->request(*registry, 10s, list_atom_v)
      .receive([](std::vector<gpio_info>& xs) { CAF_CHECK(xs.empty()); },
               [](caf::error& err) { CAF_FAIL(caf::to_string(err)); });
}

CAF_TEST_FIXTURE_SCOPE_END()
