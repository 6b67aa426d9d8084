// Shared values across the cluster on the deterministic scheduler: two
// routers, each node's registry (a map-backed double) behind its replica,
// the master "a" and the clone "b". Writes on either side end up on both,
// the clone answers only once it holds the write, a clone refuses writes
// while the master is lost, and a clone that meets a new start of the
// master catches up with its snapshot, dropping what the master no longer
// has.
#define CAF_SUITE cluster_values

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_cast.hpp>

#include "actors/cluster_router.hpp"
#include "actors/value_replica.hpp"
#include "core/errors.hpp"
#include "fixture.hpp"

using namespace signalbox;
using namespace std::chrono_literals;

namespace {

using values_map = std::map<std::string, value_info>;

/// A node's registry: a map, no store.
value_registry_actor::behavior_type
registry_double(value_registry_actor::pointer,
                std::shared_ptr<values_map> values) {
  return {
      [values](list_atom) {
        std::vector<value_info> xs;
        for (auto& [k, v] : *values)
          xs.push_back(v);
        return xs;
      },
      [values](get_atom, const std::string& key) -> caf::result<value_info> {
        auto i = values->find(key);
        if (i == values->end())
          return make_error(ec::not_found, "no value " + key);
        return i->second;
      },
      [values](put_atom, const std::string& key, const value_write& w) {
        auto added = values->count(key) == 0;
        value_info info{key, w.value, w.persistent, w.notify, w.provider};
        (*values)[key] = info;
        return value_put_result{info, added};
      },
      [values](delete_atom, const std::string& key) -> caf::result<ok_atom> {
        if (values->erase(key) == 0)
          return make_error(ec::not_found, "no value " + key);
        return ok_atom_v;
      },
      [](retire_atom, const std::string&, uint64_t) {},
  };
}

struct node {
  cluster_router_actor router;
  std::shared_ptr<values_map> values = std::make_shared<values_map>();
  value_registry_actor registry;
  value_registry_actor replica;
};

struct fixture : test::deterministic_fixture {
  node spawn_node(const std::string& name,
                  std::shared_ptr<values_map> values = nullptr) {
    node n;
    if (values)
      n.values = values;
    cluster_router_settings rs;
    rs.name = name;
    n.router = sys.spawn(cluster_router, rs);
    self->send(n.router, cluster_join_atom_v, name + ":1",
               std::vector<std::string>{});
    n.registry = sys.spawn(registry_double, n.values);
    value_replica_settings vs;
    vs.self_name = name;
    vs.master = "a";
    vs.timeout = 2s;
    n.replica = caf::actor_cast<value_registry_actor>(
        sys.spawn(value_replica, n.registry, n.router, vs));
    sched.run();
    all.push_back(n);
    return n;
  }

  void link(const node& from, const node& to, const std::string& address) {
    self->send(from.router, cluster_link_atom_v, address,
               caf::actor_cast<caf::strong_actor_ptr>(to.router));
    sched.run();
  }

