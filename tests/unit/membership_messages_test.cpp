// Cluster membership as JMRI messages (protocols/jmri/jmri_cluster_messages)
// and as RTOC events (protocols/rtoc/mirror): exact texts, types, contexts,
// priorities and values, and the changes that make none.
#define CAF_SUITE membership_messages
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <caf/test/unit_test.hpp>

#include "protocols/jmri/jmri_cluster_messages.hpp"
#include "protocols/rtoc/mirror.hpp"

using namespace signalbox;

namespace {

cluster_changed change(std::string name, member_state state) {
  return {std::move(name), "127.0.0.1:4101", state};
}

constexpr double now = 1700000000.25;

} // namespace

CAF_TEST(a member up is a success message naming it) {
  auto msg = cluster_message(change("b", member_state::up), "fr-CA");
  CAF_REQUIRE(msg.has_value());
  CAF_CHECK_EQUAL(msg->message, "Cluster member b (127.0.0.1:4101) is up.");
  CAF_CHECK_EQUAL(msg->type, "success");
  CAF_CHECK_EQUAL(msg->context_json, R"({"cluster":{"name":"b","address":)"
                                     R"("127.0.0.1:4101","state":"up"}})");
  CAF_CHECK_EQUAL(msg->locale, "fr-CA");
  CAF_CHECK_EQUAL(msg->client, "");
}

CAF_TEST(a member lost is a warning message) {
  auto msg = cluster_message(change("b", member_state::down), "en");
  CAF_REQUIRE(msg.has_value());
  CAF_CHECK_EQUAL(msg->message, "Cluster member b (127.0.0.1:4101) is down.");
  CAF_CHECK_EQUAL(msg->type, "warning");
  CAF_CHECK_EQUAL(msg->context_json, R"({"cluster":{"name":"b","address":)"
                                     R"("127.0.0.1:4101","state":"down"}})");
}

CAF_TEST(members not linked yet make no message) {
  CAF_CHECK(!cluster_message(change("b", member_state::connecting), "en"));
  CAF_CHECK(!cluster_message(change("", member_state::down), "en"));
}

CAF_TEST(a member up is an RTOC event of priority 0 and value 1) {
  auto ev = rtoc::mirror_event(change("b", member_state::up), now);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->dname, "cluster");
  CAF_CHECK_EQUAL(ev->sname, "b");
  CAF_CHECK_EQUAL(ev->text, "up");
  CAF_CHECK_EQUAL(ev->x, now);
  CAF_CHECK_EQUAL(ev->priority, 0);
  CAF_CHECK_EQUAL(ev->value_json, "1");
  // RTOC's event id: sha1(sname + dname + text) in hex.
  CAF_CHECK_EQUAL(ev->id, "fe1c93cf25c5fe14717b27cbf2f886e054ec73a0");
}

CAF_TEST(a member lost is an RTOC event of priority 2 and value 0) {
  auto ev = rtoc::mirror_event(change("b", member_state::down), now);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->text, "down");
  CAF_CHECK_EQUAL(ev->priority, 2);
  CAF_CHECK_EQUAL(ev->value_json, "0");
  CAF_CHECK_NOT_EQUAL(
      ev->id, rtoc::mirror_event(change("b", member_state::up), now)->id);
}

CAF_TEST(members not linked yet make no RTOC event) {
  CAF_CHECK(!rtoc::mirror_event(change("b", member_state::connecting), now));
  CAF_CHECK(!rtoc::mirror_event(change("", member_state::down), now));
}
