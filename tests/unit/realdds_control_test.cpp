// protocols/realdds/control_codec: realdds controls on the node's options
// and the replies dds_device_server would send, errors in its wording.
#define CAF_SUITE realdds_control

#include <string>
#include <vector>

#include "fixture.hpp"
#include "protocols/realdds/cbor_codec.hpp"
#include "protocols/realdds/control_codec.hpp"

using namespace signalbox;
using namespace signalbox::realdds;

namespace {

const sample_id sample{"010f9a5f64d95fd300000000.403", 7};

std::vector<option_value> node_options() {
  option_value relay;
  relay.name = "relay-a";
  relay.type = option_value::kind::gpio;
  relay.number = 1;
  option_value greeting;
  greeting.name = "greeting";
  greeting.type = option_value::kind::text;
  greeting.text = "hello";
  return {relay, greeting};
}

/// The reply's JSON (checking that its CBOR is the same value).
std::string reply_of(const std::string& control) {
  auto action = handle_control(control, sample, node_options());
  CAF_REQUIRE(action.reply.has_value());
  CAF_CHECK(!action.set.has_value());
  CAF_CHECK(cbor_of_json(action.reply->json) == action.reply->cbor);
  return action.reply->json;
}

const std::string s = R"("sample":["010f9a5f64d95fd300000000.403",7])";

} // namespace

CAF_TEST(query option answers the value with control and sample) {
  CAF_CHECK_EQUAL(
      reply_of(R"({"id":"query-option","option-name":"relay-a"})"),
      R"({"control":{"id":"query-option","option-name":"relay-a"},)" + s +
          R"(,"value":1})");
  CAF_CHECK_EQUAL(
      reply_of(
          R"({"id":"query-option","option-name":"greeting","stream-name":""})"),
      R"({"control":{"id":"query-option","option-name":"greeting","stream-name":""},)" +
          s + R"(,"value":"hello"})");
}

CAF_TEST(query options answers every device option flat) {
  auto all = R"("option-values":{"relay-a":1,"greeting":"hello"},)" + s;
  CAF_CHECK_EQUAL(reply_of(R"({"id":"query-options"})"),
                  R"({"control":{"id":"query-options"},)" + all + "}");
  CAF_CHECK_EQUAL(reply_of(R"({"id":"query-options","stream-name":""})"),
                  R"({"control":{"id":"query-options","stream-name":""},)" +
                      all + "}");
  // No streams: a sensor has no options.
  CAF_CHECK_EQUAL(
      reply_of(R"({"id":"query-options","sensor-name":"RGB"})"),
      R"({"control":{"id":"query-options","sensor-name":"RGB"},"option-values":{},)" +
          s + "}");
}

CAF_TEST(set option returns what to set and its reply has the value set) {
  struct {
    const char* control;
    option_value::kind type;
    int64_t number;
    const char* text;
  } cases[] = {
      {R"({"id":"set-option","option-name":"relay-a","value":0})",
       option_value::kind::gpio, 0, ""},
      {R"({"id":"set-option","option-name":"relay-a","value":1.0})",
       option_value::kind::gpio, 1, ""},
      {R"({"id":"set-option","option-name":"relay-a","value":true})",
       option_value::kind::gpio, 1, ""},
      {R"({"id":"set-option","option-name":"relay-a","value":false,"stream-name":""})",
       option_value::kind::gpio, 0, ""},
      {R"({"id":"set-option","option-name":"greeting","value":"hi"})",
       option_value::kind::text, 0, "hi"},
  };
  for (auto& c : cases) {
    auto action = handle_control(c.control, sample, node_options());
    CAF_REQUIRE(action.set.has_value());
    CAF_CHECK(!action.reply.has_value());
    auto& v = action.set->value;
    CAF_CHECK(v.type == c.type);
    CAF_CHECK_EQUAL(v.number, c.number);
    CAF_CHECK_EQUAL(v.text, c.text);
    CAF_CHECK_EQUAL(action.control_json, c.control);
  }
  option_value now;
  now.name = "relay-a";
  now.number = 1;
  auto control = R"({"id":"set-option","option-name":"relay-a","value":true})";
  CAF_CHECK_EQUAL(set_option_reply(control, sample, now).json,
                  std::string{R"({"control":)"} + control + "," + s +
                      R"(,"value":1})");
}

