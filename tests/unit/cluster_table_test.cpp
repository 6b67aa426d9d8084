// The rules of the cluster router without actors: membership (configured
// addresses, learned members, hellos merged and refused), the numbered
// streams (backlog bound, duplicates, acknowledgements), silence, the
// view, the dialling rule and back-off; and "host:port" parsing.
#define CAF_SUITE cluster_table

#include <caf/test/unit_test.hpp>

#include "actors/cluster_table.hpp"
#include "core/host_port.hpp"

using namespace signalbox;
using namespace std::chrono_literals;

namespace {

using clock_type = cluster_table::clock;

cluster_hello hello(std::string name, std::string address,
                    uint64_t incarnation = 1) {
  cluster_hello h;
  h.protocol = cluster_protocol;
  h.name = std::move(name);
  h.address = std::move(address);
  h.incarnation = incarnation;
  return h;
}

const clock_type::time_point t0{};

} // namespace

CAF_TEST(host port strings are split and refused when malformed) {
  auto x = parse_host_port("127.0.0.1:4100");
  CAF_REQUIRE(x.has_value());
  CAF_CHECK_EQUAL(x->host, "127.0.0.1");
  CAF_CHECK_EQUAL(x->port, 4100u);
  auto v6 = parse_host_port("[::1]:65535");
  CAF_REQUIRE(v6.has_value());
  CAF_CHECK_EQUAL(v6->host, "::1");
  CAF_CHECK_EQUAL(to_string(*v6), "[::1]:65535");
  CAF_CHECK_EQUAL(to_string(*parse_host_port("gw-a:1")), "gw-a:1");
  for (auto bad : {"", "host", "host:", ":4100", "host:0", "host:65536",
                   "host:41x", "host:4100 ", "::1:4100", "[::1]4100", "[::1",
                   "a b:1", "host:123456", "[]:1"})
    CAF_CHECK(!parse_host_port(bad).has_value());
}

CAF_TEST(a configured address is named by its first hello) {
  cluster_table t{"a", 100};
  CAF_CHECK(t.add_configured("127.0.0.1:4101"));
  CAF_CHECK(!t.add_configured("127.0.0.1:4101"));
  auto v = t.view();
  CAF_REQUIRE_EQUAL(v.size(), 1u);
  CAF_CHECK_EQUAL(v[0].name, "");
  CAF_CHECK(v[0].state == member_state::connecting);
  CAF_CHECK_EQUAL(v[0].last_seen_ms, -1);
  auto& p = t.link_up("127.0.0.1:4101", hello("b", "127.0.0.1:4101"), t0, 42);
  CAF_CHECK_EQUAL(p.name, "b");
  CAF_CHECK(p.configured);
  v = t.view();
  CAF_REQUIRE_EQUAL(v.size(), 1u);
  CAF_CHECK_EQUAL(v[0].name, "b");
  CAF_CHECK(v[0].state == member_state::up);
  CAF_CHECK_EQUAL(v[0].last_seen_ms, 42);
}

CAF_TEST(a dialled name that advertises another address keeps one entry) {
  cluster_table t{"a", 100};
  t.add_configured("localhost:4101");
  t.link_up("localhost:4101", hello("b", "127.0.0.1:4101"), t0, 1);
  CAF_REQUIRE_EQUAL(t.peers().size(), 1u);
  CAF_CHECK_EQUAL(t.peers()[0].address, "127.0.0.1:4101");
  // b learned by gossip first, then its configured address answered.
  cluster_table u{"a", 100};
  CAF_CHECK(u.learn({"b", "127.0.0.1:4101"}));
  u.add_configured("gw-b:4101");
  u.link_up("gw-b:4101", hello("b", "127.0.0.1:4101"), t0, 1);
  CAF_CHECK_EQUAL(u.peers().size(), 1u);
  CAF_CHECK(u.peers()[0].configured);
}