  caf::expected<value_put_result> put(const node& n, const std::string& key,
                                      const std::string& value,
                                      bool persistent = false) {
    auto pending = self->request(n.replica, caf::infinite, put_atom_v, key,
                                 value_write{value, persistent, true, "api"});
    sched.run();
    caf::expected<value_put_result> result{caf::error{}};
    pending.receive([&](value_put_result& x) { result = std::move(x); },
                    [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  caf::error remove(const node& n, const std::string& key) {
    auto pending = self->request(n.replica, caf::infinite, delete_atom_v, key);
    sched.run();
    caf::error result;
    pending.receive([](ok_atom) {},
                    [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  static std::map<std::string, std::string> contents(const node& n) {
    std::map<std::string, std::string> out;
    for (auto& [k, v] : *n.values)
      out.emplace(k, v.value);
    return out;
  }

  ~fixture() override {
    for (auto& n : all)
      for (auto h : {caf::actor_cast<caf::actor>(n.router),
                     caf::actor_cast<caf::actor>(n.registry),
                     caf::actor_cast<caf::actor>(n.replica)})
        self->send_exit(h, caf::exit_reason::user_shutdown);
    sched.run();
  }

  std::vector<node> all;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_values_tests, fixture)

CAF_TEST(writes on the master and on a clone end up on both) {
  auto a = spawn_node("a");
  auto b = spawn_node("b");
  link(b, a, "a:1");
  auto on_a = put(a, "x", "1", true);
  CAF_REQUIRE(on_a);
  CAF_CHECK(on_a->added);
  auto on_b = put(b, "y", "2");
  CAF_REQUIRE(on_b);
  CAF_CHECK_EQUAL(on_b->info.value, "2");
  std::map<std::string, std::string> both{{"x", "1"}, {"y", "2"}};
  CAF_CHECK_EQUAL(contents(a), both);
  CAF_CHECK_EQUAL(contents(b), both);
  // Flags travel with the value.
  CAF_CHECK(b.values->at("x").persistent);
  CAF_CHECK(!b.values->at("y").persistent);
  CAF_CHECK(!remove(b, "x"));
  CAF_CHECK_EQUAL(contents(a),
                  (std::map<std::string, std::string>{{"y", "2"}}));
  CAF_CHECK_EQUAL(contents(b), contents(a));
  // An error of the master reaches the clone's client.
  auto err = remove(b, "nope");
  CAF_CHECK_EQUAL(err.code(), static_cast<uint8_t>(ec::not_found));
}

CAF_TEST(a clone refuses writes while the master is lost and reads on) {
  auto a = spawn_node("a");
  auto b = spawn_node("b");
  link(b, a, "a:1");
  CAF_REQUIRE(put(b, "x", "1"));
  self->send_exit(a.router, caf::exit_reason::kill);
  sched.run();
  auto refused = put(b, "x", "2");
  CAF_REQUIRE(!refused);
  CAF_CHECK_EQUAL(text_of(refused.error()),
                  "the shared-value master a is unreachable: writes are "
                  "refused until it is back (reads still answer)");
  CAF_CHECK(remove(b, "x"));
  CAF_CHECK_EQUAL(contents(b),
                  (std::map<std::string, std::string>{{"x", "1"}}));
}

CAF_TEST(a clone catches up with a new start of the master) {
  auto a = spawn_node("a");
  auto b = spawn_node("b");
  link(b, a, "a:1");
  CAF_REQUIRE(put(a, "kept", "1", true));
  CAF_REQUIRE(put(a, "lost", "2"));
  CAF_CHECK_EQUAL(contents(b).size(), 2u);
  self->send_exit(a.router, caf::exit_reason::kill);
  self->send_exit(a.replica, caf::exit_reason::kill);
  sched.run();
  // The master comes back with only what it had persisted, plus a value
  // written meanwhile; the clone had one of its own it never got from a.
  auto restarted = std::make_shared<values_map>();
  (*restarted)["kept"] = {"kept", "1", true, true, "api"};
  (*restarted)["new"] = {"new", "3", false, true, "api"};
  (*b.values)["stray"] = {"stray", "9", false, true, "api"};
  auto a2 = spawn_node("a", restarted);
  link(b, a2, "a:1");
  std::map<std::string, std::string> expected{{"kept", "1"}, {"new", "3"}};
  CAF_CHECK_EQUAL(contents(a2), expected);
  CAF_CHECK_EQUAL(contents(b), expected);
  // And writes go through again.
  CAF_CHECK(put(b, "after", "4"));
  CAF_CHECK_EQUAL(contents(a2).count("after"), 1u);
}

CAF_TEST(an unanswered write is refused once its deadline passes) {
  auto a = spawn_node("a");
  auto b = spawn_node("b");
  link(b, a, "a:1");
  // The master's replica is gone but its router still links: nothing
  // answers.
  self->send_exit(a.replica, caf::exit_reason::kill);
  sched.run();
  auto pending =
      self->request(b.replica, caf::infinite, put_atom_v, std::string{"x"},
                    value_write{"1", false, true, "api"});
  sched.run();
  sched.advance_time(2s);
  sched.run();
  bool refused = false;
  pending.receive([](value_put_result&) {},
                  [&](caf::error& err) {
                    refused =
                        err.code() == static_cast<uint8_t>(ec::unavailable);
                  });
  CAF_CHECK(refused);
}

CAF_TEST_FIXTURE_SCOPE_END()
