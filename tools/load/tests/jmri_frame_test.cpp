#define CAF_SUITE load_jmri_frame

#include <string>

#include <caf/test/unit_test.hpp>

#include "tools/load/jmri_frame.hpp"

using namespace signalbox::load;

using kind = jmri_frame::kind;

CAF_TEST(the hello announces the heartbeat) {
  jmri_frame_reader r;
  auto f = r.read(R"({"type":"hello","data":{"JMRI":"0.1.0","json":"5.1.0",)"
                  R"("heartbeat":13500,"railroad":"signalbox",)"
                  R"("node":"signalbox-x","activeProfile":null}})");
  CAF_CHECK(f.type == kind::hello);
  CAF_CHECK_EQUAL(f.heartbeat_ms, 13500u);
  CAF_CHECK_EQUAL(
      r.read(R"({"type":"hello","data":{"heartbeat":-5}})").heartbeat_ms, 0u);
  CAF_CHECK_EQUAL(r.read(R"({"type":"hello"})").heartbeat_ms, 0u);
  // Only data's own member counts.
  CAF_CHECK_EQUAL(
      r.read(R"({"type":"hello","heartbeat":5,"data":{"x":{"heartbeat":7}}})")
          .heartbeat_ms,
      0u);
}

CAF_TEST(the envelope types are told apart) {
  jmri_frame_reader r;
  CAF_CHECK(r.read(R"({"type":"pong"})").type == kind::pong);
  CAF_CHECK(r.read(R"({"type":"goodbye"})").type == kind::goodbye);
  CAF_CHECK(r.read(R"({"type":"client","data":{"client":"x"}})").type ==
            kind::other);
  CAF_CHECK(r.read(R"({"data":{}})").type == kind::other);
  CAF_CHECK(r.read(R"({"type":5})").type == kind::other);
  CAF_CHECK(r.read(R"([{"type":"pong"}])").type == kind::invalid);
  CAF_CHECK(r.read(R"("pong")").type == kind::invalid);
  CAF_CHECK(r.read(R"({"type":"pong")").type == kind::invalid);
  CAF_CHECK(r.read(R"({"type":"pong"}{})").type == kind::invalid);
  CAF_CHECK(r.read("").type == kind::invalid);
}

CAF_TEST(a message gives its text whatever the member order) {
  jmri_frame_reader r;
  auto f = r.read(R"({"type":"message","data":{"message":"Train \"12\"",)"
                  R"("context":{"job":{"message":"no","type":"x"}},)"
                  R"("type":"info","locale":"en"}})");
  CAF_CHECK(f.type == kind::message);
  CAF_CHECK_EQUAL(f.text, "Train \"12\"");
  f = r.read(R"({"data":{"type":"error","message":"{}"},"type":"message"})");
  CAF_CHECK(f.type == kind::message);
  CAF_CHECK_EQUAL(f.text, "{}");
  // A reused reader keeps nothing of the previous frame.
  f = r.read(R"({"type":"message","data":{}})");
  CAF_CHECK(f.type == kind::message);
  CAF_CHECK_EQUAL(f.text, "");
}

CAF_TEST(an error gives its code and message) {
  jmri_frame_reader r;
  auto f = r.read(R"({"type":"error","data":{"code":409,"message":)"
                  R"("Client \"client\" is in use by another connection."},)"
                  R"("id":3})");
  CAF_CHECK(f.type == kind::error);
  CAF_CHECK_EQUAL(f.code, 409);
  CAF_CHECK_EQUAL(f.text,
                  R"(Client "client" is in use by another connection.)");
}