CAF_TEST(members are learned once and never this node itself) {
  cluster_table t{"b", 100};
  CAF_CHECK(t.learn({"c", "127.0.0.1:4102"}));
  CAF_CHECK(!t.learn({"c", "127.0.0.1:4102"}));
  CAF_CHECK(!t.learn({"b", "127.0.0.1:4101"}));
  CAF_CHECK(!t.learn({"", "127.0.0.1:4109"}));
  CAF_CHECK_EQUAL(t.peers().size(), 1u);
  // A member that is not up may move (restarted on another port).
  CAF_CHECK(!t.learn({"c", "127.0.0.1:5555"}));
  CAF_CHECK_EQUAL(t.find("c")->address, "127.0.0.1:5555");
  t.link_up("", hello("c", "127.0.0.1:5555"), t0, 1);
  CAF_CHECK(!t.learn({"c", "127.0.0.1:6666"}));
  CAF_CHECK_EQUAL(t.find("c")->address, "127.0.0.1:5555");
}

CAF_TEST(hellos are refused for the own name a name in use or another protocol) {
  cluster_table t{"a", 100};
  auto why = [&](const cluster_hello& h) { return t.refusal(h).value_or(""); };
  CAF_CHECK_EQUAL(why(hello("a", "x:1")),
                  "cluster.name a is this node's own name");
  CAF_CHECK(!t.refusal(hello("b", "x:2")));
  t.link_up("", hello("b", "x:2", 7), t0, 1);
  // The same node again (both sides dialled at once): fine.
  CAF_CHECK(!t.refusal(hello("b", "x:2", 7)));
  CAF_CHECK_EQUAL(why(hello("b", "x:3", 8)),
                  "cluster.name b is already a member");
  // Once it is down, a restart of b (a new incarnation) is welcome.
  CAF_CHECK(t.link_down("b"));
  CAF_CHECK(!t.link_down("b"));
  CAF_CHECK(!t.refusal(hello("b", "x:3", 8)));
  auto other = hello("c", "x:4");
  other.protocol = cluster_protocol + 1;
  CAF_CHECK(t.refusal(other).has_value());
  CAF_CHECK(t.refusal(hello("", "x:5")).has_value());
}

CAF_TEST(only up members taking a topic receive it) {
  cluster_table t{"a", 100};
  auto hb = hello("b", "x:2");
  hb.topics = {"jmri", "jmri/client/k"};
  t.link_up("", hb, t0, 1);
  t.link_up("", hello("c", "x:3"), t0, 1);
  auto r = t.recipients("jmri");
  CAF_REQUIRE_EQUAL(r.size(), 1u);
  CAF_CHECK_EQUAL(r[0]->name, "b");
  CAF_CHECK(t.recipients("jmri/client/other").empty());
  t.find("c")->topics.insert("jmri");
  CAF_CHECK_EQUAL(t.recipients("jmri").size(), 2u);
  t.link_down("b");
  CAF_CHECK_EQUAL(t.recipients("jmri").size(), 1u);
  CAF_CHECK(t.find("b")->topics.empty());
}

CAF_TEST(the stream to a member is bounded by what it acknowledged) {
  cluster_table t{"a", 3};
  auto& p = t.link_up("", hello("b", "x:2"), t0, 1);
  auto next = [&] { return t.next_seq(p).value_or(0); };
  CAF_CHECK_EQUAL(next(), 1u);
  CAF_CHECK_EQUAL(next(), 2u);
  CAF_CHECK_EQUAL(next(), 3u);
  CAF_CHECK_EQUAL(next(), 0u);
  CAF_CHECK_EQUAL(p.dropped, 1u);
  cluster_table::acknowledged(p, 2);
  CAF_CHECK_EQUAL(next(), 4u);
  // Acknowledgements beyond what was sent or going back are ignored.
  cluster_table::acknowledged(p, 99);
  CAF_CHECK_EQUAL(p.acked, 2u);
  cluster_table::acknowledged(p, 1);
  CAF_CHECK_EQUAL(p.acked, 2u);
}

CAF_TEST(numbers seen before are duplicates and acks fall due in batches) {
  cluster_table t{"a", 100};
  auto& p = t.link_up("", hello("b", "x:2"), t0, 1);
  CAF_CHECK(cluster_table::take(p, 1));
  CAF_CHECK(cluster_table::take(p, 3)); // 2 was lost on a broken link
  CAF_CHECK(!cluster_table::take(p, 2));
  CAF_CHECK(!cluster_table::take(p, 3));
  CAF_CHECK_EQUAL(p.duplicates, 2u);
  CAF_CHECK(!cluster_table::ack_due(p));
  for (uint64_t s = 4; s <= cluster_table::ack_every; ++s)
    cluster_table::take(p, s);
  CAF_CHECK(cluster_table::ack_due(p));
}

