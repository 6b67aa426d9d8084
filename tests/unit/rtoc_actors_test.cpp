// The RTOC actors on the deterministic scheduler over a real store: the
// directory running requests, signal actors with their rings and
// subscribers, the events actor. Stand-in connections record every push.
#define CAF_SUITE rtoc_actors
#include <caf/all.hpp>

#include "actors/store.hpp"
#include "core/errors.hpp"
#include "fixture.hpp"
#include "protocols/rtoc/codec.hpp"
#include "protocols/rtoc/directory.hpp"
#include "protocols/rtoc/events.hpp"
#include "protocols/rtoc/records.hpp"

using namespace signalbox;
using namespace signalbox::rtoc;
using signalbox::test::temp_dir;

namespace {

struct conn_state {
  std::vector<std::string> frames;
  static inline const char* name = "rtoc_test_connection";
};

using conn_actor = caf::stateful_actor<conn_state>;

caf::behavior test_connection(conn_actor* self) {
  return {
      [=](rtoc_push_atom, const shared_frames& frames) {
        for (auto& frame : frames)
          self->state.frames.push_back(*frame);
      },
  };
}

struct fixture : test::deterministic_fixture {
  temp_dir dir;
  std::shared_ptr<lmdb::env> env;
  store_actor store;
  rtoc_events_actor events;
  rtoc_directory_actor directory;
  std::vector<caf::actor> conns;

  fixture() { start(500000); }

  ~fixture() { stop(); }

  void start(uint64_t record_length, std::vector<device_view> devices = {},
             std::vector<signal_setup> signals = {},
             std::vector<event_view> evs = {}) {
    store_options opts;
    opts.directory = dir.str() + "/data";
    opts.map_size = 1 << 22;
    for (auto t : {records::devices_table, records::signals_table,
                   records::samples_table, records::events_table})
      opts.tables.emplace_back(t);
    env = unbox(open_store_env(opts));
    store = sys.spawn(store_behavior, env);
    events = sys.spawn(events_behavior, store, uint64_t{3}, std::move(evs));
    directory_settings cfg;
    cfg.store = store;
    cfg.events = events;
    cfg.record_length = record_length;
    cfg.max_signals = 5;
    cfg.config_json = "{}";
    cfg.timeout = std::chrono::seconds(10);
    cfg.boot = 1;
    directory = sys.spawn(directory_behavior, cfg, std::move(devices),
                          std::move(signals));
    run();
  }

  void stop() {
    for (auto& c : conns)
      self->send_exit(c, caf::exit_reason::user_shutdown);
    conns.clear();
    self->send_exit(directory, caf::exit_reason::user_shutdown);
    self->send_exit(events, caf::exit_reason::user_shutdown);
    self->send_exit(store, caf::exit_reason::user_shutdown);
    run();
    env.reset();
  }

  caf::actor connect() {
    auto c = sys.spawn(test_connection);
    conns.push_back(c);
    self->send(directory, rtoc_connect_atom_v, sink(c));
    run();
    return c;
  }

  static rtoc_sink_actor sink(const caf::actor& c) {
    return caf::actor_cast<rtoc_sink_actor>(c);
  }

  directory_state& directory_state_of() {
    return deref<std::remove_pointer_t<directory_pointer>>(directory).state;
  }

  std::vector<std::string>& pushes(const caf::actor& c) {
    return deref<conn_actor>(c).state.frames;
  }

  /// Runs request `json` of connection `c` and answers the reply text.
  std::string ask(const caf::actor& c, const std::string& json,
                  double now = 100.5) {
    auto req = parse_request(json, now);
    CAF_REQUIRE(req.has_value());
    auto ptr = std::make_shared<const rtoc::request>(std::move(*req));
    std::string reply;
    auto hdl = self->request(directory, caf::infinite, rtoc_request_atom_v,
                             request_ptr{ptr}, sink(c));
    run();
    std::move(hdl).receive(
        [&](std::string& x) { reply = std::move(x); },
        [&](caf::error& err) { CAF_FAIL("unexpected error: " << err); });
    return reply;
  }

