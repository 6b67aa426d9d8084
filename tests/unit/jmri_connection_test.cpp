#define CAF_SUITE jmri_connection
// JMRI's JsonMessageSocketServiceTest and the JsonClientHandlerTest framework
// cases, ported onto signalbox's connection logic with a real directory.
// Where JMRI asserts "no message sent", the test sends a ping afterwards and
// requires the pong to be the very next frame: replies keep request order,
// so anything sent in between would come first.
#include <condition_variable>
#include <deque>
#include <mutex>

#include <caf/actor_system.hpp>
#include <rapidjson/document.h>

#include "fixture.hpp"
#include "protocols/jmri/connection.hpp"
#include "protocols/jmri/jmri_directory.hpp"

using namespace signalbox;
using namespace signalbox::jmri;

namespace {

/// Records frames; `post` queues work that the test thread runs (it plays
/// the connection's strand).
class recording_transport : public transport {
public:
  void write_frame(std::shared_ptr<const std::string> frame) override {
    frames.push_back(*frame);
  }
  void close_after_writes() override { closed = true; }
  void pause_input() override {
    paused = true;
    ++pauses;
  }
  void resume_input() override { paused = false; }
  void post(std::function<void()> fn) override {
    std::lock_guard<std::mutex> guard{mtx_};
    posted_.push_back(std::move(fn));
    cv_.notify_all();
  }

  /// Runs posted work until `done()` or the deadline; false on timeout.
  template <class Predicate>
  bool pump_until(Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock{mtx_};
        if (!cv_.wait_until(lock, deadline, [&] { return !posted_.empty(); }))
          return false;
        fn = std::move(posted_.front());
        posted_.pop_front();
      }
      fn();
    }
    return true;
  }

  std::vector<std::string> frames;
  bool closed = false;
  bool paused = false; // the connection asked not to be read
  int pauses = 0;

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> posted_;
};

struct client {
  client(caf::actor_system& sys, jmri_directory_actor dir,
         size_t max_pending_bytes = 64 * 1024)
      : t(std::make_shared<recording_transport>()) {
    connection_settings settings;
    settings.max_pending_bytes = max_pending_bytes;
    settings.hello.jmri_version = "test";
    settings.hello.railroad = "rr";
    settings.hello.node = "n";
    conn = std::make_shared<connection>(sys, dir, settings, t);
    conn->on_open();
  }

  ~client() { conn->on_closed(); }

  /// Sends `text` and returns the next frame (after the ones already read).
  std::string ask(const std::string& text) {
    auto before = t->frames.size();
    conn->on_text(text);
    if (!t->pump_until([&] { return t->frames.size() > before; }))
      CAF_FAIL("no reply to " << text);
    return take();
  }

  /// Sends `text`, then a ping; true when the pong is the next frame, i.e.
  /// the request got no reply at all.
  bool silent(const std::string& text) {
    conn->on_text(text);
    return ask(R"({"type":"ping"})") == R"({"type":"pong"})";
  }

  std::string take() { return t->frames.at(read_++); }

  /// The ids of this connection, as the client list tells them.
  size_t id_count() {
    auto reply = ask(R"({"type":"client","method":"list"})");
    rapidjson::Document doc;
    doc.Parse(reply.c_str());
    return doc.IsArray() ? doc.Size() : 0;
  }

  std::shared_ptr<recording_transport> t;
  std::shared_ptr<connection> conn;
  size_t read_ = 0;
};

struct fixture {
  fixture() : sys(cfg), dir(spawn_jmri_directory(sys, cluster_router_actor{})) {
    // nop
  }

  ~fixture() { caf::anon_send_exit(dir, caf::exit_reason::user_shutdown); }

  test::config cfg;
  caf::actor_system sys;
  jmri_directory_actor dir;
};

