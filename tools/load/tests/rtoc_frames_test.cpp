#define CAF_SUITE load_rtoc_frames

#include <string>

#include <caf/test/unit_test.hpp>

#include "tools/load/rtoc_frames.hpp"

using namespace signalbox::load;

using kind = rtoc_frame::kind;

CAF_TEST(data requests spread a batch over the signals) {
  rtoc_request_builder b{"loadab", {"w0-0", "w0-1"}};
  CAF_CHECK_EQUAL(std::string{b.data(7, 3, 123456789012)},
                  R"({"y":[123456789012,123456789012,123456789012],)"
                  R"("x":[7,8,9],"sname":["w0-0","w0-1","w0-0"],)"
                  R"("dname":"loadab"})");
  CAF_CHECK_EQUAL(std::string{b.data(1, 1, 0)},
                  R"({"y":[0],"x":[1],"sname":["w0-0"],"dname":"loadab"})");
}

CAF_TEST(replies and the authorize answer are told apart) {
  rtoc_frame_reader r;
  auto f = r.read(R"({"error":false,"sent":true})");
  CAF_CHECK(f.type == kind::reply);
  CAF_CHECK(!f.flag);
  f = r.read(R"({"error":true})");
  CAF_CHECK(f.type == kind::reply);
  CAF_CHECK(f.flag);
  f = r.read(R"({"authorized":true})");
  CAF_CHECK(f.type == kind::authorized);
  CAF_CHECK(f.flag);
  f = r.read(R"({"authorized":false})");
  CAF_CHECK(f.type == kind::authorized);
  CAF_CHECK(!f.flag);
  // A reply carrying signals is still a reply.
  f = r.read(R"({"error":false,"signals":{"a.b":[[1],[2],"",1,1,1]}})");
  CAF_CHECK(f.type == kind::reply);
  // Only the root's members count.
  f = r.read(R"({"x":{"error":true}})");
  CAF_CHECK(f.type == kind::other);
}

CAF_TEST(a sample push gives its signal x and y) {
  rtoc_frame_reader r;
  auto f = r.read(R"({"signal":{"x":[42.0],"y":[1234567.0],"unit":"V",)"
                  R"("dname":"loadab","sname":"w3","id":5}})");
  CAF_REQUIRE(f.type == kind::sample);
  CAF_CHECK_EQUAL(std::string{f.device}, "loadab");
  CAF_CHECK_EQUAL(std::string{f.signal}, "w3");
  CAF_CHECK_EQUAL(f.x, 42.0);
  CAF_CHECK_EQUAL(f.y, 1234567.0);
  // Integers as the client wrote them, and Python's NaN.
  f = r.read(R"({"signal":{"x":[9007199254740991],"y":[NaN],"unit":null,)"
             R"("dname":"d","sname":"s","id":1}})");
  CAF_REQUIRE(f.type == kind::sample);
  CAF_CHECK(f.x == 9007199254740991.0);
  CAF_CHECK(f.y != f.y);
}

CAF_TEST(other pushes and garbage are not samples) {
  rtoc_frame_reader r;
  // A new signal: empty x and y.
  CAF_CHECK(r.read(R"({"signal":{"x":[],"y":[],"unit":null,"dname":"d",)"
                   R"("sname":"s","id":1}})")
                .type == kind::other);
  CAF_CHECK(r.read(R"({"event":{"x":1,"text":"t"}})").type == kind::other);
  CAF_CHECK(r.read(R"({"client":"newconnected"})").type == kind::other);
  // Two values in one push are not RTOC's shape.
  CAF_CHECK(r.read(R"({"signal":{"x":[1,2],"y":[3,4],"dname":"d",)"
                   R"("sname":"s"}})")
                .type == kind::other);
  CAF_CHECK(r.read("[1]").type == kind::invalid);
  CAF_CHECK(r.read("\"x\"").type == kind::invalid);
  CAF_CHECK(r.read("{").type == kind::invalid);
  CAF_CHECK(r.read("").type == kind::invalid);
}
