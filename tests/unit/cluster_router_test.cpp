// The cluster router on the deterministic scheduler (Zeek Broker's style):
// routers of three "nodes" in one actor system, handed to each other as the
// middleman would. Forwarding goes only to members that take the topic,
// once, in order, and is never echoed; requests sum the members' answers;
// members are lost when their router ends or falls silent; names in use
// are refused; a hung member's backlog is bounded.
#define CAF_SUITE cluster_router

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_cast.hpp>

#include "actors/cluster_router.hpp"
#include "fixture.hpp"

using namespace signalbox;
using namespace std::chrono_literals;

namespace {

constexpr auto heartbeat = std::chrono::milliseconds{1000};

struct deliveries {
  std::vector<std::string> topics;
  std::vector<int32_t> numbers; // the int32 in each payload
  uint64_t answer = 1;          // what the handler answers
};

cluster_handler_actor::behavior_type
recording_handler(cluster_handler_actor::pointer,
                  std::shared_ptr<deliveries> log) {
  return {
      [log](cluster_deliver_atom, const std::string& topic,
            const caf::message& payload) {
        log->topics.push_back(topic);
        if (payload.match_elements<int32_t>())
          log->numbers.push_back(payload.get_as<int32_t>(0));
        return log->answer;
      },
  };
}

/// A peer that takes part in the handshake and then says nothing more (a
/// hung node): it counts the events it is sent, and records the batches
/// (first number, size) in `batches` when given.
using batch_log = std::vector<std::pair<uint64_t, size_t>>;
caf::behavior mute_peer(caf::event_based_actor* self,
                        std::shared_ptr<uint64_t> events,
                        std::shared_ptr<batch_log> batches) {
  self->set_default_handler(caf::drop);
  return {
      [](cluster_hello_atom, const cluster_hello&) {
        cluster_hello h;
        h.protocol = cluster_protocol;
        h.name = "m";
        h.address = "m:1";
        h.incarnation = 5;
        h.topics = {"jmri"};
        return h;
      },
      [events, batches](cluster_event_atom, uint64_t first,
                        const std::vector<cluster_event>& batch) {
        *events += batch.size();
        if (batches)
          batches->emplace_back(first, batch.size());
      },
  };
}

struct fixture : test::deterministic_fixture {
  cluster_router_actor spawn_router(const std::string& name,
                                    size_t max_backlog = 1000) {
    cluster_router_settings s;
    s.name = name;
    s.heartbeat = heartbeat;
    s.max_backlog = max_backlog;
    auto r = sys.spawn(cluster_router, s);
    self->send(r, cluster_join_atom_v, name + ":1", std::vector<std::string>{});
    deliver();
    routers.push_back(r);
    return r;
  }

  /// `from` dials `to` (what the middleman's connect would hand it).
  template <class Handle>
  void link(const cluster_router_actor& from, const Handle& to,
            const std::string& address) {
    self->send(from, cluster_link_atom_v, address,
               caf::actor_cast<caf::strong_actor_ptr>(to));
    deliver();
  }

  std::shared_ptr<deliveries> handle(const cluster_router_actor& r,
                                     const std::string& topic) {
    auto log = std::make_shared<deliveries>();
    auto h = sys.spawn(recording_handler, log);
    handlers.push_back(h);
    self->send(r, put_atom_v, cluster_handler_atom_v, std::string{"jmri"}, h);
    self->send(r, put_atom_v, cluster_topics_atom_v, topic);
    deliver();
    return log;
  }