std::string error(int code, const std::string& message, int id = 0) {
  return error_frame(code, message, id);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(jmri_connection_tests, fixture)

CAF_TEST(the server speaks first) {
  client c{sys, dir};
  CAF_REQUIRE_EQUAL(c.t->frames.size(), 1u);
  CAF_CHECK(c.take().rfind(R"({"type":"hello","data":{"JMRI":"test")", 0) == 0);
}

CAF_TEST(testOnMessageHello) {
  client c{sys, dir};
  c.take();
  CAF_CHECK(
      c.ask(R"({"type":"hello","data":{}})").rfind(R"({"type":"hello")", 0) ==
      0);
  CAF_CHECK_EQUAL(c.id_count(), 0u);
  c.ask(R"({"type":"hello","data":{"client":""}})"); // the hello reply
  CAF_CHECK_EQUAL(
      c.take(),
      error(400, R"(Property "client" must not be empty for type hello.)"));
  CAF_CHECK_EQUAL(c.id_count(), 0u);
  c.ask(R"({"type":"hello","data":{"client":"client1"}})");
  CAF_CHECK(c.silent(R"({"type":"locale","data":{"locale":"en-US"}})"));
  CAF_CHECK_EQUAL(c.id_count(), 1u);
}

CAF_TEST(testOnMessagePostClient and testOnMessagePutClient) {
  for (auto method : {"post", "put"}) {
    client c{sys, dir};
    c.take();
    auto msg = [&](const char* data) {
      return std::string{R"({"type":"client","method":")"} + method +
             R"(","data":)" + data + "}";
    };
    CAF_CHECK_EQUAL(
        c.ask(msg("{}")),
        error(400, R"(Property "client" is required for type client.)"));
    CAF_CHECK_EQUAL(
        c.ask(msg(R"({"client":""})")),
        error(400, R"(Property "client" must not be empty for type client.)"));
    CAF_CHECK(c.silent(msg(R"({"client":"client1"})")));
    CAF_CHECK_EQUAL(c.id_count(), 1u);
    CAF_CHECK(c.silent(msg(R"({"client":"client1"})")));
    CAF_CHECK_EQUAL(c.id_count(), 1u);
    CAF_CHECK(c.silent(
        R"({"type":"client","method":"delete","data":{"client":"client1"}})"));
  }
}

CAF_TEST(testOnMessageDeleteClient) {
  client c{sys, dir};
  c.take();
  CAF_CHECK_EQUAL(
      c.ask(R"({"type":"client","method":"delete","data":{}})"),
      error(400, R"(Property "client" is required for type client.)"));
  CAF_CHECK_EQUAL(
      c.ask(R"({"type":"client","method":"delete","data":{"client":""}})"),
      error(400, R"(Property "client" must not be empty for type client.)"));
  CAF_CHECK(c.silent(
      R"({"type":"client","method":"delete","data":{"client":"client1"}})"));
  CAF_CHECK_EQUAL(c.id_count(), 0u);
  CAF_CHECK(c.silent(
      R"({"type":"client","method":"post","data":{"client":"client1"}})"));
  CAF_CHECK_EQUAL(c.id_count(), 1u);
  CAF_CHECK(c.silent(
      R"({"type":"client","method":"delete","data":{"client":"client1"}})"));
  CAF_CHECK_EQUAL(c.id_count(), 0u);
}

CAF_TEST(testOnMessageGetClient) {
  client c{sys, dir};
  c.take();
  rapidjson::Document doc;
  auto first = c.ask(R"({"type":"client","method":"get"})");
  doc.Parse(first.c_str());
  CAF_REQUIRE(doc.IsObject());
  CAF_CHECK_EQUAL(std::string{doc["type"].GetString()}, "client");
  CAF_CHECK_EQUAL(std::string{doc["data"]["client"].GetString()}.size(), 36u);
  CAF_CHECK_EQUAL(c.id_count(), 1u);
  auto again = c.ask(R"({"type":"client","method":"get","data":{}})");
  doc.Parse(again.c_str());
  CAF_REQUIRE(doc.IsArray());
  CAF_CHECK_EQUAL(doc.Size(), 1u);
  auto empty =
      c.ask(R"({"type":"client","method":"get","data":{"client":""}})");
  CAF_CHECK_EQUAL(empty, first);
  CAF_CHECK_EQUAL(
      c.ask(R"({"type":"client","method":"get","data":{"client":"client1"}})"),
      error(404, R"(No client "client1" found for with this connection.)"));
  CAF_CHECK(c.silent(
      R"({"type":"client","method":"put","data":{"client":"client1"}})"));
  CAF_CHECK_EQUAL(
      c.ask(R"({"type":"client","method":"get","data":{"client":"client1"}})"),
      client_frame("client1"));
}

CAF_TEST(testOnListHello and testOnListClient) {
  client c{sys, dir};
  c.take();
  CAF_CHECK(c.ask(R"({"list":"hello"})").rfind(R"([{"type":"hello")", 0) == 0);
  CAF_CHECK_EQUAL(c.take(), error(400, "hello cannot be listed."));
  CAF_CHECK_EQUAL(c.ask(R"({"type":"client","method":"list"})"),
                  error(404, "No client found for with this connection."));
  CAF_CHECK(c.silent(
      R"({"type":"client","method":"put","data":{"client":"client1"}})"));
  CAF_CHECK(c.silent(
      R"({"type":"client","method":"put","data":{"client":"client2"}})"));
  CAF_CHECK_EQUAL(c.id_count(), 2u);
}

