#define CAF_SUITE job_registry
#include <poll.h>
#include <signal.h>

#include "actors/job_registry.hpp"
#include "actors/store.hpp"
#include "hal/process.hpp"
#include "job_fixture.hpp"
#include "store/job_records.hpp"

using namespace signalbox;
using namespace signalbox::test;

namespace {

// A store that fails every write (and optionally every read): the registry
// must not acknowledge or announce what was not stored.
store_actor::behavior_type failing_store(bool fail_reads) {
  auto failure = [] { return make_error(ec::storage_failure, "disk on fire"); };
  return {
      [=](put_atom, std::string&, std::string&,
          std::string&) -> caf::result<ok_atom> { return failure(); },
      [=](delete_atom, std::string&, std::string&) -> caf::result<bool> {
        return failure();
      },
      [=](get_atom, std::string&) -> caf::result<std::vector<store_record>> {
        if (fail_reads)
          return failure();
        return std::vector<store_record>{};
      },
      [=](get_atom, std::string&, std::string&) -> caf::result<std::string> {
        return make_error(ec::not_found, "absent");
      },
      [=](put_atom, std::string&, std::vector<store_record>&)
          -> caf::result<ok_atom> { return failure(); },
      [=](put_atom, std::string&, store_batch&) -> caf::result<ok_atom> {
        return failure();
      },
      [=](delete_atom, std::string&, std::string&,
          std::string&) -> caf::result<uint64_t> { return failure(); },
      [=](get_atom, std::string&, std::string&, std::string&, uint64_t,
          bool) -> caf::result<std::vector<store_record>> { return failure(); },
      [](flush_atom) { return ok_atom_v; },
      [](commit_atom) {},
  };
}

struct fixture : job_fixture {
  temp_dir dir;
  store_actor store;
  std::vector<job_registry_actor> registries;

  fixture() {
    opts.definitions = {make_spec("alpha", {"/bin/sleep", "30"}),
                        make_spec("beta", {"/bin/sleep", "30"})};
    opts.definitions[0].autostart = true;
    open_store();
  }

  ~fixture() {
    for (auto& reg : registries)
      self->request(reg, patience, shutdown_atom_v)
          .receive([](ok_atom) {}, [](caf::error&) {});
    close_store();
  }

  store_options store_opts() const {
    store_options x;
    x.directory = dir.str() + "/store";
    return x;
  }

  void open_store() {
    auto st = spawn_store(sys, store_opts());
    if (!st)
      CAF_FAIL("cannot open the store: " << text_of(st.error()));
    store = *st;
  }

  // Ends the store actor and waits until it is gone (its environment is
  // closed, so that it can be opened again).
  void close_store() {
    if (!store)
      return;
    self->monitor(store);
    self->send_exit(store, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {});
    store = nullptr;
  }

  job_registry_actor spawn_registry() {
    auto reg = spawn_job_registry(sys, loop.io, store, opts);
    registries.push_back(reg);
    return reg;
  }

  void shutdown(const job_registry_actor& reg) {
    ask<ok_atom>(reg, shutdown_atom_v);
    caf::anon_send_exit(reg, caf::exit_reason::user_shutdown);
  }

  std::vector<job_info> list(const job_registry_actor& reg) {
    return ask<std::vector<job_info>>(reg, list_atom_v);
  }

  job_info get(const job_registry_actor& reg, uint64_t id) {
    return ask<job_info>(reg, get_atom_v, id);
  }

  job_info create(const job_registry_actor& reg, job_spec spec) {
    return ask<job_info>(reg, create_atom_v, std::move(spec));
  }

  // The error of a request that must fail: its code and text.
  template <class Result, class... Ts>
  std::pair<ec, std::string> fails(const job_registry_actor& reg, Ts... xs) {
    auto err = ask_error<Result>(reg, xs...);
    return {code_of(err), text_of(err)};
  }

  /// The next job_list_changed (status changes are skipped).
  job_list_changed next_list_change() {
    for (;;) {
      auto ptr = next_notification();
      if (!ptr)
        CAF_FAIL("no job_list_changed in time");
      if (auto ev = std::get_if<job_list_changed>(&ptr->event()))
        return *ev;
    }
  }