  cluster_view view(const cluster_router_actor& r) {
    cluster_view v;
    auto pending = self->request(r, caf::infinite, get_atom_v);
    deliver();
    pending.receive([&](cluster_view& x) { v = std::move(x); },
                    [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return v;
  }

  const member_view* member(const cluster_view& v, const std::string& name) {
    for (auto& m : v.members)
      if (m.name == name)
        return &m;
    return nullptr;
  }

  /// Runs every message but triggers no timer: the routers' heartbeat
  /// ticks would go on for ever (time passes only in `pass`).
  void deliver() { sched.run(); }

  /// The answer waiting in the test's mailbox.
  template <class T>
  T reply() {
    T result{};
    self->receive([&](T& x) { result = std::move(x); });
    return result;
  }

  /// Lets simulated time pass in half heartbeats, as the ticks do.
  void pass(caf::timespan span) {
    for (caf::timespan t{0}; t < span; t += heartbeat / 2) {
      sched.advance_time(heartbeat / 2);
      deliver();
    }
  }

  ~fixture() override {
    for (auto& r : routers)
      self->send_exit(r, caf::exit_reason::user_shutdown);
    for (auto& h : handlers)
      self->send_exit(h, caf::exit_reason::user_shutdown);
    deliver();
  }

  std::vector<cluster_router_actor> routers;
  std::vector<cluster_handler_actor> handlers;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_router_tests, fixture)

CAF_TEST(a link shows both members up with their addresses) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  link(a, b, "b:1");
  auto va = view(a);
  CAF_CHECK(va.enabled);
  CAF_CHECK_EQUAL(va.name, "a");
  CAF_CHECK_EQUAL(va.address, "a:1");
  CAF_CHECK_EQUAL(va.heartbeat_ms, 1000);
  CAF_REQUIRE_EQUAL(va.members.size(), 1u);
  CAF_CHECK_EQUAL(va.members[0].name, "b");
  CAF_CHECK_EQUAL(va.members[0].address, "b:1");
  CAF_CHECK(va.members[0].state == member_state::up);
  auto vb = view(b);
  CAF_REQUIRE_NOT_EQUAL(member(vb, "a"), nullptr);
  CAF_CHECK(member(vb, "a")->state == member_state::up);
}

CAF_TEST(events go once to each member taking the topic and never back) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  auto c = spawn_router("c");
  link(a, b, "b:1");
  link(a, c, "c:1");
  link(b, c, "c:1");
  auto at_a = handle(a, "unrelated");
  auto at_b = handle(b, "jmri");
  auto at_c = handle(c, "jmri/client/k");
  self->send(a, cluster_publish_atom_v, std::string{"jmri"},
             caf::make_message(int32_t{7}));
  deliver();
  CAF_CHECK_EQUAL(at_b->numbers, std::vector<int32_t>{7});
  CAF_CHECK(at_c->numbers.empty());
  CAF_CHECK(at_a->numbers.empty());
  self->send(a, cluster_publish_atom_v, std::string{"jmri/client/k"},
             caf::make_message(int32_t{8}));
  deliver();
  CAF_CHECK_EQUAL(at_c->numbers, std::vector<int32_t>{8});
  CAF_CHECK_EQUAL(at_b->numbers.size(), 1u);
  // Published on b: reaches nobody (a and c do not take "jmri"), and b's
  // own handler is not handed its own event.
  self->send(b, cluster_publish_atom_v, std::string{"jmri"},
             caf::make_message(int32_t{9}));
  deliver();
  CAF_CHECK_EQUAL(at_b->numbers.size(), 1u);
  CAF_CHECK(at_a->numbers.empty());
}

CAF_TEST(events arrive in the order they were published) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  link(b, a, "a:1");
  auto at_b = handle(b, "jmri");
  for (int32_t i = 0; i < 600; ++i)
    self->send(a, cluster_publish_atom_v, std::string{"jmri"},
               caf::make_message(i));
  deliver();
  CAF_REQUIRE_EQUAL(at_b->numbers.size(), 600u);
  for (int32_t i = 0; i < 600; ++i)
    CAF_CHECK_EQUAL(at_b->numbers[static_cast<size_t>(i)], i);
}

CAF_TEST(a withdrawn topic is no longer forwarded) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  link(a, b, "b:1");
  auto at_b = handle(b, "jmri");
  self->send(b, put_atom_v, cluster_topics_atom_v, std::string{"jmri"});
  self->send(b, delete_atom_v, cluster_topics_atom_v, std::string{"jmri"});
  deliver();
  self->send(a, cluster_publish_atom_v, std::string{"jmri"},
             caf::make_message(int32_t{1}));
  deliver();
  CAF_CHECK_EQUAL(at_b->numbers.size(), 1u); // counted: one put still holds
  self->send(b, delete_atom_v, cluster_topics_atom_v, std::string{"jmri"});
  deliver();
  self->send(a, cluster_publish_atom_v, std::string{"jmri"},
             caf::make_message(int32_t{2}));
  deliver();
  CAF_CHECK_EQUAL(at_b->numbers.size(), 1u);
}

CAF_TEST(a request answers the sum of the members counts) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  auto c = spawn_router("c");
  link(a, b, "b:1");
  link(a, c, "c:1");
  self->send(a, cluster_request_atom_v, std::string{"jmri"},
             caf::make_message(int32_t{1}));
  deliver();
  CAF_CHECK_EQUAL(reply<uint64_t>(), 0u);
  auto at_b = handle(b, "jmri");
  auto at_c = handle(c, "jmri");
  at_b->answer = 2;
  at_c->answer = 3;
  self->send(a, cluster_request_atom_v, std::string{"jmri"},
             caf::make_message(int32_t{1}));
  deliver();
  CAF_CHECK_EQUAL(reply<uint64_t>(), 5u);
  self->send(a, cluster_owner_atom_v, std::string{"jmri"});
  deliver();
  auto owner = reply<std::string>();
  CAF_CHECK(owner == "b" || owner == "c");
}

