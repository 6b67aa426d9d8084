#define CAF_SUITE shared_values
#include <caf/group_manager.hpp>

#include "actors/shared_value.hpp"
#include "actors/value_registry.hpp"
#include "core/errors.hpp"
#include "fixture.hpp"
#include "store/value_records.hpp"

using namespace signalbox;

namespace {

// A store_actor that keeps tables in memory and holds every write until the
// test releases it with commit_atom, so the tests can observe what happens
// before and after a commit. (The real LMDB store has its own suite.)
struct held_store_state {
  std::map<std::string, std::map<std::string, std::string>> tables;
  std::vector<std::function<void()>> uncommitted;
  bool hold = false;
  static inline const char* name = "held_store";
};

using held_store_pointer = store_actor::stateful_pointer<held_store_state>;

store_actor::behavior_type held_store(held_store_pointer self) {
  auto defer = [self](std::function<void()> write) {
    self->state.uncommitted.push_back(std::move(write));
    if (!self->state.hold)
      self->send(self, commit_atom_v);
  };
  return {
      [=](put_atom, std::string& table, std::string& key,
          std::string& value) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        defer([=]() mutable {
          self->state.tables[table][key] = value;
          rp.deliver(ok_atom_v);
        });
        return rp;
      },
      [=](delete_atom, std::string& table,
          std::string& key) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        defer([=]() mutable {
          rp.deliver(self->state.tables[table].erase(key) > 0);
        });
        return rp;
      },
      [=](get_atom, std::string& table) {
        std::vector<store_record> out;
        for (auto& [k, v] : self->state.tables[table])
          out.push_back({k, v});
        return out;
      },
      [=](get_atom, std::string& table,
          std::string& key) -> caf::result<std::string> {
        auto& t = self->state.tables[table];
        auto i = t.find(key);
        if (i == t.end())
          return make_error(ec::not_found);
        return i->second;
      },
      [=](put_atom, std::string& table,
          std::vector<store_record>& records) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        defer([=]() mutable {
          for (auto& r : records)
            self->state.tables[table][r.key] = r.value;
          rp.deliver(ok_atom_v);
        });
        return rp;
      },
      [=](put_atom, std::string& table,
          store_batch& batch) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        defer([=]() mutable {
          for (size_t i = 0; i < batch.size(); ++i)
            self->state.tables[table][std::string{batch.key(i)}] =
                std::string{batch.value(i)};
          rp.deliver(ok_atom_v);
        });
        return rp;
      },
      [=](delete_atom, std::string& table, std::string& from,
          std::string& to) -> caf::result<uint64_t> {
        auto rp = self->make_response_promise<uint64_t>();
        defer([=]() mutable {
          auto& t = self->state.tables[table];
          auto first = t.lower_bound(from);
          auto last = t.lower_bound(to);
          auto n = static_cast<uint64_t>(std::distance(first, last));
          t.erase(first, last);
          rp.deliver(n);
        });
        return rp;
      },
      [=](get_atom, std::string& table, std::string& from, std::string& to,
          uint64_t limit, bool reverse) {
        std::vector<store_record> out;
        auto& t = self->state.tables[table];
        auto first = t.lower_bound(from);
        auto last = to.empty() ? t.end() : t.lower_bound(to);
        for (auto i = first; i != last; ++i)
          out.push_back({i->first, i->second});
        if (reverse)
          std::reverse(out.begin(), out.end());
        if (limit > 0 && out.size() > limit)
          out.resize(limit);
        return out;
      },
      [=](flush_atom) { return ok_atom_v; },
      [=](commit_atom) {
        auto writes = std::move(self->state.uncommitted);
        self->state.uncommitted.clear();
        for (auto& f : writes)
          f();
      },
  };
}

struct fixture : test::deterministic_fixture {
  fixture() {
    store = sys.spawn(held_store);
    registry =
        sys.spawn(value_registry, store, opts, std::vector<value_info>{});
    self->join(sys.groups().get_local(groups::values));
    run();
  }

  ~fixture() {
    self->send_exit(registry, caf::exit_reason::user_shutdown);
    self->send_exit(store, caf::exit_reason::user_shutdown);
    run();
  }

  held_store_state& store_state() {
    return deref<std::remove_pointer_t<held_store_pointer>>(store).state;
  }

  value_registry_state& registry_state() {
    using impl = std::remove_pointer_t<
        value_registry_actor::stateful_pointer<value_registry_state>>;
    return deref<impl>(registry).state;
  }

  /// Sends a request, runs the system and returns the reply or the error.
  template <class Result, class... Ts>
  caf::expected<Result> ask(Ts... xs) {
    caf::expected<Result> result = caf::make_error(caf::sec::request_timeout);
    auto hdl = self->request(registry, caf::infinite, xs...);
    run();
    std::move(hdl).receive([&](Result& x) { result = std::move(x); },
                           [&](caf::error& err) { result = err; });
    return result;
  }

