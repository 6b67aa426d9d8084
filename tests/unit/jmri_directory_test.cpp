// The JMRI directory's own mechanics: client actors per id, ownership,
// unsubscribe without ownership checks, dropping a connection's ids
// explicitly and when it goes down, and the UUIDs it generates.
#define CAF_SUITE jmri_directory
#include <set>

#include "jmri_directory_fixture.hpp"

using namespace signalbox;

namespace {

/// Whether `id` is the lowercase 8-4-4-4-12 form of a version 4, RFC 4122
/// variant UUID.
bool is_uuid_v4(const std::string& id) {
  if (id.size() != 36)
    return false;
  for (size_t k = 0; k < id.size(); ++k) {
    bool dash = k == 8 || k == 13 || k == 18 || k == 23;
    auto c = id[k];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (dash ? c != '-' : !hex)
      return false;
  }
  return id[14] == '4' && std::string{"89ab"}.find(id[19]) != std::string::npos;
}

} // namespace

CAF_TEST(the UUID check accepts only lowercase version 4 UUIDs) {
  CAF_CHECK(is_uuid_v4("3f1c2a9e-8b7d-4e6f-a5c4-0123456789ab"));
  CAF_CHECK(!is_uuid_v4("3F1C2A9E-8B7D-4E6F-A5C4-0123456789AB"));
  CAF_CHECK(!is_uuid_v4("3f1c2a9e-8b7d-1e6f-a5c4-0123456789ab"));
  CAF_CHECK(!is_uuid_v4("3f1c2a9e-8b7d-4e6f-c5c4-0123456789ab"));
  CAF_CHECK(!is_uuid_v4("3f1c2a9e8b7d-4e6f-a5c4-0123456789ab-"));
  CAF_CHECK(!is_uuid_v4("3f1c2a9e-8b7d-4e6f-a5c4-0123456789a"));
}

CAF_TEST(generated ids are version 4 UUIDs and differ) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = make_uuid_v4();
    if (!is_uuid_v4(id))
      CAF_FAIL("not a lowercase version 4 UUID: " << id);
    seen.insert(id);
  }
  CAF_CHECK_EQUAL(seen.size(), 1000u);
}

CAF_TEST_FIXTURE_SCOPE(jmri_directory_tests, test::jmri_fixture)

CAF_TEST(each subscribed id is a client actor that knows its connection) {
  auto conn = connect();
  CAF_REQUIRE(!subscribe("a", conn));
  CAF_REQUIRE_EQUAL(state().clients.count("a"), 1u);
  auto client = state().clients.at("a").actor;
  CAF_REQUIRE(client != nullptr);
  auto owner = self->request(client, caf::infinite, get_atom_v);
  run();
  std::move(owner).receive(
      [&](jmri_sink_actor& x) { CAF_CHECK(x == sink(conn)); },
      [&](caf::error& err) { CAF_FAIL("unexpected error: " << err); });
  // The client actor is the path of a frame: directory -> client -> conn.
  auto frame = std::make_shared<const std::string>("frame");
  self->send(client, jmri_frame_atom_v, frame);
  run();
  CAF_REQUIRE_EQUAL(frames(conn).size(), 1u);
  CAF_CHECK_EQUAL(frames(conn)[0].get(), frame.get());
}

CAF_TEST(ids are listed in subscription order) {
  auto conn = connect();
  for (auto id : {"z", "a", "m"})
    CAF_REQUIRE(!subscribe(id, conn));
  CAF_CHECK_EQUAL(ids_of(conn), (std::vector<std::string>{"z", "a", "m"}));
  unsubscribe("a");
  CAF_CHECK_EQUAL(ids_of(conn), (std::vector<std::string>{"z", "m"}));
}

CAF_TEST(unsubscribe checks no ownership as in JMRI) {
  auto owner = connect();
  auto other = connect();
  CAF_REQUIRE(!subscribe("x", owner));
  // Any connection may cancel any id: the request names no connection.
  unsubscribe("x");
  CAF_CHECK(ids_of(owner).empty());
  CAF_CHECK(!subscribe("x", other));
  CAF_CHECK_EQUAL(ids_of(other), std::vector<std::string>{"x"});
}

