// JMRI's own unit tests of the message service
// (java/test/jmri/server/json/message/), ported to the directory actor:
// JsonMessageClientManagerTest, JsonMessageTest.testSend and the cases of
// JsonMessageSocketServiceTest that belong to the registry. A stand-in
// connection's last frame plays JsonMockConnection.getMessage().
#define CAF_SUITE jmri_message_service
#include <regex>

#include "jmri_directory_fixture.hpp"
#include "protocols/jmri/codec.hpp"

using namespace signalbox;

namespace {

bool is_uuid(const std::string& str) {
  static const std::regex uuid{
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"};
  return std::regex_match(str, uuid);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(jmri_message_service_tests, test::jmri_fixture)

// -- JsonMessageClientManagerTest ---------------------------------------------

CAF_TEST(client manager testSubscribe) {
  auto c1 = connect();
  auto c2 = connect();
  CAF_CHECK(!subscribe("1", c1));
  auto conflict = subscribe("1", c2);
  CAF_REQUIRE(conflict);
  CAF_CHECK(code_of(conflict) == ec::conflict);
  CAF_CHECK(!subscribe("2", c2));
  CAF_CHECK_EQUAL(send(message("testSubscribe1")), 2u);
  CAF_CHECK_EQUAL(last_message(c1), "testSubscribe1");
  CAF_CHECK_EQUAL(last_message(c2), "testSubscribe1");
}

CAF_TEST(client manager testUnsubscribe) {
  auto c1 = connect();
  auto c2 = connect();
  CAF_REQUIRE(!subscribe("1", c1));
  CAF_REQUIRE(!subscribe("2", c2));
  send(message("testUnsubscribe1"));
  CAF_CHECK_EQUAL(last_message(c1), "testUnsubscribe1");
  CAF_CHECK_EQUAL(last_message(c2), "testUnsubscribe1");
  unsubscribe("2");
  CAF_CHECK_EQUAL(send(message("testUnsubscribe2")), 1u);
  CAF_CHECK_EQUAL(last_message(c1), "testUnsubscribe2");
  CAF_CHECK_EQUAL(last_message(c2), "testUnsubscribe1");
}

CAF_TEST(client manager testSend) {
  auto c1 = connect();
  auto c2 = connect();
  CAF_REQUIRE(!subscribe("1", c1));
  CAF_REQUIRE(!subscribe("2", c2));
  send(message("testSend1"));
  CAF_CHECK_EQUAL(last_message(c1), "testSend1");
  CAF_CHECK_EQUAL(last_message(c2), "testSend1");
  CAF_CHECK_EQUAL(send(message("testSend2", "info", "1")), 1u);
  CAF_CHECK_EQUAL(last_message(c1), "testSend2");
  CAF_CHECK_EQUAL(last_message(c2), "testSend1");
}

// -- JsonMessageTest ----------------------------------------------------------

CAF_TEST(message testSend) {
  auto conn = connect();
  CAF_REQUIRE(!subscribe("1", conn));
  send(message("testSend1"));
  {
    auto doc = last(conn);
    CAF_REQUIRE(doc.IsObject());
    CAF_CHECK_EQUAL(doc["type"].GetString(), std::string{"message"});
    CAF_CHECK_EQUAL(doc["data"]["type"].GetString(), std::string{"info"});
    CAF_CHECK_EQUAL(doc["data"]["message"].GetString(),
                    std::string{"testSend1"});
    CAF_CHECK(doc["data"]["context"].IsNull());
    // A message carries no method and no id.
    CAF_CHECK(!doc.HasMember("id"));
    CAF_CHECK(!doc.HasMember("method"));
  }
  CAF_CHECK_EQUAL(send(message("testSend2", "info", "1")), 1u);
  {
    auto doc = last(conn);
    CAF_CHECK_EQUAL(doc["data"]["type"].GetString(), std::string{"info"});
    CAF_CHECK_EQUAL(doc["data"]["message"].GetString(),
                    std::string{"testSend2"});
    CAF_CHECK(doc["data"]["context"].IsNull());
  }
  // A message for an unknown client is dropped: nothing is sent.
  CAF_CHECK_EQUAL(send(message("testSend3", "error", "2")), 0u);
  CAF_CHECK_EQUAL(frames(conn).size(), 2u);
  {
    auto doc = last(conn);
    CAF_CHECK_EQUAL(doc["data"]["type"].GetString(), std::string{"info"});
    CAF_CHECK_EQUAL(doc["data"]["message"].GetString(),
                    std::string{"testSend2"});
  }
  CAF_CHECK_EQUAL(
      send(message("testSend4", "success", "1", R"({"aspect":"Unknown"})")),
      1u);
  {
    auto doc = last(conn);
    CAF_CHECK_EQUAL(doc["data"]["type"].GetString(), std::string{"success"});
    CAF_CHECK_EQUAL(doc["data"]["message"].GetString(),
                    std::string{"testSend4"});
    CAF_REQUIRE(doc["data"]["context"].IsObject());
    CAF_CHECK_EQUAL(doc["data"]["context"]["aspect"].GetString(),
                    std::string{"Unknown"});
  }
}

CAF_TEST(a context that is not a JSON object is sent as null) {
  auto conn = connect();
  CAF_REQUIRE(!subscribe("1", conn));
  for (auto context : {R"("text")", "[1,2]", "42"}) {
    send(message("ctx", "warning", "1", context));
    auto doc = last(conn);
    CAF_REQUIRE(doc.IsObject());
    if (!doc["data"]["context"].IsNull())
      CAF_FAIL("context " << context << " was not sent as null");
    CAF_CHECK_EQUAL(doc["data"]["type"].GetString(), std::string{"warning"});
  }
  CAF_CHECK_EQUAL(frames(conn).size(), 3u);
}

// -- JsonMessageSocketServiceTest (the registry's part) -----------------------

CAF_TEST(socket service testOnMessageClientConflicts) {
  auto conn1 = connect();
  auto conn2 = connect();
  CAF_REQUIRE(!subscribe("client", conn1));
  CAF_CHECK_EQUAL(ids_of(conn1), std::vector<std::string>{"client"});
  auto conflict = subscribe("client", conn2);
  CAF_REQUIRE(conflict);
  CAF_CHECK(code_of(conflict) == ec::conflict);
  CAF_CHECK_EQUAL(text_of(conflict),
                  R"(Client "client" is in use by another connection.)");
  // The text names the constant "client", not the id.
  auto other = subscribe("42", conn1);
  CAF_REQUIRE(!other);
  CAF_CHECK_EQUAL(text_of(subscribe("42", conn2)),
                  R"(Client "client" is in use by another connection.)");
  CAF_CHECK_EQUAL(ids_of(conn1), (std::vector<std::string>{"client", "42"}));
  CAF_CHECK(ids_of(conn2).empty());
  // Nothing was sent to either connection.
  CAF_CHECK(frames(conn1).empty());
  CAF_CHECK(frames(conn2).empty());
}

CAF_TEST(socket service put twice on one connection keeps one id) {
  auto conn = connect();
  CAF_CHECK(!subscribe("client1", conn));
  CAF_CHECK(!subscribe("client1", conn));
  CAF_CHECK_EQUAL(ids_of(conn), std::vector<std::string>{"client1"});
  CAF_CHECK_EQUAL(state().clients.size(), 1u);
  CAF_CHECK(frames(conn).empty());
}

CAF_TEST(socket service delete of an unknown id is silent) {
  auto conn = connect();
  CAF_CHECK(ask<ok_atom>(delete_atom_v, std::string{"client1"}));
  CAF_CHECK(ids_of(conn).empty());
  CAF_REQUIRE(!subscribe("client1", conn));
  CAF_CHECK_EQUAL(ids_of(conn).size(), 1u);
  unsubscribe("client1");
  CAF_CHECK(ids_of(conn).empty());
  CAF_CHECK(frames(conn).empty());
}

CAF_TEST(socket service get without data subscribes a UUID) {
  auto conn = connect();
  auto first = ask<jmri_client_ids>(get_atom_v, sink(conn));
  CAF_REQUIRE(first);
  CAF_CHECK(first->generated);
  CAF_REQUIRE_EQUAL(first->ids.size(), 1u);
  if (!is_uuid(first->ids[0]))
    CAF_FAIL("not a UUID: " << first->ids[0]);
  CAF_CHECK_EQUAL(ids_of(conn), first->ids);
  // The same connection asks again: its existing ids, nothing generated
  // (the session answers them as a list).
  auto second = ask<jmri_client_ids>(get_atom_v, sink(conn));
  CAF_REQUIRE(second);
  CAF_CHECK(!second->generated);
  CAF_CHECK_EQUAL(second->ids, first->ids);
  CAF_CHECK_EQUAL(ids_of(conn).size(), 1u);
  // The generated id is a real subscription: targeted messages reach it.
  CAF_CHECK_EQUAL(send(message("hi", "info", first->ids[0])), 1u);
  CAF_CHECK_EQUAL(last_message(conn), "hi");
}

CAF_TEST(socket service get answers client generated ids as they are) {
  auto conn = connect();
  CAF_REQUIRE(!subscribe("client1", conn));
  CAF_REQUIRE(!subscribe("client2", conn));
  auto got = ask<jmri_client_ids>(get_atom_v, sink(conn));
  CAF_REQUIRE(got);
  CAF_CHECK(!got->generated);
  CAF_CHECK_EQUAL(got->ids, (std::vector<std::string>{"client1", "client2"}));
}

CAF_TEST(socket service list of a connection without ids is empty) {
  auto conn = connect();
  CAF_CHECK(ids_of(conn).empty());
  CAF_REQUIRE(!subscribe("client1", conn));
  CAF_REQUIRE(!subscribe("client2", conn));
  CAF_CHECK_EQUAL(ids_of(conn).size(), 2u);
}

// -- fan-out ------------------------------------------------------------------

CAF_TEST(a connection with two ids gets two copies of a broadcast) {
  auto c1 = connect();
  auto c2 = connect();
  CAF_REQUIRE(!subscribe("a", c1));
  CAF_REQUIRE(!subscribe("b", c1));
  CAF_REQUIRE(!subscribe("c", c2));
  CAF_CHECK_EQUAL(send(message("twice")), 3u);
  CAF_CHECK_EQUAL(frames(c1).size(), 2u);
  CAF_CHECK_EQUAL(frames(c2).size(), 1u);
  // A targeted message reaches only the owner of the id, once.
  CAF_CHECK_EQUAL(send(message("once", "info", "b")), 1u);
  CAF_CHECK_EQUAL(frames(c1).size(), 3u);
  CAF_CHECK_EQUAL(last_message(c1), "once");
  CAF_CHECK_EQUAL(frames(c2).size(), 1u);
}

CAF_TEST(a broadcast is encoded once and shared by every recipient) {
  auto c1 = connect();
  auto c2 = connect();
  CAF_REQUIRE(!subscribe("a", c1));
  CAF_REQUIRE(!subscribe("b", c1));
  CAF_REQUIRE(!subscribe("c", c2));
  send(message("shared"));
  CAF_REQUIRE_EQUAL(frames(c1).size(), 2u);
  CAF_REQUIRE_EQUAL(frames(c2).size(), 1u);
  auto frame = frames(c1)[0];
  CAF_REQUIRE(frame != nullptr);
  CAF_CHECK_EQUAL(frames(c1)[1].get(), frame.get());
  CAF_CHECK_EQUAL(frames(c2)[0].get(), frame.get());
  CAF_CHECK_EQUAL(*frame, jmri::message_frame(message("shared")));
  // The next message is a new frame.
  send(message("next"));
  CAF_CHECK_NOT_EQUAL(frames(c2).back().get(), frame.get());
}

CAF_TEST(a broadcast without clients sends nothing) {
  auto conn = connect();
  CAF_CHECK_EQUAL(send(message("nobody")), 0u);
  CAF_CHECK(frames(conn).empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