  std::vector<store_record> stored_jobs() {
    return ask<std::vector<store_record>>(store, get_atom_v,
                                          std::string{"jobs"});
  }

  std::string stored(const std::string& table, const std::string& key) {
    return ask<std::string>(store, get_atom_v, table, key);
  }
};

using errc = std::pair<ec, std::string>;

std::vector<uint64_t> ids_of(const std::vector<job_info>& xs) {
  std::vector<uint64_t> ids;
  for (auto& x : xs)
    ids.push_back(x.id);
  return ids;
}

} // namespace

// -- validation ---------------------------------------------------------------

CAF_TEST(job definitions are checked) {
  auto check = [](job_spec spec) {
    auto err = check_job_spec(spec);
    if (!err)
      return std::string{};
    CAF_CHECK(code_of(err) == ec::invalid_argument);
    return text_of(err);
  };
  auto ok = make_spec("x", {"/bin/true"});
  CAF_CHECK_EQUAL(check(ok), "");
  auto spec = ok;
  spec.name.clear();
  CAF_CHECK_EQUAL(check(spec), "job name must not be empty");
  spec = ok;
  spec.command.clear();
  CAF_CHECK_EQUAL(check(spec), "job command must not be empty");
  spec = ok;
  spec.command = {""};
  CAF_CHECK_EQUAL(check(spec), "job command[0] (the program) must not be "
                               "empty");
  spec = ok;
  spec.command.push_back(std::string("a\0b", 3));
  CAF_CHECK_EQUAL(check(spec), "job command must not contain NUL bytes");
  spec = ok;
  spec.name = std::string("a\0b", 3);
  CAF_CHECK_EQUAL(check(spec), "job name must not contain NUL bytes");
  spec = ok;
  spec.env = {{"A=B", "1"}};
  CAF_CHECK_EQUAL(check(spec), "job environment variable name 'A=B' must be "
                               "non-empty and contain no '=' or NUL");
  spec.env = {{"", "1"}};
  CAF_CHECK_NOT_EQUAL(check(spec), "");
  spec.env = {{"A", std::string("\0", 1)}};
  CAF_CHECK_EQUAL(check(spec), "job environment variable A must not contain "
                               "NUL bytes");
  spec = ok;
  spec.cwd = std::string("/\0", 2);
  CAF_CHECK_EQUAL(check(spec), "job cwd must not contain NUL bytes");
}

CAF_TEST_FIXTURE_SCOPE(job_registry_tests, fixture)

// -- configured jobs ----------------------------------------------------------

CAF_TEST(configured jobs get ids in order and wait for the start) {
  auto reg = spawn_registry();
  auto jobs = list(reg);
  CAF_REQUIRE_EQUAL(jobs.size(), 2u);
  CAF_CHECK_EQUAL(ids_of(jobs), (std::vector<uint64_t>{1, 2}));
  CAF_CHECK_EQUAL(jobs[0].spec.name, "alpha");
  CAF_CHECK_EQUAL(jobs[1].spec.name, "beta");
  for (auto& x : jobs) {
    CAF_CHECK(x.origin == job_origin::config);
    CAF_CHECK(x.status == job_status::stopped);
  }
  CAF_CHECK_EQUAL(get(reg, 2).spec.name, "beta");
  CAF_CHECK_EQUAL(fails<job_info>(reg, get_atom_v, uint64_t{7}),
                  (errc{ec::not_found, "no job 7"}));
  // Nothing runs before the node says so.
  expect_silence(1, 100ms);
  // Then only the autostart job starts, once.
  self->send(reg, start_atom_v);
  expect_statuses(1, {job_status::starting, job_status::running});
  CAF_CHECK(get(reg, 2).status == job_status::stopped);
  ask<job_info>(reg, stop_atom_v, uint64_t{1});
  expect_statuses(1, {job_status::stopping, job_status::stopped});
  self->send(reg, start_atom_v);
  expect_silence(1, 200ms);
}