CAF_TEST(the client actor of an unsubscribed id ends) {
  auto conn = connect();
  CAF_REQUIRE(!subscribe("a", conn));
  auto client = state().clients.at("a").actor;
  unsubscribe("a");
  CAF_CHECK_EQUAL(state().clients.count("a"), 0u);
  // A terminated actor drops what it is sent: the connection gets nothing.
  self->send(client, jmri_frame_atom_v,
             std::make_shared<const std::string>("late"));
  run();
  CAF_CHECK(frames(conn).empty());
  CAF_CHECK_EQUAL(send(message("after")), 0u);
}

CAF_TEST(unsubscribe_all drops every id of one connection only) {
  auto c1 = connect();
  auto c2 = connect();
  CAF_REQUIRE(!subscribe("a", c1));
  CAF_REQUIRE(!subscribe("b", c1));
  CAF_REQUIRE(!subscribe("c", c2));
  CAF_REQUIRE(ask<ok_atom>(delete_atom_v, sink(c1)));
  CAF_CHECK(ids_of(c1).empty());
  CAF_CHECK_EQUAL(ids_of(c2), std::vector<std::string>{"c"});
  CAF_CHECK_EQUAL(state().clients.size(), 1u);
  CAF_CHECK_EQUAL(state().ids_by_conn.size(), 1u);
  // A connection without ids: fine, nothing changes.
  CAF_CHECK(ask<ok_atom>(delete_atom_v, sink(c1)));
  CAF_CHECK_EQUAL(send(message("left")), 1u);
  CAF_CHECK(frames(c1).empty());
  // The ids are free again, for anyone.
  CAF_CHECK(!subscribe("a", c2));
}

CAF_TEST(a frame sent before an unsubscribe is still delivered) {
  auto conn = connect();
  CAF_REQUIRE(!subscribe("a", conn));
  self->send(directory, jmri_send_atom_v, message("before"));
  self->send(directory, delete_atom_v, std::string{"a"});
  run();
  CAF_CHECK_EQUAL(frames(conn).size(), 1u);
  CAF_CHECK_EQUAL(last_message(conn), "before");
  CAF_CHECK(state().clients.empty());
}

CAF_TEST(a connection going down loses its ids) {
  auto c1 = connect();
  auto c2 = connect();
  CAF_REQUIRE(!subscribe("a", c1));
  CAF_REQUIRE(!subscribe("b", c1));
  CAF_REQUIRE(!subscribe("c", c2));
  self->send_exit(c1, caf::exit_reason::kill);
  run();
  CAF_CHECK(ids_of(c1).empty());
  CAF_CHECK_EQUAL(state().clients.size(), 1u);
  CAF_CHECK_EQUAL(state().clients.count("c"), 1u);
  CAF_CHECK_EQUAL(state().ids_by_conn.size(), 1u);
  CAF_CHECK_EQUAL(send(message("after")), 1u);
  CAF_CHECK(!subscribe("a", c2));
}

CAF_TEST(a connection that resubscribes after dropping its ids is monitored) {
  auto conn = connect();
  CAF_REQUIRE(!subscribe("a", conn));
  unsubscribe("a");
  CAF_REQUIRE(!subscribe("b", conn));
  self->send_exit(conn, caf::exit_reason::kill);
  run();
  CAF_CHECK(state().clients.empty());
  CAF_CHECK(state().ids_by_conn.empty());
}

CAF_TEST(empty ids and missing connections are refused) {
  auto conn = connect();
  auto empty = subscribe("", conn);
  CAF_REQUIRE(empty);
  CAF_CHECK(code_of(empty) == ec::invalid_argument);
  auto nobody = subscribe("a", caf::actor{});
  CAF_REQUIRE(nobody);
  CAF_CHECK(code_of(nobody) == ec::invalid_argument);
  CAF_CHECK(state().clients.empty());
}

CAF_TEST(client actors end with the directory) {
  auto conn = connect();
  CAF_REQUIRE(!subscribe("a", conn));
  auto client = state().clients.at("a").actor;
  self->send_exit(directory, caf::exit_reason::user_shutdown);
  run();
  self->send(client, jmri_frame_atom_v,
             std::make_shared<const std::string>("late"));
  run();
  CAF_CHECK(frames(conn).empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