CAF_TEST(testOnMessageClientConflicts) {
  client c1{sys, dir};
  client c2{sys, dir};
  c1.take();
  c2.take();
  CAF_CHECK(c1.silent(
      R"({"type":"client","method":"put","data":{"client":"client"}})"));
  CAF_CHECK_EQUAL(
      c2.ask(
          R"({"type":"client","method":"put","data":{"client":"client"},"id":7})"),
      error(409, R"(Client "client" is in use by another connection.)", 7));
  CAF_CHECK_EQUAL(
      c1.ask(R"({"type":"client","method":"get","data":{"client":""}})"),
      client_frame("client"));
  CAF_CHECK_EQUAL(c2.id_count(), 0u);
}

CAF_TEST(JsonClientHandlerTest framework cases) {
  client c{sys, dir};
  c.take();
  auto not_object = c.ask(R"("not a JSON object")");
  CAF_CHECK(not_object.rfind(R"({"type":"error","data":{"code":500,)", 0) == 0);
  CAF_CHECK_EQUAL(c.ask(R"({"type":"ping"})"), R"({"type":"pong"})");
  CAF_CHECK_EQUAL(
      c.ask(R"({"type":"non-existant-type","method":"list"})"),
      error(404, "Unknown object type non-existant-type was requested."));
  CAF_CHECK_EQUAL(
      c.ask(R"({"type":"non-existant-type","method":"get"})"),
      error(404, "Unknown object type non-existant-type was requested."));
  for (auto method : {"post", "put", "delete"})
    CAF_CHECK_EQUAL(
        c.ask(std::string{R"({"type":"test","method":")"} + method + R"("})"),
        error(400, "Data property of JSON message missing."));
  CAF_CHECK(c.silent(R"({"type":"locale","data":{"locale":"en-US"}})"));
  CAF_CHECK_EQUAL(c.ask(R"({"type":"hello","data":{"version":"v4"}})"),
                  error(404, "Unknown object type v4 was requested."));
  CAF_CHECK(!c.t->closed);
  CAF_CHECK_EQUAL(c.ask(R"({"type":"goodbye"})"), R"({"type":"goodbye"})");
  CAF_CHECK(c.t->closed);
}

// A client that writes faster than the directory answers is not dropped:
// its transport is asked to stop reading at the bound and to read again
// once half of it is answered; every request is answered, in order.
CAF_TEST(a flood of waiting requests pauses the transport) {
  client c{sys, dir};
  c.take();
  CAF_REQUIRE(
      c.silent(R"({"type":"client","method":"post","data":{"client":"c1"}})"));
  c.t->frames.clear();
  const std::string list = R"({"type":"client","method":"list"})";
  // The first request waits for the directory; 256 more fill the queue.
  for (int i = 0; i < 256; ++i) {
    c.conn->on_text(list);
    CAF_REQUIRE(!c.t->paused);
  }
  c.conn->on_text(list);
  CAF_CHECK(c.t->paused);
  CAF_REQUIRE(c.t->pump_until([&] { return !c.t->paused; }));
  CAF_CHECK(c.t->pump_until([&] { return c.t->frames.size() == 257; }));
  CAF_CHECK_EQUAL(c.t->pauses, 1);
  CAF_CHECK(!c.t->closed);
  const std::string listed = R"([{"type":"client","data":{"client":"c1"}}])";
  for (auto& frame : c.t->frames)
    CAF_CHECK_EQUAL(frame, listed);
  c.read_ = c.t->frames.size();
  CAF_CHECK_EQUAL(c.ask(list), listed); // and it still answers
}

CAF_TEST(the pending bytes bound pauses the transport too) {
  client c{sys, dir, 1000};
  c.take();
  CAF_REQUIRE(
      c.silent(R"({"type":"client","method":"post","data":{"client":"c1"}})"));
  c.t->frames.clear();
  std::string padded = R"({"type":"client","method":"list","data":{"pad":")" +
                       std::string(100, 'x') + R"("}})";
  int sent = 0;
  while (!c.t->paused && sent < 100) {
    c.conn->on_text(padded);
    ++sent;
  }
  // One in flight, then ten of ~140 bytes reach 1000.
  CAF_CHECK(c.t->paused);
  CAF_CHECK_LESS(sent, 12);
  CAF_CHECK(c.t->pump_until(
      [&] { return c.t->frames.size() == static_cast<size_t>(sent); }));
  CAF_CHECK(!c.t->paused);
}

CAF_TEST_FIXTURE_SCOPE_END()