CAF_TEST(requests about one job reach its actor) {
  // Running (READY=1) only once it has written its line.
  opts.definitions[1].command = {"/bin/sh", "-c",
                                 "echo hi && systemd-notify --ready && "
                                 "exec sleep 30"};
  opts.definitions[1].notify = true;
  auto reg = spawn_registry();
  auto info = ask<job_info>(reg, start_atom_v, uint64_t{2});
  CAF_CHECK_EQUAL(info.id, 2u);
  expect_statuses(2, {job_status::starting, job_status::running});
  ask<job_info>(reg, restart_atom_v, uint64_t{2});
  expect_statuses(2, {job_status::stopping, job_status::stopped,
                      job_status::starting, job_status::running});
  ask<job_info>(reg, stop_atom_v, uint64_t{2});
  expect_statuses(2, {job_status::stopping, job_status::stopped});
  auto log =
      ask<std::vector<log_line>>(reg, log_atom_v, uint64_t{2}, uint32_t{10});
  CAF_REQUIRE_EQUAL(log.size(), 2u); // one line per run
  CAF_CHECK_EQUAL(log[0].line, "hi");
  for (auto req : {0, 1, 2, 3}) {
    caf::error err;
    auto id = uint64_t{9};
    if (req == 0)
      err = ask_error<job_info>(reg, start_atom_v, id);
    else if (req == 1)
      err = ask_error<job_info>(reg, stop_atom_v, id);
    else if (req == 2)
      err = ask_error<job_info>(reg, restart_atom_v, id);
    else
      err = ask_error<std::vector<log_line>>(reg, log_atom_v, id, uint32_t{1});
    CAF_CHECK_EQUAL(text_of(err), "no job 9");
  }
}

CAF_TEST(configured jobs cannot be edited or removed) {
  auto reg = spawn_registry();
  auto conflict = errc{ec::conflict, "job 1 is defined in the configuration"};
  CAF_CHECK_EQUAL(fails<job_info>(reg, update_atom_v, uint64_t{1},
                                  make_spec("x", {"/bin/true"})),
                  conflict);
  CAF_CHECK_EQUAL(fails<ok_atom>(reg, delete_atom_v, uint64_t{1}), conflict);
  CAF_CHECK_EQUAL(fails<ok_atom>(reg, delete_atom_v, uint64_t{7}),
                  (errc{ec::not_found, "no job 7"}));
}

CAF_TEST(nothing can be edited when editing is disabled) {
  opts.editable = false;
  auto reg = spawn_registry();
  auto forbidden = errc{ec::forbidden, "job editing is disabled"};
  CAF_CHECK_EQUAL(
      fails<job_info>(reg, create_atom_v, make_spec("new", {"/bin/true"})),
      forbidden);
  CAF_CHECK_EQUAL(fails<job_info>(reg, update_atom_v, uint64_t{1},
                                  make_spec("x", {"/bin/true"})),
                  forbidden);
  CAF_CHECK_EQUAL(fails<ok_atom>(reg, delete_atom_v, uint64_t{1}), forbidden);
  CAF_CHECK_EQUAL(fails<ok_atom>(reg, delete_atom_v, uint64_t{7}), forbidden);
  CAF_CHECK_EQUAL(list(reg).size(), 2u);
}

// -- API jobs -----------------------------------------------------------------

CAF_TEST(create stores announces and autostarts) {
  auto reg = spawn_registry();
  auto spec = make_spec("gamma", {"/bin/sleep", "30"});
  spec.autostart = true;
  auto info = create(reg, spec);
  CAF_CHECK_EQUAL(info.id, 3u);
  CAF_CHECK(info.origin == job_origin::api);
  CAF_CHECK(info.status == job_status::running);
  // First the new job is announced, then its status changes follow.
  auto ptr = next_notification();
  CAF_REQUIRE(ptr);
  auto added = std::get_if<job_list_changed>(&ptr->event());
  CAF_REQUIRE(added != nullptr);
  CAF_CHECK(added->added);
  CAF_CHECK_EQUAL(added->job_id, 3u);
  CAF_CHECK_EQUAL(added->name, "gamma");
  expect_statuses(3, {job_status::starting, job_status::running});
  // It is in the store, with the next id.
  auto records = stored_jobs();
  CAF_REQUIRE_EQUAL(records.size(), 1u);
  CAF_CHECK_EQUAL(records[0].key, job_store::job_record_key(3));
  auto rec = job_store::decode_job_record(records[0].value);
  CAF_REQUIRE(rec);
  CAF_CHECK_EQUAL(rec->spec.name, "gamma");
  CAF_CHECK_EQUAL(stored("meta", "jobs.next-id"), "4");
  CAF_CHECK_EQUAL(ids_of(list(reg)), (std::vector<uint64_t>{1, 2, 3}));
  // Without autostart it stays stopped.
  auto idle = create(reg, make_spec("delta", {"/bin/true"}));
  CAF_CHECK_EQUAL(idle.id, 4u);
  CAF_CHECK(idle.status == job_status::stopped);
}

