// protocols/realdds/notification_codec: the node's device description and
// change notifications, within the bound and with CBOR equal to JSON.
#define CAF_SUITE realdds_notification

#include <string>
#include <vector>

#include "fixture.hpp"
#include "protocols/realdds/cbor_codec.hpp"
#include "protocols/realdds/notification_codec.hpp"

using namespace signalbox;
using namespace signalbox::realdds;

namespace {

std::string json_of(const encoded& e) {
  CAF_CHECK(cbor_of_json(e.json) == e.cbor);
  CAF_CHECK_LESS_OR_EQUAL(e.size(), max_message_bytes);
  return e.json;
}

option_value gpio(const std::string& name, int64_t v) {
  option_value o;
  o.name = name;
  o.number = v;
  return o;
}

option_value text(const std::string& name, const std::string& v) {
  option_value o;
  o.name = name;
  o.type = option_value::kind::text;
  o.text = v;
  return o;
}

} // namespace

CAF_TEST(device header and options describe the node) {
  CAF_CHECK_EQUAL(
      json_of(device_header(5)),
      R"({"id":"device-header","timestamp":5,"n-streams":0,"extrinsics":[]})");
  CAF_CHECK_EQUAL(json_of(device_options(
                      {gpio("relay-a", 1), text("greeting", "hello")}, 6)),
                  R"({"id":"device-options","timestamp":6,"options":[)"
                  R"(["relay-a",1,0,1,1,0,"GPIO output line"],)"
                  R"(["greeting","hello","","shared value"]]})");
}

CAF_TEST(device options leave out what does not fit and count it) {
  std::vector<option_value> many;
  for (int i = 0; i < 20; ++i)
    many.push_back(text("key" + std::to_string(i), std::string(300, 'v')));
  size_t left_out = 0;
  auto msg = device_options(many, 1, &left_out);
  json_of(msg);
  CAF_CHECK_GREATER(left_out, 0u);
  CAF_CHECK_LESS(left_out, 20u);
  CAF_CHECK(msg.json.find("key0") != std::string::npos);
}

CAF_TEST(changes are notifications with id and timestamp) {
  CAF_CHECK_EQUAL(
      json_of(
          job_status_notification({3, "hello", job_status::exited, 0, 0}, 7)),
      R"({"id":"job-status","timestamp":7,"job-id":3,"name":"hello",)"
      R"("status":15,"status-name":"exited","exit-code":0})");
  CAF_CHECK_EQUAL(
      json_of(job_status_notification(
          {4, "crasher", job_status::crashed, -1, 11}, 8)),
      R"({"id":"job-status","timestamp":8,"job-id":4,"name":"crasher",)"
      R"("status":17,"status-name":"crashed","signal":11})");
  CAF_CHECK_EQUAL(json_of(gpio_notification({"relay-a", 1}, 9)),
                  R"({"id":"gpio","timestamp":9,"line":"relay-a","value":1})");
  CAF_CHECK_EQUAL(
      json_of(
          value_notification({"greeting", "hi", value_change::updated}, 10)),
      R"({"id":"value","timestamp":10,"key":"greeting","value":"hi"})");
  CAF_CHECK_EQUAL(
      json_of(value_notification({"greeting", "", value_change::removed}, 11)),
      R"({"id":"value","timestamp":11,"key":"greeting","removed":true})");
  CAF_CHECK_EQUAL(
      json_of(option_update(gpio("relay-a", 0), 12)),
      R"({"id":"query-options","timestamp":12,"option-values":{"relay-a":0}})");
}

CAF_TEST(a value too long is cut and says so) {
  std::string value;
  for (int i = 0; i < 3000; ++i)
    value += "\xC3\xA9"; // 6000 bytes
  auto msg = value_notification({"big", value, value_change::updated}, 1);
  auto json = json_of(msg);
  CAF_CHECK(json.find(R"("cut":true,"length":6000)") != std::string::npos);
  CAF_CHECK_GREATER(json.size(), max_message_bytes - 100);
}

CAF_TEST(job output and failures become log entries) {
  auto out = job_output_entry("hello", {1700000000123, "stdout", "hi"});
  CAF_CHECK_EQUAL(out.timestamp, 1700000000123000000u);
  CAF_CHECK_EQUAL(out.type, 'I');
  CAF_CHECK_EQUAL(out.text, "hi");
  CAF_CHECK(out.data == (std::vector<std::pair<std::string, std::string>>{
                            {"job", "hello"}, {"stream", "stdout"}}));
  CAF_CHECK_EQUAL(job_output_entry("hello", {1, "stderr", "oops"}).type, 'W');
  auto crash = job_status_entry({4, "crasher", job_status::crashed, -1, 11}, 5);
  CAF_REQUIRE(crash.has_value());
  CAF_CHECK_EQUAL(crash->type, 'E');
  CAF_CHECK_EQUAL(crash->text, "job 'crasher' crashed (signal 11)");
  auto failed =
      job_status_entry({4, "x", job_status::exited_with_error, 3, 0}, 5);
  CAF_REQUIRE(failed.has_value());
  CAF_CHECK_EQUAL(failed->type, 'W');
  CAF_CHECK(!job_status_entry({4, "x", job_status::running, -1, 0}, 5));
  CAF_CHECK(!job_status_entry({4, "x", job_status::exited, 0, 0}, 5));
}

CAF_TEST(timestamps are ns since the epoch) {
  auto t = now_ns();
  CAF_CHECK_GREATER(t, 1700000000000000000u);
  CAF_CHECK_LESS(t, 4102444800000000000u); // 2100
}
