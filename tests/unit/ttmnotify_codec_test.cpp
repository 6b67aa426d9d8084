#define CAF_SUITE ttmnotify_codec
#include <rapidjson/document.h>

#include "fixture.hpp"
#include "protocols/ttmnotify/codec.hpp"
#include "protocols/ttmnotify/formats.hpp"

using namespace signalbox;

namespace {

std::string encode(domain_event ev) {
  return ttmnotify::encode(ev);
}

} // namespace

CAF_TEST(refresh frames name the job and the reason) {
  CAF_CHECK_EQUAL(encode(job_list_changed{true, 12, "x"}),
                  R"({"cmd":"refresh","reason":"newjob","jobid":12})");
  CAF_CHECK_EQUAL(encode(job_list_changed{false, 3, "x"}),
                  R"({"cmd":"refresh","reason":"jobremoved","jobid":3})");
}

CAF_TEST(updatejob frames carry the numeric status) {
  for (auto status :
       {job_status::unknown, job_status::running, job_status::starting,
        job_status::stopping, job_status::stopped, job_status::failed_to_start,
        job_status::exited, job_status::exited_with_error, job_status::crashed,
        job_status::killed_by_watchdog}) {
    auto expected = R"({"cmd":"updatejob","jobid":12,"status":)" +
                    std::to_string(static_cast<int>(status)) + "}";
    CAF_CHECK_EQUAL(encode(job_status_changed{12, "job", status, 0, 0}),
                    expected);
  }
}

CAF_TEST(gpioupdate frames carry name and value) {
  CAF_CHECK_EQUAL(encode(gpio_changed{"relay-a", 1}),
                  R"({"cmd":"gpioupdate","gpio":"relay-a","value":1})");
  CAF_CHECK_EQUAL(encode(gpio_changed{"door-sensor", 0}),
                  R"({"cmd":"gpioupdate","gpio":"door-sensor","value":0})");
}

CAF_TEST(dbchange frames for every reason) {
  CAF_CHECK_EQUAL(
      encode(value_changed{"special-setting-A", "Some arbitrary setting",
                           value_change::added}),
      R"({"cmd":"dbchange","key":"special-setting-A","value":"Some arbitrary setting","reason":"added"})");
  CAF_CHECK_EQUAL(
      encode(value_changed{"special-setting-A", "blah", value_change::updated}),
      R"({"cmd":"dbchange","key":"special-setting-A","value":"blah","reason":"updated"})");
  // Removed values always carry the empty string, whatever the event holds.
  CAF_CHECK_EQUAL(
      encode(value_changed{"k", "stale", value_change::removed}),
      R"({"cmd":"dbchange","key":"k","value":"","reason":"removed"})");
}

CAF_TEST(strings are escaped into valid JSON) {
  auto key =
      std::string{"quote\" backslash\\ newline\n tab\t nul"} + '\0' + "end";
  auto value = std::string{"\xc3\xa4\xe2\x82\xac \xf0\x9f\x9a\x82 </script>"};
  auto frame = encode(value_changed{key, value, value_change::updated});
  rapidjson::Document doc;
  doc.Parse(frame.data(), frame.size());
  CAF_REQUIRE(!doc.HasParseError());
  CAF_CHECK_EQUAL(
      std::string(doc["key"].GetString(), doc["key"].GetStringLength()), key);
  CAF_CHECK_EQUAL(std::string(doc["value"].GetString()), value);
  CAF_CHECK(frame.find('\n') == std::string::npos);
}

CAF_TEST(the envelope encodes once and shares the frame) {
  auto n = make_notification(gpio_changed{"relay-b", 1});
  auto& first = n->encoded(ttmnotify::json_format());
  auto& second = n->encoded(ttmnotify::json_format());
  CAF_CHECK_EQUAL(&first, &second);
  CAF_CHECK_EQUAL(first, R"({"cmd":"gpioupdate","gpio":"relay-b","value":1})");
}

CAF_TEST(subprotocol negotiation follows RFC 6455) {
  using ttmnotify::negotiate;
  using ttmnotify::negotiation;
  CAF_CHECK_EQUAL(negotiate(""), negotiation::none);
  CAF_CHECK_EQUAL(negotiate("  "), negotiation::none);
  CAF_CHECK_EQUAL(negotiate(" , "), negotiation::none);
  CAF_CHECK_EQUAL(negotiate("ttmnotify"), negotiation::selected);
  CAF_CHECK_EQUAL(negotiate("other, ttmnotify"), negotiation::selected);
  CAF_CHECK_EQUAL(negotiate("ttmnotify,other"), negotiation::selected);
  CAF_CHECK_EQUAL(negotiate(" \tttmnotify\t "), negotiation::selected);
  CAF_CHECK_EQUAL(negotiate("other"), negotiation::rejected);
  CAF_CHECK_EQUAL(negotiate("ttmnotify2"), negotiation::rejected);
  CAF_CHECK_EQUAL(negotiate("TTMNOTIFY"), negotiation::rejected);
  CAF_CHECK_EQUAL(negotiate("ttm notify"), negotiation::rejected);
}

CAF_TEST(clusterupdate frames name the member its address and state) {
  CAF_CHECK_EQUAL(
      encode(cluster_changed{"gw-b", "127.0.0.1:4101", member_state::up}),
      R"({"cmd":"clusterupdate","name":"gw-b","address":"127.0.0.1:4101","state":"up"})");
  CAF_CHECK_EQUAL(
      encode(cluster_changed{"g\"w", "[::1]:1", member_state::down}),
      R"({"cmd":"clusterupdate","name":"g\"w","address":"[::1]:1","state":"down"})");
}