CAF_TEST(a new incarnation starts both streams afresh) {
  cluster_table t{"a", 100};
  auto& p = t.link_up("", hello("b", "x:2", 1), t0, 1);
  cluster_table::take(p, 10);
  t.next_seq(p);
  t.link_down("b");
  // The same incarnation after a reconnect: numbering goes on.
  auto& same = t.link_up("", hello("b", "x:2", 1), t0, 1);
  CAF_CHECK_EQUAL(same.received, 10u);
  CAF_CHECK_EQUAL(same.sent, 1u);
  CAF_CHECK(!cluster_table::take(same, 10));
  t.link_down("b");
  auto& fresh = t.link_up("", hello("b", "x:2", 2), t0, 1);
  CAF_CHECK_EQUAL(fresh.received, 0u);
  CAF_CHECK_EQUAL(fresh.sent, 0u);
  CAF_CHECK(cluster_table::take(fresh, 1));
}

CAF_TEST(silent up members are found by their last message) {
  cluster_table t{"a", 100};
  t.link_up("", hello("b", "x:2"), t0, 1);
  t.link_up("", hello("c", "x:3"), t0 + 2s, 1);
  CAF_CHECK(t.silent(t0).empty());
  auto s = t.silent(t0 + 1s);
  CAF_REQUIRE_EQUAL(s.size(), 1u);
  CAF_CHECK_EQUAL(s[0], "b");
  cluster_table::heard(*t.find("b"), t0 + 3s, 99);
  CAF_CHECK(t.silent(t0 + 1s).empty());
  CAF_CHECK_EQUAL(t.find("b")->last_seen_ms, 99);
  t.link_down("c");
  CAF_CHECK(t.silent(t0 + 10s).size() == 1u); // b only: c is down
}

CAF_TEST(the view lists members by name and unreached addresses last) {
  cluster_table t{"a", 100};
  t.add_configured("z:1");
  t.learn({"c", "x:3"});
  t.link_up("", hello("b", "x:2"), t0, 5);
  auto v = t.view();
  CAF_REQUIRE_EQUAL(v.size(), 3u);
  CAF_CHECK_EQUAL(v[0].name, "b");
  CAF_CHECK_EQUAL(v[1].name, "c");
  CAF_CHECK(v[1].state == member_state::connecting);
  CAF_CHECK_EQUAL(v[2].address, "z:1");
  auto up = t.up_members();
  CAF_REQUIRE_EQUAL(up.size(), 1u);
  CAF_CHECK_EQUAL(up[0].name, "b");
}

CAF_TEST(the first name dials and back off doubles up to eight heartbeats) {
  CAF_CHECK(should_dial_first("a", "b"));
  CAF_CHECK(!should_dial_first("b", "a"));
  CAF_CHECK_EQUAL(redial_delay(0, 1000ms).count(), 500);
  CAF_CHECK_EQUAL(redial_delay(1, 1000ms).count(), 1000);
  CAF_CHECK_EQUAL(redial_delay(2, 1000ms).count(), 2000);
  CAF_CHECK_EQUAL(redial_delay(4, 1000ms).count(), 8000);
  CAF_CHECK_EQUAL(redial_delay(40, 1000ms).count(), 8000);
}

CAF_TEST(the owner of a topic is the up member whose name sorts first) {
  cluster_table t{"m", 100};
  auto hc = hello("c", "x:3");
  hc.topics = {"relay/monitor/X"};
  auto hb = hello("b", "x:2");
  hb.topics = {"relay/monitor/X"};
  t.link_up("", hc, t0, 1);
  CAF_CHECK_EQUAL(t.owner("relay/monitor/X")->name, "c");
  t.link_up("", hb, t0, 1);
  CAF_CHECK_EQUAL(t.owner("relay/monitor/X")->name, "b");
  t.link_down("b");
  CAF_CHECK_EQUAL(t.owner("relay/monitor/X")->name, "c");
  CAF_CHECK_EQUAL(t.owner("relay/monitor/Y"), nullptr);
}