  /// The dbchange events published since the last call.
  std::vector<value_changed> published() {
    std::vector<value_changed> out;
    bool more = true;
    while (more) {
      self->receive(
          [&](notify_atom, const notification_ptr& n) {
            out.push_back(std::get<value_changed>(n->event()));
          },
          caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    }
    return out;
  }

  value_write write(std::string value, bool persistent = false,
                    bool notify = true) {
    return value_write{std::move(value), persistent, notify, "test"};
  }

  value_options opts;
  store_actor store;
  value_registry_actor registry;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(shared_value_tests, fixture)

CAF_TEST(the first write adds and later writes update) {
  auto first = ask<value_put_result>(put_atom_v, std::string{"k"}, write("a"));
  CAF_REQUIRE(first);
  CAF_CHECK_EQUAL(first->added, true);
  CAF_CHECK_EQUAL(first->info.value, "a");
  CAF_CHECK_EQUAL(first->info.provider, "test");
  auto second = ask<value_put_result>(put_atom_v, std::string{"k"}, write("b"));
  CAF_REQUIRE(second);
  CAF_CHECK_EQUAL(second->added, false);
  auto events = published();
  CAF_REQUIRE_EQUAL(events.size(), 2u);
  CAF_CHECK(events[0].reason == value_change::added);
  CAF_CHECK_EQUAL(events[0].value, "a");
  CAF_CHECK(events[1].reason == value_change::updated);
  CAF_CHECK_EQUAL(events[1].value, "b");
  // Not persistent: the store never saw it.
  CAF_CHECK(store_state().tables["values"].empty());
  auto got = ask<value_info>(get_atom_v, std::string{"k"});
  CAF_REQUIRE(got);
  CAF_CHECK_EQUAL(got->value, "b");
}

CAF_TEST(notify false suppresses the notification but keeps the value) {
  auto res = ask<value_put_result>(put_atom_v, std::string{"quiet"},
                                   write("x", false, false));
  CAF_REQUIRE(res);
  CAF_CHECK(published().empty());
  CAF_CHECK_EQUAL(ask<value_info>(get_atom_v, std::string{"quiet"})->value,
                  "x");
  CAF_REQUIRE(ask<ok_atom>(delete_atom_v, std::string{"quiet"}));
  CAF_CHECK(published().empty());
}

CAF_TEST(a persistent write is answered and published only after the commit) {
  store_state().hold = true;
  auto hdl = self->request(registry, caf::infinite, put_atom_v,
                           std::string{"p"}, write("v1", true));
  run();
  // The write waits in the store: no answer, no notification yet.
  CAF_CHECK_EQUAL(store_state().uncommitted.size(), 1u);
  CAF_CHECK(published().empty());
  bool answered = false;
  self->receive([&](value_put_result&) { answered = true; },
                [&](caf::error&) { answered = true; },
                caf::after(std::chrono::seconds(0)) >> [] {});
  CAF_CHECK(!answered);
  self->send(store, commit_atom_v);
  run();
  std::move(hdl).receive(
      [&](value_put_result& x) {
        answered = true;
        CAF_CHECK_EQUAL(x.added, true);
        CAF_CHECK_EQUAL(x.info.persistent, true);
      },
      [&](caf::error& err) { CAF_FAIL("unexpected error: " << err); });
  CAF_CHECK(answered);
  auto events = published();
  CAF_REQUIRE_EQUAL(events.size(), 1u);
  CAF_CHECK_EQUAL(events[0].value, "v1");
  auto stored = value_records::decode("p", store_state().tables["values"]["p"]);
  CAF_REQUIRE(stored);
  CAF_CHECK_EQUAL(stored->value, "v1");
}

CAF_TEST(writes of one key reach the store in the order they were made) {
  store_state().hold = true;
  for (auto v : {"1", "2", "3"})
    self->send(registry, put_atom_v, std::string{"ordered"}, write(v, true));
  run();
  // One write at a time: the key actor awaits each commit.
  CAF_CHECK_EQUAL(store_state().uncommitted.size(), 1u);
  for (int i = 0; i < 3; ++i) {
    self->send(store, commit_atom_v);
    run();
  }
  CAF_CHECK_EQUAL(value_records::decode(
                      "ordered", store_state().tables["values"]["ordered"])
                      ->value,
                  "3");
  auto events = published();
  CAF_REQUIRE_EQUAL(events.size(), 3u);
  CAF_CHECK_EQUAL(events[2].value, "3");
}

CAF_TEST(making a value non - persistent removes the stored copy) {
  CAF_REQUIRE(
      ask<value_put_result>(put_atom_v, std::string{"m"}, write("a", true)));
  CAF_CHECK_EQUAL(store_state().tables["values"].count("m"), 1u);
  CAF_REQUIRE(
      ask<value_put_result>(put_atom_v, std::string{"m"}, write("b", false)));
  CAF_CHECK_EQUAL(store_state().tables["values"].count("m"), 0u);
}

CAF_TEST(removal publishes an empty value and retires the key actor) {
  CAF_REQUIRE(
      ask<value_put_result>(put_atom_v, std::string{"gone"}, write("x", true)));
  published();
  auto key_actor = registry_state().keys.at("gone").actor;
  self->monitor(key_actor);
  CAF_REQUIRE(ask<ok_atom>(delete_atom_v, std::string{"gone"}));
  auto events = published();
  CAF_REQUIRE_EQUAL(events.size(), 1u);
  CAF_CHECK(events[0].reason == value_change::removed);
  CAF_CHECK_EQUAL(events[0].value, "");
  CAF_CHECK_EQUAL(store_state().tables["values"].count("gone"), 0u);
  CAF_CHECK_EQUAL(registry_state().keys.count("gone"), 0u);
  // The retired key actor is really gone, not just forgotten.
  bool down = false;
  self->receive([&](caf::down_msg& msg) { down = msg.source == key_actor; },
                caf::after(std::chrono::seconds(0)) >> [] {});
  CAF_CHECK(down);
  auto missing = ask<value_info>(get_atom_v, std::string{"gone"});
  CAF_REQUIRE(!missing);
  CAF_CHECK(code_of(missing.error()) == ec::not_found);
  auto again = ask<ok_atom>(delete_atom_v, std::string{"gone"});
  CAF_REQUIRE(!again);
  CAF_CHECK(code_of(again.error()) == ec::not_found);
}

CAF_TEST(a write racing a removal is neither lost nor reordered) {
  CAF_REQUIRE(ask<value_put_result>(put_atom_v, std::string{"race"},
                                    write("old", true)));
  store_state().hold = true;
  self->send(registry, delete_atom_v, std::string{"race"});
  self->send(registry, put_atom_v, std::string{"race"}, write("new", true));
  run();
  while (!store_state().uncommitted.empty()) {
    self->send(store, commit_atom_v);
    run();
  }
  auto stored = store_state().tables["values"].find("race");
  CAF_REQUIRE(stored != store_state().tables["values"].end());
  CAF_CHECK_EQUAL(value_records::decode("race", stored->second)->value, "new");
  store_state().hold = false;
  CAF_CHECK_EQUAL(ask<value_info>(get_atom_v, std::string{"race"})->value,
                  "new");
  CAF_CHECK_EQUAL(registry_state().keys.count("race"), 1u);
}

CAF_TEST(list answers the present values in key order) {
  for (auto k : {"b", "a", "c"})
    CAF_REQUIRE(ask<value_put_result>(put_atom_v, std::string{k}, write(k)));
  CAF_REQUIRE(ask<ok_atom>(delete_atom_v, std::string{"c"}));
  auto all = ask<std::vector<value_info>>(list_atom_v);
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 2u);
  CAF_CHECK_EQUAL((*all)[0].key, "a");
  CAF_CHECK_EQUAL((*all)[1].key, "b");
}

CAF_TEST(writes are validated against the limits) {
  auto code = [&](std::string key, std::string value) {
    auto res = ask<value_put_result>(put_atom_v, std::move(key),
                                     write(std::move(value)));
    return res ? ec::none : code_of(res.error());
  };
  CAF_CHECK(code("", "x") == ec::invalid_argument);
  CAF_CHECK(code(std::string(opts.max_key_bytes + 1, 'k'), "x") ==
            ec::invalid_argument);
  CAF_CHECK(code(std::string(opts.max_key_bytes, 'k'), "x") == ec::none);
  CAF_CHECK(code("v", std::string(opts.max_value_bytes + 1, 'v')) ==
            ec::invalid_argument);
  CAF_CHECK(code("v", std::string(opts.max_value_bytes, 'v')) == ec::none);
  CAF_CHECK(code("bad\xff", "x") == ec::invalid_argument);
  CAF_CHECK(code("k2", "bad\xc0\x80") == ec::invalid_argument);
  CAF_CHECK(published().size() == 2u);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(value records round - trip and reject what they do not know) {
  value_info x{"k", "v \"q\"", true, false, "job:1"};
  auto rec = value_records::encode(x);
  auto back = value_records::decode("k", rec);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->value, x.value);
  CAF_CHECK_EQUAL(back->notify, false);
  CAF_CHECK_EQUAL(back->provider, "job:1");
  CAF_CHECK_EQUAL(back->persistent, true);
  CAF_CHECK(!value_records::decode("k", "not json"));
  CAF_CHECK(!value_records::decode(
      "k", R"({"v":2,"value":"x","notify":true,"provider":""})"));
  CAF_CHECK(!value_records::decode(
      "k", R"({"v":1,"value":1,"notify":true,"provider":""})"));
  CAF_CHECK(!value_records::decode("k", R"({"v":1,"value":"x"})"));
}
