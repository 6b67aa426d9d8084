// The altoponix relay's actors (docs/socketio.md): the directory of
// monitor ids and the actor of each id, driven as the Socket.IO sessions do,
// with stand-in connections that record the frames the relay emits to them.
#define CAF_SUITE sio_relay
#include <chrono>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "fixture.hpp"
#include "protocols/socketio/sio_directory.hpp"
#include "protocols/socketio/sio_monitor.hpp"

using namespace signalbox;

namespace {

// Real monitor ids are 32 hex digits (the directory does not check them).
const std::string id_a = "672ef79b4d0a4805bc529d1ae44bc26b";
const std::string id_b = "0123456789abcdef0123456789abcdef";

// The exact frames of the original server.
const std::string command_ok = R"(42["command ok",{"reason":"Command ok"}])";
const std::string command_finish =
    R"(42["command finish",{"reason":"Command finish"}])";

std::string command_do(const std::string& command) {
  return R"(42["command do",{"command":")" + command + R"("}])";
}

std::string command_failed(const std::string& reason) {
  return R"(42["command failed",{"reason":")" + reason + R"("}])";
}

using texts = std::vector<std::string>;

struct connection_state {
  std::vector<shared_frame> frames;
  static inline const char* name = "sio_test_connection";
};

using connection_actor = caf::stateful_actor<connection_state>;

/// A stand-in for a Socket.IO session: records every frame it is handed.
caf::behavior test_connection(connection_actor* self) {
  return {
      [=](sio_frame_atom, const shared_frame& frame) {
        self->state.frames.push_back(frame);
      },
  };
}

struct fixture : test::deterministic_fixture {
  using directory_impl = std::remove_pointer_t<
      sio_directory_actor::stateful_pointer<sio_directory_state>>;
  using monitor_impl = std::remove_pointer_t<
      sio_monitor_actor::stateful_pointer<sio_monitor_state>>;

  fixture() {
    directory = spawn_sio_directory(sys, cluster_router_actor{});
    run();
  }

  ~fixture() {
    self->send_exit(directory, caf::exit_reason::user_shutdown);
    for (auto& conn : connections)
      self->send_exit(conn, caf::exit_reason::user_shutdown);
    run();
  }

  /// A new stand-in connection.
  caf::actor connect() {
    auto conn = sys.spawn(test_connection);
    connections.push_back(conn);
    run();
    return conn;
  }

  /// `conn` as the relay's actors see it.
  static sio_sink_actor sink(const caf::actor& conn) {
    return caf::actor_cast<sio_sink_actor>(conn);
  }

  std::vector<shared_frame>& frames(const caf::actor& conn) {
    return deref<connection_actor>(conn).state.frames;
  }

  /// The frames `conn` has received, oldest first, as texts.
  texts received(const caf::actor& conn) {
    texts result;
    for (auto& frame : frames(conn))
      result.push_back(*frame);
    return result;
  }

  sio_directory_state& state() {
    return deref<directory_impl>(directory).state;
  }

  sio_monitor_state& state_of(const caf::actor& id_actor) {
    return deref<monitor_impl>(id_actor).state;
  }

  /// Sends a request to the directory, runs the system and returns the
  /// reply or the error.
  template <class... Ts>
  caf::expected<caf::actor> ask(Ts... xs) {
    caf::expected<caf::actor> result =
        caf::make_error(caf::sec::request_timeout);
    auto hdl = self->request(directory, caf::infinite, xs...);
    run();
    std::move(hdl).receive(
        [&](sio_monitor_actor& x) { result = caf::actor_cast<caf::actor>(x); },
        [&](caf::error& err) { result = err; });
    return result;
  }

  /// A user's successful `query`: the id's actor.
  caf::actor query(const std::string& id, const caf::actor& conn) {
    auto res = ask(sio_user_atom_v, id, sink(conn));
    CAF_REQUIRE(res);
    CAF_REQUIRE(*res != nullptr);
    return *res;
  }

  /// A monitor's successful `con`: the id's actor.
  caf::actor con(const std::string& id, const caf::actor& conn) {
    auto res = ask(sio_monitor_atom_v, id, sink(conn));
    CAF_REQUIRE(res);
    CAF_REQUIRE(*res != nullptr);
    return *res;
  }