  /// The stored record of signal `id`.
  records::signal_record stored_signal(int64_t id) {
    auto txt = env->begin_read().get(*env->find_table(records::signals_table),
                                     records::id_key(id));
    CAF_REQUIRE(txt.has_value());
    auto rec = records::decode_signal(*txt);
    CAF_REQUIRE(rec.has_value());
    return *rec;
  }

  size_t stored(const char* table) {
    size_t n = 0;
    env->begin_read().scan(*env->find_table(table),
                           [&](std::string_view, std::string_view) { ++n; });
    return n;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(rtoc_actor_tests, fixture)

CAF_TEST(data creates signals and announces them before samples and reply) {
  auto writer = connect();
  auto watcher = connect();
  CAF_CHECK_EQUAL(pushes(writer),
                  std::vector<std::string>{R"({"client":"newconnected"})"});
  pushes(writer).clear();
  // A subscription may name a signal that does not exist yet.
  CAF_CHECK_EQUAL(ask(watcher, R"({"subscribe":["signal","Test.T1"]})"),
                  R"({"error":false})");
  auto reply = ask(writer, R"({"y":[1,2.5],"sname":["T1","T2"],)"
                           R"("dname":"Test","unit":"V"})");
  CAF_CHECK_EQUAL(reply, R"({"error":false,"sent":true})");
  std::vector<std::string> announced{
      R"({"signal":{"x":[],"y":[],"unit":null,"dname":"Test","sname":"T1","id":1}})",
      R"({"signal":{"x":[],"y":[],"unit":null,"dname":"Test","sname":"T2","id":2}})"};
  CAF_CHECK_EQUAL(pushes(writer), announced);
  auto expected = announced;
  expected.push_back(
      R"({"signal":{"x":[100.5],"y":[1],"unit":"V","dname":"Test","sname":"T1","id":1}})");
  CAF_CHECK_EQUAL(pushes(watcher), expected);
  // Everything acknowledged is in the store.
  CAF_CHECK_EQUAL(stored(records::samples_table), 2u);
  CAF_CHECK_EQUAL(stored(records::devices_table), 1u);
}

CAF_TEST(ids are the lowest unused and reused after removal) {
  auto c = connect();
  ask(c, R"({"y":[1,2,3],"sname":["A","B","C"],"dname":"D"})");
  CAF_CHECK_EQUAL(ask(c, R"({"remove":[[2,"D.C","D.nope",9],[]]})"),
                  R"({"error":false,"remove":[2,0]})");
  CAF_CHECK_EQUAL(stored(records::samples_table), 1u);
  ask(c, R"({"y":[4],"sname":"E","dname":"D"})");
  CAF_CHECK_EQUAL(ask(c, R"({"getSignalList":true})"),
                  R"({"error":false,"signalList":[["D","A"],["D","E"]]})");
  CAF_CHECK_EQUAL(ask(c, R"({"getLatest":["D.E"]})"),
                  R"({"error":false,"latest":{"D.E":[100.5,4.0,""]}})");
}

CAF_TEST(the ring keeps record_length samples and the store keeps all) {
  stop();
  start(2);
  auto c = connect();
  ask(c, R"({"x":[1,2,3,4],"y":[10,20,30,40],"sname":["S","S","S","S"],)"
         R"("dname":"D"})");
  CAF_CHECK_EQUAL(
      ask(c, R"({"getSignal":["D.S"]})"),
      R"({"error":false,"signals":{"D.S":[[3.0,4.0],[30.0,40.0],"",1,1.0,4.0]}})");
  CAF_CHECK_EQUAL(
      ask(c,
          R"({"getSignal":{"dname":"D","sname":"S","database":true,"xmin":1}})"),
      R"({"error":false,"signals":{"D.S":[[2.0,3.0,4.0],[20.0,30.0,40.0],"",1,1.0,4.0]}})");
  CAF_CHECK_EQUAL(stored(records::samples_table), 4u);
}

CAF_TEST(one request stores the samples of all its signals and their units) {
  auto c = connect();
  ask(c, R"({"y":[1,2,3],"sname":["A","B","A"],"dname":"D",)"
         R"("unit":["V","W","V"]})");
  CAF_CHECK_EQUAL(stored(records::samples_table), 3u);
  CAF_CHECK_EQUAL(stored_signal(1).unit, "V");
  CAF_CHECK_EQUAL(stored_signal(2).unit, "W");
  // RTOC keeps the unit of the latest sample, in RAM and in the store.
  ask(c, R"({"y":[4],"sname":"B","dname":"D","unit":"X"})");
  CAF_CHECK_EQUAL(stored_signal(1).unit, "V");
  CAF_CHECK_EQUAL(stored_signal(2).unit, "X");
  CAF_CHECK_EQUAL(ask(c, R"({"getLatest":["D.A","D.B"]})"),
                  R"({"error":false,"latest":{"D.A":[100.5,3.0,"V"],)"
                  R"("D.B":[100.5,4.0,"X"]}})");
  CAF_CHECK_EQUAL(stored(records::samples_table), 4u);
}

CAF_TEST(plot replaces the samples and the unit of a signal) {
  auto c = connect();
  auto watcher = connect();
  ask(watcher, R"({"subscribe":["signal","D.S"]})");
  ask(c, R"({"x":[1,2,3],"y":[10,20,30],"sname":["S","S","S"],"dname":"D",)"
         R"("unit":"V"})");
  pushes(watcher).clear();
  CAF_CHECK_EQUAL(ask(c, R"({"plot":true,"x":[5,6],"y":[50,60],)"
                         R"("sname":"S","dname":"D","unit":"A"})"),
                  R"({"error":false,"sent":true})");
  // A plot pushes nothing.
  CAF_CHECK(pushes(watcher).empty());
  auto replaced =
      R"({"error":false,"signals":{"D.S":[[5.0,6.0],[50.0,60.0],"A",1,5.0,6.0]}})";
  CAF_CHECK_EQUAL(ask(c, R"({"getSignal":["D.S"]})"), replaced);
  CAF_CHECK_EQUAL(
      ask(c, R"({"getSignal":{"dname":"D","sname":"S","database":true}})"),
      replaced);
  CAF_CHECK_EQUAL(stored(records::samples_table), 2u);
  CAF_CHECK_EQUAL(stored_signal(1).unit, "A");
  // Samples after a plot append to it.
  ask(c, R"({"x":[7],"y":[70],"sname":"S","dname":"D","unit":"A"})");
  CAF_CHECK_EQUAL(stored(records::samples_table), 3u);
}

CAF_TEST(events get ids and are pushed to everyone and bounded) {
  auto c = connect();
  auto other = connect();
  pushes(c).clear();
  CAF_CHECK_EQUAL(ask(c, R"({"event":["hot","T","D",5,2,"x1",7]})"),
                  R"({"error":false})");
  auto ev =
      R"({"event":{"x":5.0,"text":"hot","dname":"D","sname":"T","priority":2,"value":7,"id":"x1","eventId":1}})";
  CAF_REQUIRE_EQUAL(pushes(other).size(), 2u); // the new signal, the event
  CAF_CHECK_EQUAL(pushes(other)[1], ev);
  CAF_CHECK_EQUAL(
      ask(c, R"({"getEvent":["D.T","D.none"]})"),
      R"({"error":false,"events":{"D.T":[["D","T",1,"hot",5.0,7,2,"x1"]],"D.none":[]}})");
  ask(c, R"({"event":{"text":"b"}})");
  ask(c, R"({"event":{"text":"c"}})");
  // rtoc.max-events is 3 here.
  CAF_CHECK_EQUAL(ask(c, R"({"event":{"text":"d"}})"), R"({"error":true})");
  CAF_CHECK_EQUAL(stored(records::events_table), 3u);
  CAF_CHECK_EQUAL(ask(c, R"({"remove":[[],[2,5]]})"),
                  R"({"error":false,"remove":[0,1]})");
  ask(c, R"({"event":{"text":"e"}})");
  auto list = ask(c, R"({"getEventList":true})");
  CAF_CHECK(list.find(R"("2":["noDevice","noName",2,"e")") !=
            std::string::npos);
}

CAF_TEST(a mirror event keeps the newest of its signal and removes the rest) {
  auto c = connect();
  // As the mirror sends a job's status: rtoc.mirror-events is 2 here.
  auto job_event = [&](std::string text, double x) {
    event_request ev;
    ev.dname = "jobs";
    ev.sname = "crasher";
    ev.text = std::move(text);
    ev.x = x;
    ev.keep = 2;
    auto hdl = self->request(directory, caf::infinite, rtoc_event_atom_v, ev);
    run();
    std::move(hdl).receive(
        [](ok_atom) {},
        [](caf::error& err) { CAF_FAIL("unexpected error: " << err); });
  };
  job_event("starting", 1);
  job_event("running", 2);
  job_event("crashed", 3);
  auto events = ask(c, R"({"getEvent":["jobs.crasher"]})");
  CAF_CHECK_EQUAL(events.find(R"("starting")"), std::string::npos);
  CAF_CHECK(events.find(R"("running")") != std::string::npos);
  CAF_CHECK(events.find(R"("crashed")") != std::string::npos);
  CAF_CHECK_EQUAL(stored(records::events_table), 2u);
  // A client's event has no such limit; rtoc.max-events (3) still holds,
  // and the job's next event makes its own room below it.
  CAF_CHECK_EQUAL(ask(c, R"({"event":{"text":"mine"}})"), R"({"error":false})");
  job_event("starting", 4);
  CAF_CHECK_EQUAL(stored(records::events_table), 3u);
  events = ask(c, R"({"getEventList":true})");
  CAF_CHECK_EQUAL(events.find(R"("running")"), std::string::npos);
  CAF_CHECK(events.find(R"("crashed")") != std::string::npos);
  CAF_CHECK(events.find(R"("starting")") != std::string::npos);
  CAF_CHECK(events.find(R"("mine")") != std::string::npos);
}

CAF_TEST(failures replace the whole reply) {
  auto c = connect();
  CAF_CHECK_EQUAL(ask(c, R"({"getSignalList":true,"getLatest":["X.Y"]})"),
                  R"({"error":true})");
  // rtoc.max-signals is 5 here.
  CAF_CHECK_EQUAL(ask(c, R"({"y":[1,2,3,4,5,6],"dname":"D",)"
                         R"("sname":["a","b","c","d","e","f"]})"),
                  R"({"error":true})");
}

CAF_TEST(subscribe all reaches later signals and ends with the connection) {
  auto c = connect();
  auto w = connect();
  ask(c, R"({"subscribeAll":true})");
  ask(w, R"({"y":[1],"sname":"S","dname":"D"})");
  CAF_CHECK_EQUAL(
      pushes(c).back(),
      R"({"signal":{"x":[100.5],"y":[1],"unit":"","dname":"D","sname":"S","id":1}})");
  ask(c, R"({"unsubscribeAll":"signal"})");
  auto n = pushes(c).size();
  ask(w, R"({"y":[2],"sname":"S","dname":"D"})");
  CAF_CHECK_EQUAL(pushes(c).size(), n);
  ask(c, R"({"subscribe":["signal","D.S"]})");
  self->send_exit(c, caf::exit_reason::user_shutdown);
  run();
  CAF_CHECK_EQUAL(directory_state_of().clients.count(c.address()), 0u);
}

CAF_TEST(the session lists devices signals and events) {
  auto c = connect();
  ask(c, R"({"x":[1],"y":[2],"sname":"S","dname":"D","unit":"V"})");
  ask(c, R"({"event":["e","S","D",3]})");
  CAF_CHECK_EQUAL(
      ask(c, R"({"getSession":true})"),
      R"({"error":false,"session":{"maxLength":500000,"signals":{"1":[1,"S",[1.0],[2.0],"V"]},"events":{"1":[1,1,1,"e",3.0,null,0,"7fee0f3537cff5a6b463916a4ab806bb70ac4373"]},"devices":{"1":"D"}},)"
      R"("getSession":{"maxLength":500000,"signals":{"1":[1,"S",[1.0],[2.0],"V"]},"events":{"1":[1,1,1,"e",3.0,null,0,"7fee0f3537cff5a6b463916a4ab806bb70ac4373"]},"devices":{"1":"D"}}})");
}

CAF_TEST_FIXTURE_SCOPE_END()
