// The store actor over a real LMDB environment. Most tests run it on CAF's
// deterministic scheduler, where the order of messages is under the test's
// control: that is how they see that a batch is ONE commit and that no write
// is answered before it. The last tests run spawn_store for real (detached).
#define CAF_SUITE store
#include <csignal>
#include <fstream>
#include <sys/resource.h>
#include <utility>

#include <caf/all.hpp>

#include "actors/store.hpp"
#include "core/errors.hpp"
#include "fixture.hpp"

using namespace signalbox;
using signalbox::test::temp_dir;

namespace {

using records = std::vector<std::pair<std::string, std::string>>;

records to_pairs(const std::vector<store_record>& xs) {
  records result;
  for (auto& x : xs)
    result.emplace_back(x.key, x.value);
  return result;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Lowers the file size limit of this process for its lifetime, so that a
// commit really fails in write(2) with EFBIG (SIGXFSZ ignored meanwhile).
class file_size_limit {
public:
  explicit file_size_limit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_limit_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lowered{bytes, old_limit_.rlim_max};
    ::setrlimit(RLIMIT_FSIZE, &lowered);
  }
  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &old_limit_);
    std::signal(SIGXFSZ, old_handler_);
  }
  file_size_limit(const file_size_limit&) = delete;
  file_size_limit& operator=(const file_size_limit&) = delete;

private:
  rlimit old_limit_;
  void (*old_handler_)(int);
};

struct fixture : test::deterministic_fixture {
  temp_dir dir;
  std::shared_ptr<lmdb::env> env;
  store_actor store;

  fixture() { start(options()); }

  ~fixture() { stop(); }

  store_options options() const {
    store_options opts;
    opts.directory = dir.str() + "/data";
    opts.map_size = 1 << 20;
    return opts;
  }

  // Opens the environment and spawns the store on the test scheduler; the
  // fixture keeps a handle on the environment to look at it directly.
  void start(const store_options& opts) {
    env = unbox(open_store_env(opts));
    store = sys.spawn(store_behavior, env);
    run();
  }

  // Shuts the store down and closes the environment.
  void stop() {
    if (store) {
      self->send_exit(store, caf::exit_reason::user_shutdown);
      run();
      store = store_actor{};
    }
    env.reset();
  }

  uint64_t commits() const { return env->stats().write_commits; }

  // Takes the next message of the test's mailbox, which must be a reply of
  // the store of type T.
  template <class T>
  T next_reply() {
    auto* element = self->peek_at_next_mailbox_element();
    if (element == nullptr)
      CAF_FAIL("no reply in the mailbox");
    CAF_REQUIRE(element->sender ==
                caf::actor_cast<caf::strong_actor_ptr>(store));
    auto& content = element->content();
    if (!content.match_elements<T>())
      CAF_FAIL("unexpected reply: " << to_string(content));
    T result = content.get_as<T>(0);
    self->dequeue();
    return result;
  }

  bool no_reply_yet() {
    return self->peek_at_next_mailbox_element() == nullptr;
  }

  // What a separate read-only transaction sees, bypassing the actor.
  records committed(const std::string& table) {
    records result;
    env->begin_read().scan(
        *env->find_table(table), [&](std::string_view k, std::string_view v) {
          result.emplace_back(std::string{k}, std::string{v});
        });
    return result;
  }