  /// Connection `conn` closes and says so.
  void disconnect(const caf::actor& conn) {
    self->send(directory, delete_atom_v, sink(conn));
    run();
  }

  /// Connection `conn` ends without saying so.
  void kill(const caf::actor& conn) {
    self->send_exit(conn, caf::exit_reason::kill);
    run();
  }

  // What sessions send to an id's actor for their connection.
  void command(const caf::actor& id_actor, const std::string& cmd,
               const caf::actor& user) {
    self->send(id_actor, sio_command_atom_v, cmd, sink(user));
    run();
  }
  void done(const caf::actor& id_actor, const caf::actor& monitor) {
    self->send(id_actor, sio_done_atom_v, sink(monitor));
    run();
  }
  void failed(const caf::actor& id_actor, const caf::actor& monitor,
              const std::string& reason) {
    self->send(id_actor, sio_failed_atom_v, sink(monitor), reason);
    run();
  }

  /// Whether actor `x` has terminated: monitoring an ended actor yields its
  /// DOWN message at once, a living one yields nothing.
  bool ended(const caf::actor& x) {
    self->monitor(x);
    run();
    bool down = false;
    self->receive([&](caf::down_msg& msg) { down = msg.source == x.address(); },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return down;
  }

  sio_directory_actor directory;
  std::vector<caf::actor> connections;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(sio_relay_tests, fixture)

CAF_TEST(a command reaches the online monitor and is confirmed) {
  auto user = connect();
  auto monitor = connect();
  auto via_con = con(id_a, monitor);
  auto via_query = query(id_a, user);
  CAF_CHECK_EQUAL(via_con, via_query);
  command(via_query, "light on", user);
  CAF_CHECK_EQUAL(received(monitor), texts{command_do("light on")});
  CAF_CHECK_EQUAL(received(user), texts{command_ok});
}

CAF_TEST(a command to an offline monitor is confirmed and dropped) {
  auto user = connect();
  auto bystander = connect();
  // The original accepts a query for any valid id, online or not.
  auto id_actor = query(id_a, user);
  CAF_CHECK(!state_of(id_actor).monitor);
  command(id_actor, "light on", user);
  CAF_CHECK_EQUAL(received(user), texts{command_ok});
  CAF_CHECK(frames(bystander).empty());
}

CAF_TEST(command ok goes to the sender even when it is not attached) {
  auto user = connect();
  auto monitor = connect();
  auto stranger = connect();
  auto id_actor = con(id_a, monitor);
  query(id_a, user);
  command(id_actor, "pump off", stranger);
  CAF_CHECK_EQUAL(received(monitor), texts{command_do("pump off")});
  CAF_CHECK_EQUAL(received(stranger), texts{command_ok});
  CAF_CHECK(frames(user).empty());
}

CAF_TEST(command do is sent before command ok) {
  // Observable only when the user is its own monitor: one connection gets
  // both frames.
  auto conn = connect();
  con(id_a, conn);
  auto id_actor = query(id_a, conn);
  command(id_actor, "x", conn);
  CAF_CHECK_EQUAL(received(conn), (texts{command_do("x"), command_ok}));
}

CAF_TEST(every attached user gets command finish from one shared frame) {
  auto u1 = connect();
  auto u2 = connect();
  auto other_user = connect();
  auto monitor = connect();
  auto id_actor = con(id_a, monitor);
  query(id_a, u1);
  query(id_a, u2);
  query(id_b, other_user);
  done(id_actor, monitor);
  CAF_CHECK_EQUAL(received(u1), texts{command_finish});
  CAF_CHECK_EQUAL(received(u2), texts{command_finish});
  CAF_CHECK_EQUAL(frames(u1)[0].get(), frames(u2)[0].get());
  // Only the users of this id, and not the monitor itself.
  CAF_CHECK(frames(other_user).empty());
  CAF_CHECK(frames(monitor).empty());
  // No per-command correlation: every done is a finish for everyone.
  done(id_actor, monitor);
  CAF_CHECK_EQUAL(received(u1), (texts{command_finish, command_finish}));
}

CAF_TEST(every attached user gets command failed with the reason) {
  auto u1 = connect();
  auto u2 = connect();
  auto monitor = connect();
  auto id_actor = con(id_a, monitor);
  query(id_a, u1);
  query(id_a, u2);
  failed(id_actor, monitor, "pump jammed");
  CAF_CHECK_EQUAL(received(u1), texts{command_failed("pump jammed")});
  CAF_CHECK_EQUAL(received(u2), texts{command_failed("pump jammed")});
  // Encoded once for all users of this error.
  CAF_CHECK_EQUAL(frames(u1)[0].get(), frames(u2)[0].get());
  CAF_CHECK(frames(monitor).empty());
  // The reason is JSON-escaped into the frame.
  failed(id_actor, monitor, R"(bad "x")");
  CAF_CHECK_EQUAL(received(u1), (texts{command_failed("pump jammed"),
                                       command_failed(R"(bad \"x\")")}));
}

CAF_TEST(
    done and failed from a connection that is not the monitor are ignored) {
  auto user = connect();
  auto monitor = connect();
  auto id_actor = con(id_a, monitor);
  query(id_a, user);
  done(id_actor, user);
  failed(id_actor, user, "spoofed");
  CAF_CHECK(frames(user).empty());
  // A monitor that has left: its late messages are stale.
  disconnect(monitor);
  done(id_actor, monitor);
  failed(id_actor, monitor, "late");
  CAF_CHECK(frames(user).empty());
}

CAF_TEST(a second monitor for an id is refused and the first keeps it) {
  auto first = connect();
  auto second = connect();
  auto user = connect();
  auto id_actor = con(id_a, first);
  auto refused = ask(sio_monitor_atom_v, id_a, sink(second));
  CAF_REQUIRE(!refused);
  CAF_CHECK(code_of(refused.error()) == ec::conflict);
  CAF_CHECK_EQUAL(text_of(refused.error()), "monitor_id already registered");
  // The refused connection is not remembered for anything.
  CAF_CHECK_EQUAL(state().conns.count(second.address()), 0u);
  query(id_a, user);
  command(id_actor, "on", user);
  CAF_CHECK_EQUAL(received(first), texts{command_do("on")});
  CAF_CHECK(frames(second).empty());
}

CAF_TEST(the same monitor registering its id again changes nothing) {
  auto monitor = connect();
  auto user = connect();
  auto id_actor = con(id_a, monitor);
  CAF_CHECK_EQUAL(con(id_a, monitor), id_actor);
  CAF_CHECK_EQUAL(state().ids.size(), 1u);
  CAF_CHECK_EQUAL(state_of(id_actor).monitor, monitor);
  query(id_a, user);
  command(id_actor, "on", user);
  CAF_CHECK_EQUAL(received(monitor), texts{command_do("on")});
}

CAF_TEST(a monitor that disconnects frees its id and users stay attached) {
  auto user = connect();
  auto old_monitor = connect();
  auto new_monitor = connect();
  auto id_actor = query(id_a, user);
  con(id_a, old_monitor);
  disconnect(old_monitor);
  CAF_CHECK(!state().ids.at(id_a).monitor);
  CAF_CHECK_EQUAL(state().conns.count(old_monitor.address()), 0u);
  // Users are not told; their commands are confirmed and dropped.
  command(id_actor, "while away", user);
  CAF_CHECK_EQUAL(received(user), texts{command_ok});
  CAF_CHECK(frames(old_monitor).empty());
  // The id is free for a new monitor; the user's handle still routes.
  con(id_a, new_monitor);
  command(id_actor, "back", user);
  CAF_CHECK_EQUAL(received(new_monitor), texts{command_do("back")});
  done(id_actor, new_monitor);
  CAF_CHECK_EQUAL(received(user),
                  (texts{command_ok, command_ok, command_finish}));
  CAF_CHECK(frames(old_monitor).empty());
}

CAF_TEST(a monitor that goes down frees its id like one that disconnects) {
  auto user = connect();
  auto old_monitor = connect();
  auto new_monitor = connect();
  auto id_actor = query(id_a, user);
  con(id_a, old_monitor);
  kill(old_monitor);
  CAF_CHECK(!state().ids.at(id_a).monitor);
  CAF_CHECK_EQUAL(state().conns.count(old_monitor.address()), 0u);
  CAF_CHECK(!state_of(id_actor).monitor);
  con(id_a, new_monitor);
  command(id_actor, "back", user);
  CAF_CHECK_EQUAL(received(new_monitor), texts{command_do("back")});
}

CAF_TEST(a user that queries another id leaves the old one) {
  auto user = connect();
  auto monitor_a = connect();
  auto monitor_b = connect();
  auto actor_a = con(id_a, monitor_a);
  auto actor_b = con(id_b, monitor_b);
  query(id_a, user);
  query(id_b, user);
  CAF_CHECK_EQUAL(state().ids.at(id_a).users, 0u);
  CAF_CHECK_EQUAL(state().ids.at(id_b).users, 1u);
  CAF_CHECK(state_of(actor_a).users.empty());
  done(actor_a, monitor_a);
  CAF_CHECK(frames(user).empty());
  done(actor_b, monitor_b);
  CAF_CHECK_EQUAL(received(user), texts{command_finish});
}

CAF_TEST(a user that queries its id again is attached once) {
  auto user = connect();
  auto monitor = connect();
  auto id_actor = con(id_a, monitor);
  CAF_CHECK_EQUAL(query(id_a, user), id_actor);
  CAF_CHECK_EQUAL(query(id_a, user), id_actor);
  CAF_CHECK_EQUAL(state().ids.at(id_a).users, 1u);
  done(id_actor, monitor);
  CAF_CHECK_EQUAL(received(user), texts{command_finish});
}

CAF_TEST(the actor of an id ends once its last user and monitor are gone) {
  auto user = connect();
  auto monitor = connect();
  auto id_actor = query(id_a, user);
  con(id_a, monitor);
  disconnect(monitor);
  // A user still holds the id.
  CAF_CHECK(!ended(id_actor));
  disconnect(user);
  CAF_CHECK(ended(id_actor));
  CAF_CHECK(state().ids.empty());
  CAF_CHECK(state().conns.empty());
  // The id starts over with a fresh actor.
  auto again = query(id_a, user);
  CAF_CHECK_NOT_EQUAL(again, id_actor);
}

CAF_TEST(the actor of an id ends when its only user goes down) {
  auto user = connect();
  auto id_actor = query(id_a, user);
  kill(user);
  CAF_CHECK(ended(id_actor));
  CAF_CHECK(state().ids.empty());
  CAF_CHECK(state().conns.empty());
}

CAF_TEST(the actor of an id a user left ends) {
  auto user = connect();
  auto old_actor = query(id_a, user);
  query(id_b, user);
  CAF_CHECK(ended(old_actor));
  CAF_CHECK_EQUAL(state().ids.count(id_a), 0u);
  CAF_CHECK_EQUAL(state().ids.count(id_b), 1u);
}

CAF_TEST(a monitor registering a new id frees the old one) {
  auto monitor = connect();
  auto user = connect();
  auto successor = connect();
  auto old_actor = con(id_a, monitor);
  auto new_actor = con(id_b, monitor);
  CAF_CHECK_NOT_EQUAL(old_actor, new_actor);
  // Nobody used the old id: its actor ends and anyone may take it.
  CAF_CHECK(ended(old_actor));
  CAF_CHECK_EQUAL(state().ids.count(id_a), 0u);
  CAF_CHECK_EQUAL(state().conns.at(monitor.address()).monitor_of, id_b);
  auto taken = con(id_a, successor);
  query(id_a, user);
  command(taken, "on", user);
  CAF_CHECK_EQUAL(received(successor), texts{command_do("on")});
  CAF_CHECK(frames(monitor).empty());
}

CAF_TEST(a monitor moving to another id leaves its old users behind) {
  auto monitor = connect();
  auto user = connect();
  auto old_actor = con(id_a, monitor);
  query(id_a, user);
  con(id_b, monitor);
  // The old id lives on for its user, without a monitor.
  CAF_CHECK(!ended(old_actor));
  CAF_CHECK(!state_of(old_actor).monitor);
  done(old_actor, monitor);
  command(old_actor, "on", user);
  CAF_CHECK_EQUAL(received(user), texts{command_ok});
  CAF_CHECK(frames(monitor).empty());
}

CAF_TEST(one connection may be user and monitor at once) {
  auto conn = connect();
  auto other_user = connect();
  auto as_monitor = con(id_a, conn);
  auto as_user = query(id_a, conn);
  CAF_CHECK_EQUAL(as_monitor, as_user);
  query(id_a, other_user);
  done(as_monitor, conn);
  CAF_CHECK_EQUAL(received(conn), texts{command_finish});
  CAF_CHECK_EQUAL(received(other_user), texts{command_finish});
  // Both roles are tracked under one entry.
  CAF_CHECK_EQUAL(state().conns.size(), 2u);
  CAF_CHECK_EQUAL(state().ids.at(id_a).users, 2u);
  disconnect(conn);
  CAF_CHECK(!state().ids.at(id_a).monitor);
  CAF_CHECK_EQUAL(state().ids.at(id_a).users, 1u);
  disconnect(other_user);
  CAF_CHECK(ended(as_monitor));
  CAF_CHECK(state().ids.empty());
  CAF_CHECK(state().conns.empty());
}

CAF_TEST(a user of one id may be the monitor of another) {
  auto conn = connect();
  auto monitor_a = connect();
  auto actor_a = con(id_a, monitor_a);
  query(id_a, conn);
  auto actor_b = con(id_b, conn);
  kill(conn);
  CAF_CHECK(ended(actor_b));
  CAF_CHECK(!ended(actor_a));
  CAF_CHECK_EQUAL(state().ids.at(id_a).users, 0u);
  CAF_CHECK_EQUAL(state().conns.size(), 1u);
}

CAF_TEST(empty ids and missing connections are refused) {
  auto conn = connect();
  for (auto& res : {ask(sio_user_atom_v, std::string{}, sink(conn)),
                    ask(sio_monitor_atom_v, std::string{}, sink(conn)),
                    ask(sio_user_atom_v, id_a, sio_sink_actor{}),
                    ask(sio_monitor_atom_v, id_a, sio_sink_actor{})}) {
    CAF_REQUIRE(!res);
    CAF_CHECK(code_of(res.error()) == ec::invalid_argument);
  }
  CAF_CHECK(state().ids.empty());
  CAF_CHECK(state().conns.empty());
}

CAF_TEST(an unknown connection disconnecting changes nothing) {
  auto user = connect();
  auto stranger = connect();
  auto id_actor = query(id_a, user);
  disconnect(stranger);
  CAF_CHECK_EQUAL(state().ids.at(id_a).users, 1u);
  CAF_CHECK(!ended(id_actor));
}

CAF_TEST(a connection that returns after leaving is monitored again) {
  auto conn = connect();
  query(id_a, conn);
  disconnect(conn);
  CAF_REQUIRE(state().conns.empty());
  auto id_actor = con(id_b, conn);
  kill(conn);
  CAF_CHECK(ended(id_actor));
  CAF_CHECK(state().ids.empty());
  CAF_CHECK(state().conns.empty());
}

CAF_TEST(id actors end with the directory) {
  auto user = connect();
  auto id_actor = query(id_a, user);
  self->send_exit(directory, caf::exit_reason::user_shutdown);
  run();
  CAF_CHECK(ended(id_actor));
}

CAF_TEST(an id actor counts a user attached twice once) {
  // The directory never does this; the actor is robust anyway.
  auto user = connect();
  auto monitor = connect();
  auto id_actor = caf::actor_cast<caf::actor>(
      sys.spawn(sio_monitor, id_a, cluster_router_actor{}));
  self->send(id_actor, sio_monitor_atom_v, put_atom_v, sink(monitor));
  self->send(id_actor, sio_user_atom_v, put_atom_v, sink(user));
  self->send(id_actor, sio_user_atom_v, put_atom_v, sink(user));
  run();
  CAF_CHECK_EQUAL(state_of(id_actor).id, id_a);
  CAF_CHECK(state_of(id_actor).users ==
            std::vector<sio_sink_actor>{sink(user)});
  done(id_actor, monitor);
  CAF_CHECK_EQUAL(received(user), texts{command_finish});
  self->send(id_actor, sio_user_atom_v, delete_atom_v, sink(user));
  done(id_actor, monitor);
  CAF_CHECK_EQUAL(received(user), texts{command_finish});
  self->send(id_actor, delete_atom_v);
  run();
  CAF_CHECK(ended(id_actor));
}

CAF_TEST_FIXTURE_SCOPE_END()