CAF_TEST(invalid definitions are refused) {
  auto reg = spawn_registry();
  auto refused = [&](job_spec spec) {
    return fails<job_info>(reg, create_atom_v, std::move(spec));
  };
  CAF_CHECK_EQUAL(refused(make_spec("", {"/bin/true"})),
                  (errc{ec::invalid_argument, "job name must not be empty"}));
  CAF_CHECK_EQUAL(
      refused(make_spec("x", {})),
      (errc{ec::invalid_argument, "job command must not be empty"}));
  CAF_CHECK_EQUAL(
      refused(make_spec("beta", {"/bin/true"})),
      (errc{ec::invalid_argument, "job name 'beta' is already used by job 2"}));
  // Nothing was created, no id was used.
  CAF_CHECK_EQUAL(create(reg, make_spec("x", {"/bin/true"})).id, 3u);
  auto x = make_spec("beta", {"/bin/true"});
  CAF_CHECK_EQUAL(
      fails<job_info>(reg, update_atom_v, uint64_t{3}, x),
      (errc{ec::invalid_argument, "job name 'beta' is already used by job 2"}));
  // Keeping its own name is fine.
  x.name = "x";
  CAF_CHECK_EQUAL(ask<job_info>(reg, update_atom_v, uint64_t{3}, x).id, 3u);
}

CAF_TEST(update is stored and restarts a running job) {
  auto reg = spawn_registry();
  auto id = create(reg, make_spec("gamma", {"/bin/sleep", "30"})).id;
  next_list_change();
  ask<job_info>(reg, start_atom_v, id);
  expect_statuses(id, {job_status::starting, job_status::running});
  auto spec = make_spec("gamma2", {"/bin/sh", "-c", "exec sleep 30"});
  spec.env = {{"A", "1"}};
  auto info = ask<job_info>(reg, update_atom_v, id, spec);
  CAF_CHECK_EQUAL(info.spec.name, "gamma2");
  auto ev = next_change(id); // the edit
  CAF_CHECK_EQUAL(ev.name, "gamma2");
  expect_statuses(id, {job_status::stopping, job_status::stopped,
                       job_status::starting, job_status::running});
  auto rec = job_store::decode_job_record(
      stored("jobs", job_store::job_record_key(id)));
  CAF_REQUIRE(rec);
  CAF_CHECK_EQUAL(rec->spec.name, "gamma2");
  CAF_CHECK_EQUAL(rec->spec.env.at("A"), "1");
  CAF_CHECK_EQUAL(get(reg, id).spec.name, "gamma2");
  auto jobs = list(reg);
  CAF_CHECK_EQUAL(jobs.back().spec.name, "gamma2");
}

CAF_TEST(delete stops removes and announces) {
  auto reg = spawn_registry();
  auto id = create(reg, make_spec("gamma", {program("ignore_sigterm")})).id;
  CAF_CHECK(next_list_change().added);
  auto info = ask<job_info>(reg, start_atom_v, id);
  expect_statuses(id, {job_status::starting, job_status::running});
  ask<ok_atom>(reg, delete_atom_v, id);
  // The process was gone (SIGKILL after the grace period) before the
  // answer, and the removal is announced after the status changes.
  CAF_CHECK_EQUAL(::kill(info.pid, 0), -1);
  expect_statuses(id, {job_status::stopping, job_status::stopped});
  auto removed = next_list_change();
  CAF_CHECK(!removed.added);
  CAF_CHECK_EQUAL(removed.job_id, id);
  CAF_CHECK_EQUAL(removed.name, "gamma");
  CAF_CHECK(stored_jobs().empty());
  CAF_CHECK_EQUAL(fails<job_info>(reg, get_atom_v, id),
                  (errc{ec::not_found, "no job 3"}));
  CAF_CHECK_EQUAL(ids_of(list(reg)), (std::vector<uint64_t>{1, 2}));
  // Its id is not handed out again, and its name is free.
  CAF_CHECK_EQUAL(create(reg, make_spec("gamma", {"/bin/true"})).id, 4u);
}