CAF_TEST(errors carry status and explanation in realdds wording) {
  auto err = [](const std::string& control, const std::string& explanation) {
    return R"({"control":)" + control + R"(,"explanation":")" + explanation +
           R"(",)" + s + R"(,"status":"error"})";
  };
  const std::pair<std::string, std::string> cases[] = {
      {R"({"id":"query-option","option-name":"nope"})",
       "device option 'nope' not found"},
      {R"({"id":"query-option"})", "device option '' not found"},
      {R"({"id":"query-option","option-name":"relay-a","stream-name":"Color"})",
       "'Color' option 'relay-a' not found"},
      {R"({"id":"query-option","option-name":"Relay-A"})",
       "device option 'Relay-A' not found"}, // names are case-sensitive
      {R"({"id":"query-options","stream-name":"Color"})",
       "stream 'Color' not found"},
      {R"({"id":"query-options","stream-name":3})",
       "stream-name expected as a string"},
      {R"({"id":"query-options","sensor-name":null})",
       "sensor-name expected as a string"},
      {R"({"id":"set-option","value":1})",
       "[json.exception.out_of_range.403] key 'option-name' not found"},
      {R"({"id":"set-option","option-name":5,"value":1})",
       "[json.exception.type_error.302] type must be string, but is number"},
      {R"({"id":"set-option","option-name":"relay-a"})",
       "[json.exception.out_of_range.403] key 'value' not found"},
      {R"({"id":"set-option","option-name":"relay-a","value":2})",
       "value 2 > 1 maximum"},
      {R"({"id":"set-option","option-name":"relay-a","value":-1})",
       "value -1 < 0 minimum"},
      {R"({"id":"set-option","option-name":"relay-a","value":0.5})",
       "not convertible to a signed integer: 0.5"},
      {R"({"id":"set-option","option-name":"relay-a","value":"on"})",
       R"(not convertible to a signed integer: \"on\")"},
      {R"({"id":"set-option","option-name":"greeting","value":5})",
       "not a string: 5"},
      {R"({"id":"set-option","option-name":"nope","value":1})",
       "device option 'nope' not found"},
      {R"({"id":"hw-reset"})", "invalid control"},
      {R"({"id":"open-streams","stream-profiles":{}})", "invalid control"},
  };
  for (auto& [control, explanation] : cases)
    CAF_CHECK_EQUAL(reply_of(control), err(control, explanation));
}

CAF_TEST(a control without an id is answered without echoing it) {
  auto bare = [](const std::string& explanation) {
    return R"({"explanation":")" + explanation + R"(",)" + s +
           R"(,"status":"error"})";
  };
  CAF_CHECK_EQUAL(reply_of(R"({"option-name":"relay-a"})"),
                  bare("[json.exception.out_of_range.403] key 'id' not found"));
  CAF_CHECK_EQUAL(
      reply_of(R"({"id":["set-option"]})"),
      bare(
          "[json.exception.type_error.302] type must be string, but is array"));
  for (auto text : {"", "nope", "[1,2]", "\"set-option\"", "{\"id\":"})
    CAF_CHECK_EQUAL(reply_of(text), bare("control is not a JSON object"));
  // Nested deeper than realdds' flat controls ever are.
  auto deep = R"({"id":"query-options","x":)" + std::string(20, '[') +
              std::string(20, ']') + "}";
  CAF_CHECK_EQUAL(reply_of(deep), bare("control is not a JSON object"));
}

CAF_TEST(a reply that would pass the bound echoes the control shortened) {
  // A control of nearly 4096 bytes, echoed whole with its sample, would not
  // fit: its short members say what was asked.
  auto pad = std::string(4000, 'x');
  auto big =
      R"({"id":"query-option","option-name":"relay-a","pad":")" + pad + R"("})";
  CAF_CHECK_EQUAL(
      reply_of(big),
      R"({"control":{"id":"query-option","option-name":"relay-a"},)" + s +
          R"(,"value":1})");
}

CAF_TEST(an answer that would pass the bound is an error saying so) {
  auto options = node_options();
  options[1].text = std::string(5000, 'v'); // a long shared value
  auto action = handle_control(
      R"({"id":"query-option","option-name":"greeting"})", sample, options);
  CAF_REQUIRE(action.reply.has_value());
  CAF_CHECK_LESS_OR_EQUAL(action.reply->size(), max_message_bytes);
  CAF_CHECK_EQUAL(
      action.reply->json,
      R"({"control":{"id":"query-option"},"explanation":"the reply would pass realdds' 4096-byte message bound",)" +
          s + R"(,"status":"error"})");
}