  records read_table(const std::string& table) {
    self->send(store, caf::get_atom_v, table);
    run();
    return to_pairs(next_reply<std::vector<store_record>>());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(store_tests, fixture)

CAF_TEST(put and get round trip per table and in key order) {
  self->send(store, caf::put_atom_v, "values", "b", "2");
  self->send(store, caf::put_atom_v, "values", "a", "1");
  self->send(store, caf::put_atom_v, "jobs", "1", "{}");
  run();
  for (int i = 0; i < 3; ++i)
    next_reply<caf::ok_atom>();
  CAF_CHECK(read_table("values") == (records{{"a", "1"}, {"b", "2"}}));
  CAF_CHECK(read_table("jobs") == (records{{"1", "{}"}}));
  CAF_CHECK(read_table("meta").empty());
  self->send(store, caf::get_atom_v, "values", "a");
  run();
  CAF_CHECK_EQUAL(next_reply<std::string>(), "1");
  // Overwrite.
  self->send(store, caf::put_atom_v, "values", "a", "one");
  run();
  next_reply<caf::ok_atom>();
  CAF_CHECK(read_table("values") == (records{{"a", "one"}, {"b", "2"}}));
}

CAF_TEST(a packed batch is written like its records) {
  store_batch b;
  b.key_size = 2;
  b.value_size = 1;
  b.add("k2", "b");
  b.add("k1", "a");
  b.add("k3", "c");
  self->send(store, caf::put_atom_v, "values", "k2", "old");
  self->send(store, caf::put_atom_v, "values", b);
  run();
  next_reply<caf::ok_atom>();
  next_reply<caf::ok_atom>();
  CAF_CHECK(read_table("values") ==
            (records{{"k1", "a"}, {"k2", "b"}, {"k3", "c"}}));
  // Sizes that do not add up, or no key size, are refused whole.
  auto bad = b;
  bad.values.pop_back();
  self->send(store, caf::put_atom_v, "values", bad);
  auto keyless = store_batch{};
  keyless.values = "x";
  self->send(store, caf::put_atom_v, "values", keyless);
  auto long_keys = store_batch{600, 1, std::string(600, 'k'), "v"};
  self->send(store, caf::put_atom_v, "values", long_keys);
  run();
  for (int i = 0; i < 3; ++i) {
    auto err = next_reply<caf::error>();
    CAF_CHECK(code_of(err) == ec::invalid_argument);
  }
  CAF_CHECK_EQUAL(read_table("values").size(), 3u);
}

CAF_TEST(a missing key is not found) {
  self->send(store, caf::get_atom_v, "values", "nope");
  run();
  auto err = next_reply<caf::error>();
  CAF_CHECK(code_of(err) == ec::not_found);
  CAF_CHECK(contains(text_of(err), "nope"));
}

CAF_TEST(writes in the mailbox are one commit answered only after it) {
  const int n = 5;
  auto before = commits();
  for (int i = 0; i < n; ++i)
    self->send(store, caf::put_atom_v, "values", "k" + std::to_string(i), "v");
  self->send(store, caf::delete_atom_v, "values", "k0");
  // Each write joins the batch: nothing is committed or answered yet.
  for (int i = 0; i < n; ++i)
    expect((put_atom, std::string, std::string, std::string),
           from(self).to(store));
  expect((delete_atom, std::string, std::string), from(self).to(store));
  CAF_CHECK(no_reply_yet());
  CAF_CHECK_EQUAL(commits(), before);
  CAF_CHECK(committed("values").empty());
  // The commit_atom the first write sent lands behind all of them.
  expect((commit_atom), from(store).to(store));
  CAF_CHECK_EQUAL(commits(), before + 1);
  CAF_CHECK_EQUAL(committed("values").size(), static_cast<size_t>(n - 1));
  for (int i = 0; i < n; ++i)
    next_reply<caf::ok_atom>();
  // The delete saw the put of its own batch.
  CAF_CHECK_EQUAL(next_reply<bool>(), true);
  CAF_CHECK(no_reply_yet());
  run();
  CAF_CHECK_EQUAL(commits(), before + 1);
}

CAF_TEST(separate batches are separate commits) {
  auto before = commits();
  self->send(store, caf::put_atom_v, "values", "a", "1");
  run();
  next_reply<caf::ok_atom>();
  self->send(store, caf::put_atom_v, "values", "b", "2");
  run();
  next_reply<caf::ok_atom>();
  CAF_CHECK_EQUAL(commits(), before + 2);
}

CAF_TEST(delete answers whether the key existed) {
  self->send(store, caf::put_atom_v, "jobs", "7", "job");
  run();
  next_reply<caf::ok_atom>();
  self->send(store, caf::delete_atom_v, "jobs", "7");
  self->send(store, caf::delete_atom_v, "jobs", "7");
  self->send(store, caf::delete_atom_v, "jobs", "8");
  run();
  CAF_CHECK_EQUAL(next_reply<bool>(), true);
  CAF_CHECK_EQUAL(next_reply<bool>(), false);
  CAF_CHECK_EQUAL(next_reply<bool>(), false);
  CAF_CHECK(read_table("jobs").empty());
}

CAF_TEST(a read commits and answers the pending writes first) {
  auto before = commits();
  self->send(store, caf::put_atom_v, "values", "a", "1");
  self->send(store, caf::get_atom_v, "values", "a");
  expect((put_atom, std::string, std::string, std::string),
         from(self).to(store));
  expect((get_atom, std::string, std::string), from(self).to(store));
  // The read saw its sender's earlier write, which is answered before it.
  next_reply<caf::ok_atom>();
  CAF_CHECK_EQUAL(next_reply<std::string>(), "1");
  CAF_CHECK_EQUAL(commits(), before + 1);
  // The commit_atom of that batch finds nothing left to do.
  expect((commit_atom), from(store).to(store));
  CAF_CHECK_EQUAL(commits(), before + 1);
  CAF_CHECK(no_reply_yet());
  // The same for a read of the whole table.
  self->send(store, caf::put_atom_v, "values", "b", "2");
  self->send(store, caf::get_atom_v, "values");
  expect((put_atom, std::string, std::string, std::string),
         from(self).to(store));
  expect((get_atom, std::string), from(self).to(store));
  next_reply<caf::ok_atom>();
  CAF_CHECK(to_pairs(next_reply<std::vector<store_record>>()) ==
            (records{{"a", "1"}, {"b", "2"}}));
  CAF_CHECK_EQUAL(commits(), before + 2);
}

CAF_TEST(flush commits the pending writes and answers after them) {
  auto before = commits();
  self->send(store, caf::put_atom_v, "meta", "version", "1");
  self->send(store, flush_atom_v);
  expect((put_atom, std::string, std::string, std::string),
         from(self).to(store));
  expect((flush_atom), from(self).to(store));
  next_reply<caf::ok_atom>(); // the put
  next_reply<caf::ok_atom>(); // the flush
  CAF_CHECK_EQUAL(commits(), before + 1);
  CAF_CHECK(committed("meta") == (records{{"version", "1"}}));
  run();
  CAF_CHECK_EQUAL(commits(), before + 1);
}

CAF_TEST(flush makes writes durable without sync) {
  stop();
  auto opts = options();
  opts.sync = false;
  start(opts);
  self->send(store, caf::put_atom_v, "values", "a", "1");
  self->send(store, flush_atom_v);
  run();
  next_reply<caf::ok_atom>();
  next_reply<caf::ok_atom>();
  stop();
  start(options());
  CAF_CHECK(read_table("values") == (records{{"a", "1"}}));
}

CAF_TEST(unknown tables and bad keys are invalid arguments) {
  self->send(store, caf::put_atom_v, "nope", "a", "1");
  self->send(store, caf::delete_atom_v, "nope", "a");
  self->send(store, caf::get_atom_v, "nope");
  self->send(store, caf::get_atom_v, "nope", "a");
  self->send(store, caf::put_atom_v, "values", "", "1");
  self->send(store, caf::put_atom_v, "values", std::string(512, 'k'), "1");
  self->send(store, caf::delete_atom_v, "values", "");
  self->send(store, caf::get_atom_v, "values", "");
  run();
  for (int i = 0; i < 4; ++i) {
    auto err = next_reply<caf::error>();
    CAF_CHECK(code_of(err) == ec::invalid_argument);
    CAF_CHECK(contains(text_of(err), "unknown store table 'nope'"));
  }
  for (int i = 0; i < 4; ++i) {
    auto err = next_reply<caf::error>();
    CAF_CHECK(code_of(err) == ec::invalid_argument);
  }
  // A rejected request is not part of any batch.
  CAF_CHECK(read_table("values").empty());
}

CAF_TEST(data survives a restart of the store) {
  self->send(store, caf::put_atom_v, "jobs", "3", "three");
  run();
  next_reply<caf::ok_atom>();
  stop();
  start(options());
  CAF_CHECK(read_table("jobs") == (records{{"3", "three"}}));
}

CAF_TEST(shutdown commits and answers the pending batch) {
  auto before = commits();
  self->send(store, caf::put_atom_v, "values", "a", "1");
  self->send(store, caf::put_atom_v, "values", "b", "2");
  self->send_exit(store, caf::exit_reason::user_shutdown);
  // The exit message is ahead of the commit_atom the first put sends.
  expect((put_atom, std::string, std::string, std::string),
         from(self).to(store));
  expect((put_atom, std::string, std::string, std::string),
         from(self).to(store));
  CAF_CHECK_EQUAL(commits(), before);
  run();
  next_reply<caf::ok_atom>();
  next_reply<caf::ok_atom>();
  CAF_CHECK_EQUAL(commits(), before + 1);
  CAF_CHECK(committed("values") == (records{{"a", "1"}, {"b", "2"}}));
  store = store_actor{};
}

CAF_TEST(a full map grows and the batch is replayed) {
  stop();
  auto opts = options();
  opts.map_size = 64 * 1024;
  start(opts);
  // 4 MiB in one batch, then more batches: 64 times the initial map.
  const std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 64; ++i)
    self->send(store, caf::put_atom_v, "values", "k" + std::to_string(100 + i),
               chunk);
  self->send(store, caf::delete_atom_v, "values", "k100");
  run();
  for (int i = 0; i < 64; ++i)
    next_reply<caf::ok_atom>();
  // The replay decided the delete again, inside the transaction that
  // committed.
  CAF_CHECK_EQUAL(next_reply<bool>(), true);
  for (int i = 0; i < 8; ++i)
    self->send(store, caf::put_atom_v, "jobs", std::to_string(i),
               chunk + chunk);
  run();
  for (int i = 0; i < 8; ++i)
    next_reply<caf::ok_atom>();
  CAF_CHECK_GREATER(env->stats().map_resizes, 0u);
  CAF_CHECK_GREATER(env->map_size(), 4u * 1024 * 1024);
  auto values = read_table("values");
  CAF_REQUIRE_EQUAL(values.size(), 63u);
  CAF_CHECK_EQUAL(values.front().first, "k101");
  CAF_CHECK(values.front().second == chunk);
  CAF_CHECK_EQUAL(read_table("jobs").size(), 8u);
}

CAF_TEST(a failed commit answers every write of the batch with an error) {
  self->send(store, caf::put_atom_v, "values", "kept", "1");
  run();
  next_reply<caf::ok_atom>();
  auto before = commits();
  {
    // No byte more may be written to data.mdb: the commit must fail.
    auto size = std::filesystem::file_size(options().directory + "/data.mdb");
    file_size_limit limit{static_cast<rlim_t>(size)};
    self->send(store, caf::put_atom_v, "values", "big",
               std::string(1 << 20, 'b'));
    self->send(store, caf::delete_atom_v, "values", "kept");
    run();
  }
  auto put_error = next_reply<caf::error>();
  CAF_MESSAGE("error: " << text_of(put_error));
  CAF_CHECK(code_of(put_error) == ec::storage_failure);
  CAF_CHECK(contains(text_of(put_error), "mdb_txn_commit"));
  CAF_CHECK(contains(text_of(put_error), options().directory));
  auto delete_error = next_reply<caf::error>();
  CAF_CHECK(code_of(delete_error) == ec::storage_failure);
  CAF_CHECK_EQUAL(commits(), before);
  // Nothing of the failed batch happened, and the store goes on.
  self->send(store, caf::put_atom_v, "values", "after", "2");
  run();
  next_reply<caf::ok_atom>();
  CAF_CHECK(read_table("values") == (records{{"after", "2"}, {"kept", "1"}}));
}

CAF_TEST(at store.max - size writes are refused as full until records go) {
  stop();
  auto opts = options();
  opts.map_size = 64 * 1024;
  opts.max_size = 256 * 1024;
  start(opts);
  const std::string chunk(16 * 1024, 'x');
  int acknowledged = 0;
  caf::error refusal;
  for (int i = 0; i < 100 && !refusal; ++i) {
    self->send(store, caf::put_atom_v, "values", "k" + std::to_string(100 + i),
               chunk);
    run();
    auto* element = self->peek_at_next_mailbox_element();
    CAF_REQUIRE(element != nullptr);
    if (element->content().match_elements<caf::error>())
      refusal = next_reply<caf::error>();
    else {
      next_reply<caf::ok_atom>();
      ++acknowledged;
    }
  }
  CAF_REQUIRE(refusal);
  CAF_MESSAGE("after " << acknowledged << " writes: " << text_of(refusal));
  CAF_CHECK(code_of(refusal) == ec::storage_full);
  CAF_CHECK(contains(text_of(refusal), "store.max-size"));
  // Reads go on, and show exactly what was acknowledged.
  CAF_CHECK_EQUAL(read_table("values").size(),
                  static_cast<size_t>(acknowledged));
  // Removing records makes room again, without a restart.
  self->send(store, caf::delete_atom_v, "values", "k100");
  self->send(store, caf::delete_atom_v, "values", "k101");
  run();
  CAF_CHECK_EQUAL(next_reply<bool>(), true);
  CAF_CHECK_EQUAL(next_reply<bool>(), true);
  self->send(store, caf::put_atom_v, "values", "after", chunk);
  run();
  next_reply<caf::ok_atom>();
  CAF_CHECK_EQUAL(read_table("values").size(),
                  static_cast<size_t>(acknowledged - 1));
}

CAF_TEST(without sync the commits are flushed once per sync interval) {
  stop();
  auto opts = options();
  opts.sync = false;
  env = unbox(open_store_env(opts));
  store = sys.spawn([e = env](store_actor::stateful_pointer<store_state> s) {
    s->state.sync_interval = std::chrono::milliseconds{500};
    return store_behavior(s, e);
  });
  run();
  // run() lets the simulated clock jump to each timeout once idle.
  auto started = sched.clock().now();
  for (int i = 0; i < 3; ++i)
    self->send(store, caf::put_atom_v, "values", "k" + std::to_string(i), "v");
  run();
  for (int i = 0; i < 3; ++i)
    next_reply<caf::ok_atom>();
  // One flush for the commit, when the interval had passed.
  CAF_CHECK_EQUAL(env->stats().syncs, 1u);
  CAF_CHECK_GREATER_OR_EQUAL(sched.clock().now() - started,
                             std::chrono::milliseconds{500});
  // Nothing new: no timer left.
  CAF_CHECK(!sched.has_pending_timeout());
  // A later write arms it again.
  self->send(store, caf::put_atom_v, "values", "later", "v");
  run();
  next_reply<caf::ok_atom>();
  CAF_CHECK_EQUAL(env->stats().syncs, 2u);
}

CAF_TEST(with sync every commit is durable and no timer runs) {
  self->send(store, caf::put_atom_v, "values", "k", "v");
  run();
  next_reply<caf::ok_atom>();
  CAF_CHECK_EQUAL(env->stats().syncs, 0u);
  CAF_CHECK(!sched.has_pending_timeout());
}

CAF_TEST(spawn_store fails clearly for a directory it cannot create) {
  auto file = dir.str() + "/regular-file";
  std::ofstream{file} << "not a directory";
  store_options opts;
  opts.directory = file + "/data";
  auto result = spawn_store(sys, opts);
  CAF_REQUIRE(!result);
  CAF_MESSAGE("error: " << text_of(result.error()));
  CAF_CHECK(code_of(result.error()) == ec::storage_failure);
  CAF_CHECK(contains(text_of(result.error()), opts.directory));
  CAF_CHECK(contains(text_of(result.error()), "Not a directory"));
}

CAF_TEST(spawn_store fails clearly for a store in use) {
  auto result = spawn_store(sys, options());
  CAF_REQUIRE(!result);
  CAF_CHECK(code_of(result.error()) == ec::storage_failure);
  CAF_CHECK(contains(text_of(result.error()), "in use"));
}

CAF_TEST_FIXTURE_SCOPE_END()

// The real thing: spawn_store on a threaded actor system, the actor detached.
CAF_TEST(the detached store answers writes and reads and closes on exit) {
  temp_dir dir;
  store_options opts;
  opts.directory = dir.str() + "/data";
  const int n = 50;
  {
    test::config cfg;
    caf::actor_system sys{cfg};
    auto store = spawn_store(sys, opts);
    CAF_REQUIRE(store);
    caf::scoped_actor self{sys};
    for (int i = 0; i < n; ++i)
      self->send(*store, caf::put_atom_v, "values",
                 "k" + std::to_string(100 + i), std::to_string(i));
    int acknowledged = 0;
    self->receive_for(acknowledged, n)([](caf::ok_atom) {},
                                       caf::after(std::chrono::seconds(10)) >>
                                           [] { CAF_FAIL("timeout"); });
    CAF_CHECK_EQUAL(acknowledged, n);
    self->request(*store, std::chrono::seconds(10), caf::get_atom_v, "values")
        .receive(
            [&](std::vector<store_record>& records) {
              CAF_REQUIRE_EQUAL(records.size(), static_cast<size_t>(n));
              CAF_CHECK_EQUAL(records.front().key, "k100");
              CAF_CHECK_EQUAL(records.back().value, std::to_string(n - 1));
            },
            [](caf::error& err) { CAF_FAIL(text_of(err)); });
    self->request(*store, std::chrono::seconds(10), flush_atom_v)
        .receive([](caf::ok_atom) {},
                 [](caf::error& err) { CAF_FAIL(text_of(err)); });
    self->send_exit(*store, caf::exit_reason::user_shutdown);
    self->wait_for(*store);
  }
  // The actor closed the environment: it can be opened again, with the data.
  auto env = unbox(open_store_env(opts));
  size_t count = 0;
  env->begin_read().scan(*env->find_table("values"),
                         [&](std::string_view, std::string_view) { ++count; });
  CAF_CHECK_EQUAL(count, static_cast<size_t>(n));
}