CAF_TEST(API jobs survive a restart and ids are never reused) {
  {
    auto reg = spawn_registry();
    auto spec = make_spec("kept", {"/bin/sleep", "30"});
    spec.restart = restart_policy::on_failure;
    spec.env = {{"K", "v"}};
    CAF_CHECK_EQUAL(create(reg, spec).id, 3u);
    CAF_CHECK_EQUAL(create(reg, make_spec("dropped", {"/bin/true"})).id, 4u);
    ask<ok_atom>(reg, delete_atom_v, uint64_t{4});
    shutdown(reg);
  }
  // A new node: new store actor over the same directory, new registry.
  close_store();
  open_store();
  auto reg = spawn_registry();
  auto jobs = list(reg);
  CAF_REQUIRE_EQUAL(jobs.size(), 3u);
  CAF_CHECK_EQUAL(ids_of(jobs), (std::vector<uint64_t>{1, 2, 3}));
  CAF_CHECK_EQUAL(jobs[2].spec.name, "kept");
  CAF_CHECK(jobs[2].origin == job_origin::api);
  CAF_CHECK(jobs[2].spec.restart == restart_policy::on_failure);
  CAF_CHECK_EQUAL(jobs[2].spec.env.at("K"), "v");
  // Id 4 was used (and deleted) before the restart.
  CAF_CHECK_EQUAL(create(reg, make_spec("new", {"/bin/true"})).id, 5u);
}

CAF_TEST(a stored job whose id the configuration took gets a new one) {
  // A previous configuration had one job; an API job got id 2.
  auto old = make_spec("api-job", {"/bin/true"});
  ask<ok_atom>(store, put_atom_v, std::string{"jobs"},
               job_store::job_record_key(2),
               job_store::encode_job_record(2, old));
  ask<ok_atom>(store, put_atom_v, std::string{"meta"},
               std::string{"jobs.next-id"}, std::string{"3"});
  // An unreadable record keeps its id reserved.
  ask<ok_atom>(store, put_atom_v, std::string{"jobs"},
               job_store::job_record_key(6), std::string{"{garbage"});
  auto reg = spawn_registry(); // two configured jobs: ids 1 and 2
  auto jobs = list(reg);
  CAF_REQUIRE_EQUAL(jobs.size(), 3u);
  CAF_CHECK_EQUAL(jobs[1].spec.name, "beta");
  CAF_CHECK_EQUAL(jobs[2].spec.name, "api-job");
  CAF_CHECK_EQUAL(jobs[2].id, 7u);
  CAF_CHECK_EQUAL(create(reg, make_spec("next", {"/bin/true"})).id, 8u);
  // The move is stored: a later start finds the job under its new id. (The
  // create's answer comes after the registry sent the move to the store.)
  auto keys = std::vector<std::string>{};
  for (auto& rec : stored_jobs())
    keys.push_back(rec.key);
  CAF_CHECK_EQUAL(keys,
                  (std::vector<std::string>{job_store::job_record_key(6),
                                            job_store::job_record_key(7),
                                            job_store::job_record_key(8)}));
}

CAF_TEST(a failed job actor is replaced and its process does not survive) {
  auto reg = spawn_registry();
  auto info = ask<job_info>(reg, start_atom_v, uint64_t{2});
  expect_statuses(2, {job_status::starting, job_status::running});
  auto pidfd = hal::open_pidfd(info.pid);
  CAF_REQUIRE(pidfd);
  // A delegated request is answered by the job actor itself: that is how
  // the test gets hold of it.
  caf::actor job;
  self->request(reg, patience, get_atom_v, uint64_t{2})
      .receive(
          [&](job_info&) {
            job = caf::actor_cast<caf::actor>(self->current_sender());
          },
          [](caf::error& err) { CAF_FAIL(text_of(err)); });
  CAF_REQUIRE(job);
  // As if it had failed (exit_reason::kill would be fatal for the linked
  // registry as well, by CAF's rules).
  self->send_exit(job, make_error(ec::system_error, "simulated failure"));
  pollfd pfd{pidfd.get(), POLLIN, 0};
  CAF_CHECK_EQUAL(::poll(&pfd, 1, 10000), 1); // the process ended
  // The job is still there, with a fresh actor that can start it again.
  // (Until the registry has handled the exit, a request may still reach
  // the dead actor and fail: ask again then.)
  std::optional<job_info> again;
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (!again && std::chrono::steady_clock::now() < deadline)
    self->request(reg, patience, start_atom_v, uint64_t{2})
        .receive([&](job_info& x) { again = x; },
                 [&](caf::error& err) {
                   if (err != caf::sec::request_receiver_down)
                     CAF_FAIL(text_of(err));
                 });
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL(again->id, 2u);
  CAF_CHECK_NOT_EQUAL(again->pid, info.pid);
  CAF_CHECK_EQUAL(list(reg).size(), 2u);
}