CAF_TEST(a member whose router ends is down and announced) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  link(a, b, "b:1");
  auto members = sys.groups().get_local(groups::cluster);
  self->join(members);
  self->send_exit(b, caf::exit_reason::kill);
  deliver();
  auto v = view(a);
  CAF_REQUIRE_NOT_EQUAL(member(v, "b"), nullptr);
  CAF_CHECK(member(v, "b")->state == member_state::down);
  CAF_CHECK_NOT_EQUAL(member(v, "b")->last_seen_ms, -1);
  bool announced = false;
  while (!self->mailbox().empty())
    self->receive([&](notify_atom, const notification_ptr& n) {
      if (auto x = std::get_if<cluster_changed>(&n->event()))
        announced =
            announced || (x->name == "b" && x->state == member_state::down);
    });
  CAF_CHECK(announced);
  self->leave(members);
}

CAF_TEST(a silent member is down within three heartbeats) {
  auto a = spawn_router("a");
  auto events = std::make_shared<uint64_t>(0);
  auto m = sys.spawn(mute_peer, events, std::shared_ptr<batch_log>{});
  link(a, m, "m:1");
  CAF_CHECK(member(view(a), "m")->state == member_state::up);
  pass(2 * heartbeat);
  CAF_CHECK(member(view(a), "m")->state == member_state::up);
  pass(heartbeat);
  CAF_CHECK(member(view(a), "m")->state == member_state::down);
  self->send_exit(m, caf::exit_reason::user_shutdown);
  deliver();
}

CAF_TEST(events to a member that acknowledges nothing stop at the backlog) {
  auto a = spawn_router("a", 5);
  auto events = std::make_shared<uint64_t>(0);
  auto m = sys.spawn(mute_peer, events, std::shared_ptr<batch_log>{});
  link(a, m, "m:1");
  for (int32_t i = 0; i < 50; ++i)
    self->send(a, cluster_publish_atom_v, std::string{"jmri"},
               caf::make_message(i));
  deliver();
  CAF_CHECK_EQUAL(*events, 5u);
  self->send_exit(m, caf::exit_reason::user_shutdown);
  deliver();
}

CAF_TEST(a burst of events crosses a link in numbered batches of 256 at most) {
  auto a = spawn_router("a");
  auto events = std::make_shared<uint64_t>(0);
  auto batches = std::make_shared<batch_log>();
  auto m = sys.spawn(mute_peer, events, batches);
  link(a, m, "m:1");
  // 600 events queued before the router runs: one burst.
  for (int32_t i = 0; i < 600; ++i)
    self->send(a, cluster_publish_atom_v, std::string{"jmri"},
               caf::make_message(i));
  deliver();
  CAF_CHECK_EQUAL(*events, 600u);
  CAF_CHECK_EQUAL(*batches, (batch_log{{1, 256}, {257, 256}, {513, 88}}));
  // A lone event goes out at once, as a batch of one.
  self->send(a, cluster_publish_atom_v, std::string{"jmri"},
             caf::make_message(int32_t{600}));
  deliver();
  CAF_CHECK_EQUAL(batches->back(), (std::pair<uint64_t, size_t>{601, 1}));
  self->send_exit(m, caf::exit_reason::user_shutdown);
  deliver();
}

CAF_TEST(events queued before a request reach the member before it) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  link(a, b, "b:1");
  auto at_b = handle(b, "jmri");
  for (int32_t i = 1; i <= 3; ++i)
    self->send(a, cluster_publish_atom_v, std::string{"jmri"},
               caf::make_message(i));
  self->send(a, cluster_request_atom_v, std::string{"jmri"},
             caf::make_message(int32_t{4}));
  for (int32_t i = 5; i <= 6; ++i)
    self->send(a, cluster_publish_atom_v, std::string{"jmri"},
               caf::make_message(i));
  deliver();
  CAF_CHECK_EQUAL(reply<uint64_t>(), 1u);
  CAF_CHECK_EQUAL(at_b->numbers, (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
}

CAF_TEST(a second node with a name in use is refused) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  link(b, a, "a:1");
  auto impostor = spawn_router("b");
  link(impostor, a, "a:1");
  auto v = view(a);
  size_t bs = 0;
  for (auto& x : v.members)
    bs += x.name == "b" ? 1 : 0;
  CAF_CHECK_EQUAL(bs, 1u);
  CAF_CHECK(member(v, "b")->state == member_state::up);
  CAF_CHECK(view(impostor).members.empty() ||
            member(view(impostor), "a") == nullptr ||
            member(view(impostor), "a")->state != member_state::up);
}

CAF_TEST(members learn of each other through a common member) {
  auto a = spawn_router("a");
  auto b = spawn_router("b");
  auto c = spawn_router("c");
  link(b, a, "a:1");
  link(c, b, "b:1");
  // Without a middleman the routers cannot dial; they know whom to dial.
  auto va = view(a);
  CAF_REQUIRE_NOT_EQUAL(member(va, "c"), nullptr);
  CAF_CHECK_EQUAL(member(va, "c")->address, "c:1");
  auto vc = view(c);
  CAF_REQUIRE_NOT_EQUAL(member(vc, "a"), nullptr);
  CAF_CHECK(member(vc, "a")->state == member_state::connecting);
}

CAF_TEST_FIXTURE_SCOPE_END()