CAF_TEST(the registry takes its jobs down when it is ended) {
  auto reg = spawn_registry();
  auto info = ask<job_info>(reg, start_atom_v, uint64_t{2});
  auto pidfd = hal::open_pidfd(info.pid);
  CAF_REQUIRE(pidfd);
  caf::anon_send_exit(reg, caf::exit_reason::user_shutdown);
  pollfd pfd{pidfd.get(), POLLIN, 0};
  CAF_CHECK_EQUAL(::poll(&pfd, 1, 10000), 1);
}

// -- shutdown -----------------------------------------------------------------

CAF_TEST(shutdown stops every job and then refuses work) {
  opts.definitions[0].command = {program("ignore_sigterm")};
  opts.definitions[0].notify = true;
  auto reg = spawn_registry();
  auto a = ask<job_info>(reg, start_atom_v, uint64_t{1});
  auto b = ask<job_info>(reg, start_atom_v, uint64_t{2});
  expect_statuses(1, {job_status::starting, job_status::running});
  ask<ok_atom>(reg, shutdown_atom_v);
  // Both were reaped before the answer (one needed the SIGKILL).
  CAF_CHECK_EQUAL(::kill(a.pid, 0), -1);
  CAF_CHECK_EQUAL(::kill(b.pid, 0), -1);
  auto unavailable = errc{ec::unavailable, "the node is shutting down"};
  CAF_CHECK_EQUAL(fails<job_info>(reg, start_atom_v, uint64_t{1}), unavailable);
  CAF_CHECK_EQUAL(
      fails<job_info>(reg, create_atom_v, make_spec("late", {"/bin/true"})),
      unavailable);
  // What the registry knows it still tells.
  auto jobs = list(reg);
  CAF_REQUIRE_EQUAL(jobs.size(), 2u);
  CAF_CHECK(jobs[0].status == job_status::stopped);
  CAF_CHECK(get(reg, 2).status == job_status::stopped);
  // A second shutdown answers at once.
  ask<ok_atom>(reg, shutdown_atom_v);
}

// -- store failures -----------------------------------------------------------

CAF_TEST(nothing is created when the store fails) {
  auto bad = sys.spawn(failing_store, false);
  auto reg = spawn_job_registry(sys, loop.io, bad, opts);
  registries.push_back(reg);
  CAF_CHECK_EQUAL(
      fails<job_info>(reg, create_atom_v, make_spec("x", {"/bin/true"})),
      (errc{ec::storage_failure, "disk on fire"}));
  // The name was not kept, and nothing was announced or listed.
  CAF_CHECK_EQUAL(
      fails<job_info>(reg, create_atom_v, make_spec("x", {"/bin/true"})),
      (errc{ec::storage_failure, "disk on fire"}));
  CAF_CHECK_EQUAL(list(reg).size(), 2u);
  auto ptr = next_notification(100ms);
  CAF_CHECK(ptr == nullptr);
  caf::anon_send_exit(bad, caf::exit_reason::user_shutdown);
}

CAF_TEST(a registry that cannot read the store quits) {
  auto bad = sys.spawn(failing_store, true);
  auto reg = spawn_job_registry(sys, loop.io, bad, opts);
  self->monitor(reg);
  caf::error reason;
  self->receive([&](const caf::down_msg& msg) { reason = msg.reason; },
                caf::after(patience) >> [] { CAF_FAIL("still running"); });
  CAF_CHECK_EQUAL(text_of(reason), "disk on fire");
  caf::anon_send_exit(bad, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
