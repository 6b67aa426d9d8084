#define CAF_SUITE jmri_codec
#include <rapidjson/document.h>

#include "fixture.hpp"
#include "protocols/jmri/codec.hpp"

using namespace signalbox;
using namespace signalbox::jmri;

namespace {

/// Parses `text` and requires success.
request parse_ok(std::string_view text) {
  auto result = parse_request(text);
  if (!result.ok())
    CAF_FAIL("parse of " << std::string{text}
                         << " failed: " << result.error_message);
  return *result.req;
}

/// Parses `text` and requires an error.
parse_result parse_error(std::string_view text) {
  auto result = parse_request(text);
  if (result.ok())
    CAF_FAIL("parse of " << std::string{text} << " succeeded");
  return result;
}

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

const std::string processing_prefix =
    "Unable to process JSON message with error: ";

bool starts_with(const std::string& str, const std::string& prefix) {
  return str.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

// -- frames -------------------------------------------------------------------

CAF_TEST(hello frames carry the six keys in JMRI order) {
  hello_info info;
  info.jmri_version = "5.9.2";
  info.railroad = "My JMRI Railroad";
  info.node = "jmri-0123456789ab-1f2e3d4c";
  info.active_profile = "My_Profile";
  CAF_CHECK_EQUAL(
      hello_frame(info),
      R"({"type":"hello","data":{"JMRI":"5.9.2","json":"5.1.0","heartbeat":13500,)"
      R"("railroad":"My JMRI Railroad","node":"jmri-0123456789ab-1f2e3d4c",)"
      R"("activeProfile":"My_Profile"}})");
}

CAF_TEST(hello frames write a missing profile as null) {
  hello_info info;
  info.jmri_version = "1.0";
  info.railroad = "r";
  info.node = "n";
  info.heartbeat_ms = 9000;
  CAF_CHECK_EQUAL(
      hello_frame(info),
      R"({"type":"hello","data":{"JMRI":"1.0","json":"5.1.0","heartbeat":9000,)"
      R"("railroad":"r","node":"n","activeProfile":null}})");
}

CAF_TEST(hello frames echo only positive ids) {
  hello_info info;
  info.jmri_version = "v";
  info.railroad = "r";
  info.node = "n";
  auto base =
      std::string{R"({"type":"hello","data":{"JMRI":"v","json":"5.1.0",)"
                  R"("heartbeat":13500,"railroad":"r","node":"n",)"
                  R"("activeProfile":null})"};
  CAF_CHECK_EQUAL(hello_frame(info, 7), base + R"(,"id":7})");
  CAF_CHECK_EQUAL(hello_frame(info, 0), base + "}");
  CAF_CHECK_EQUAL(hello_frame(info, -7), base + "}");
}

CAF_TEST(the advertised heartbeat is nine tenths of the interval) {
  CAF_CHECK_EQUAL(advertised_heartbeat_ms(default_heartbeat_interval_ms),
                  13500);
  CAF_CHECK_EQUAL(advertised_heartbeat_ms(10000), 9000);
  CAF_CHECK_EQUAL(advertised_heartbeat_ms(5), 5); // Math.round(4.5f) == 5
  CAF_CHECK_EQUAL(advertised_heartbeat_ms(1), 1); // Math.round(0.9f) == 1
  CAF_CHECK_EQUAL(advertised_heartbeat_ms(0), 0);
}

CAF_TEST(pong and goodbye are bare type objects) {
  CAF_CHECK_EQUAL(pong_frame(), R"({"type":"pong"})");
  CAF_CHECK_EQUAL(goodbye_frame(), R"({"type":"goodbye"})");
}

CAF_TEST(error frames match JsonException) {
  CAF_CHECK_EQUAL(
      error_frame(409, error_client_conflict(), 7),
      R"({"type":"error","data":{"code":409,"message":"Client \"client\" is in use by another connection."},"id":7})");
  CAF_CHECK_EQUAL(
      error_frame(400, error_missing_data()),
      R"({"type":"error","data":{"code":400,"message":"Data property of JSON message missing."}})");
  CAF_CHECK_EQUAL(error_frame(404, "x", 0),
                  R"({"type":"error","data":{"code":404,"message":"x"}})");
}

CAF_TEST(error frames echo the absolute value of the id) {
  CAF_CHECK_EQUAL(
      error_frame(500, "m", -12),
      R"({"type":"error","data":{"code":500,"message":"m"},"id":12})");
  CAF_CHECK_EQUAL(
      error_frame(500, "m", std::numeric_limits<int64_t>::max()),
      R"({"type":"error","data":{"code":500,"message":"m"},"id":9223372036854775807})");
  // No int64_t holds |INT64_MIN|: the id is dropped rather than overflowed.
  CAF_CHECK_EQUAL(error_frame(500, "m", std::numeric_limits<int64_t>::min()),
                  R"({"type":"error","data":{"code":500,"message":"m"}})");
}

CAF_TEST(error frames escape their message) {
  CAF_CHECK_EQUAL(
      error_frame(500, "a\"b\\c\nd"),
      R"({"type":"error","data":{"code":500,"message":"a\"b\\c\nd"}})");
}

CAF_TEST(client frames never carry an id) {
  CAF_CHECK_EQUAL(client_frame("client1"),
                  R"({"type":"client","data":{"client":"client1"}})");
  CAF_CHECK_EQUAL(
      client_frame("6f1c2b9e-3d4a-4f7b-9c8d-0123456789ab"),
      R"({"type":"client","data":{"client":"6f1c2b9e-3d4a-4f7b-9c8d-0123456789ab"}})");
}

CAF_TEST(client lists are bare arrays without an id) {
  CAF_CHECK_EQUAL(
      client_list_frame({"a", "b"}),
      R"([{"type":"client","data":{"client":"a"}},{"type":"client","data":{"client":"b"}}])");
  CAF_CHECK_EQUAL(client_list_frame({"a"}, -4),
                  R"([{"type":"client","data":{"client":"a"}}])");
  CAF_CHECK_EQUAL(client_list_frame({}, 0), "[]");
}

CAF_TEST(client lists with an id are wrapped in a list message) {
  CAF_CHECK_EQUAL(
      client_list_frame({"a", "b"}, 42),
      R"({"type":"list","data":[{"type":"client","data":{"client":"a"}},{"type":"client","data":{"client":"b"}}],"id":42})");
}

CAF_TEST(message frames match JsonMessage.toJSON) {
  jmri_message msg;
  msg.message = "Train 12 arrived";
  msg.locale = "en-US";
  CAF_CHECK_EQUAL(
      message_frame(msg),
      R"({"type":"message","data":{"message":"Train 12 arrived","context":null,"type":"info","locale":"en-US"}})");
  msg.type = "success";
  msg.context_json = R"({ "aspect" : "Unknown" })";
  msg.locale = "fr-CA";
  msg.client = "target-is-not-in-the-frame";
  CAF_CHECK_EQUAL(
      message_frame(msg),
      R"({"type":"message","data":{"message":"Train 12 arrived","context":{"aspect":"Unknown"},"type":"success","locale":"fr-CA"}})");
}

CAF_TEST(message defaults are info and en) {
  jmri_message msg;
  msg.message = "m";
  CAF_CHECK_EQUAL(
      message_frame(msg),
      R"({"type":"message","data":{"message":"m","context":null,"type":"info","locale":"en"}})");
}

CAF_TEST(message contexts that are not objects become null) {
  const std::string expected =
      R"({"type":"message","data":{"message":"m","context":null,"type":"warning","locale":"en"}})";
  for (auto context : {"", R"("text")", "[1,2]", "3", "null", "true",
                       R"({"a":)", R"({"a":1} {"b":2})", "{\"a\":\"\xff\"}"}) {
    jmri_message msg;
    msg.message = "m";
    msg.type = "warning";
    msg.context_json = context;
    CAF_CHECK_EQUAL(message_frame(msg), expected);
  }
  // A context nested deeper than max_nesting_depth is refused too.
  jmri_message deep;
  deep.message = "m";
  deep.type = "warning";
  deep.context_json = "{\"a\":" + nested_arrays(max_nesting_depth) + "}";
  CAF_CHECK_EQUAL(message_frame(deep), expected);
}

CAF_TEST(message contexts keep nested content) {
  jmri_message msg;
  msg.message = "m";
  msg.context_json = R"({"a":{"b":[1,"}",null]},"c":"\"q\""})";
  CAF_CHECK_EQUAL(
      message_frame(msg),
      R"({"type":"message","data":{"message":"m","context":{"a":{"b":[1,"}",null]},"c":"\"q\""},"type":"info","locale":"en"}})");
}

CAF_TEST(message types are the four JsonMessage.TYPEs) {
  for (auto type : {"info", "success", "warning", "error"})
    CAF_CHECK(is_message_type(type));
  for (auto type : {"", "INFO", "Info", "debug", "info "})
    CAF_CHECK(!is_message_type(type));
}

// -- error texts
// ----------------------------------------------------------------

CAF_TEST(error texts are the Bundle strings) {
  CAF_CHECK_EQUAL(error_empty_attribute("client", "hello"),
                  R"(Property "client" must not be empty for type hello.)");
  CAF_CHECK_EQUAL(error_empty_attribute("client", "client"),
                  R"(Property "client" must not be empty for type client.)");
  CAF_CHECK_EQUAL(error_missing_attribute("client", "client"),
                  R"(Property "client" is required for type client.)");
  CAF_CHECK_EQUAL(error_client_conflict(),
                  R"(Client "client" is in use by another connection.)");
  CAF_CHECK_EQUAL(error_unlistable_service("hello"), "hello cannot be listed.");
  CAF_CHECK_EQUAL(error_unlistable_service("message"),
                  "message cannot be listed.");
  CAF_CHECK_EQUAL(error_client_not_for_this_connection("client1"),
                  R"(No client "client1" found for with this connection.)");
  CAF_CHECK_EQUAL(error_no_client_for_this_connection(),
                  "No client found for with this connection.");
  CAF_CHECK_EQUAL(error_missing_data(),
                  "Data property of JSON message missing.");
  CAF_CHECK_EQUAL(error_unknown_type("non-existant-type"),
                  "Unknown object type non-existant-type was requested.");
  CAF_CHECK_EQUAL(error_unknown_type(""),
                  "Unknown object type  was requested.");
  CAF_CHECK_EQUAL(error_processing_json("boom"),
                  "Unable to process JSON message with error: boom.");
  CAF_CHECK_EQUAL(error_unsupported_operation("nope"),
                  "Unsupported operation attempted: nope.");
}

// -- version negotiation
// --------------------------------------------------------

CAF_TEST(only v5 is a known version) {
  CAF_CHECK(is_known_version("v5"));
  CAF_CHECK(!is_known_version("v4"));
  CAF_CHECK(!is_known_version("V5"));
  CAF_CHECK(!is_known_version(""));
  CAF_CHECK(!check_version("v5"));
  auto err = check_version("v4");
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(*err, "Unknown object type v4 was requested.");
  auto semver = check_version("5.1.0");
  CAF_REQUIRE(semver);
  CAF_CHECK_EQUAL(*semver, "Unknown object type 5.1.0 was requested.");
}

// -- parsing: framework cases (JsonClientHandlerTest)
// ----------------------------

CAF_TEST(text that is not JSON is a 500 without id) {
  auto result = parse_error("not a JSON object");
  CAF_CHECK_EQUAL(result.error_code, 500);
  CAF_CHECK_EQUAL(result.error_message,
                  // RapidJSON fails after reading 'n' as the start of null.
                  processing_prefix + "Invalid value at offset 1.");
  CAF_CHECK_EQUAL(result.error_id, 0);
}

CAF_TEST(malformed JSON never echoes the id) {
  auto result = parse_error(R"({"type":"ping","id":5)");
  CAF_CHECK_EQUAL(result.error_code, 500);
  CAF_CHECK(starts_with(result.error_message, processing_prefix));
  CAF_CHECK_EQUAL(result.error_message.back(), '.');
  CAF_CHECK_EQUAL(result.error_id, 0);
}

CAF_TEST(empty input and trailing values are malformed) {
  auto empty = parse_error("");
  CAF_CHECK_EQUAL(empty.error_code, 500);
  CAF_CHECK_EQUAL(empty.error_message,
                  processing_prefix + "The document is empty at offset 0.");
  auto two = parse_error(R"({"type":"ping"} {"type":"ping"})");
  CAF_CHECK_EQUAL(two.error_code, 500);
  CAF_CHECK(starts_with(two.error_message, processing_prefix));
}

CAF_TEST(invalid UTF - 8 is malformed) {
  auto result = parse_error("{\"type\":\"\xff\"}");
  CAF_CHECK_EQUAL(result.error_code, 500);
  CAF_CHECK(starts_with(result.error_message, processing_prefix));
}

CAF_TEST(NUL bytes and lone surrogates are malformed) {
  // RapidJSON alone would stop reading at the NUL and accept the object.
  auto nul = parse_error(std::string{R"({"type":"ping"})"} + '\0' + "junk");
  CAF_CHECK_EQUAL(nul.error_code, 500);
  CAF_CHECK_EQUAL(nul.error_message,
                  processing_prefix +
                      "Invalid JSON text: NUL byte at offset 15.");
  // ... and turn a lone low surrogate into bytes that are no UTF-8.
  auto lone = parse_error(R"({"type":"ping","x":"\udc00"})");
  CAF_CHECK_EQUAL(lone.error_code, 500);
  CAF_CHECK_EQUAL(lone.error_message, processing_prefix +
                                          "Invalid JSON text: lone surrogate "
                                          "escape.");
  // A proper pair is fine.
  parse_ok(R"({"type":"ping","x":"\ud83d\ude00"})");
}

CAF_TEST(valid JSON that is not an object is a 500) {
  for (auto text :
       {"[]", R"([{"type":"ping"}])", "5", R"("ping")", "null", "true"}) {
    auto result = parse_error(text);
    CAF_CHECK_EQUAL(result.error_code, 500);
    CAF_CHECK_EQUAL(result.error_message,
                    processing_prefix + "the message is not a JSON object.");
    CAF_CHECK_EQUAL(result.error_id, 0);
  }
}

CAF_TEST(nesting is limited to max_nesting_depth) {
  // The root object is one level: data holds the rest.
  auto at_limit =
      R"({"type":"x","data":)" + nested_arrays(max_nesting_depth - 1) + "}";
  CAF_CHECK(parse_request(at_limit).ok());
  auto too_deep =
      R"({"type":"x","data":)" + nested_arrays(max_nesting_depth) + "}";
  auto result = parse_error(too_deep);
  CAF_CHECK_EQUAL(result.error_code, 500);
  CAF_CHECK_EQUAL(
      result.error_message,
      processing_prefix +
          "Document nesting depth exceeds the maximum allowed (1000).");
}

CAF_TEST(brackets inside strings do not count as nesting) {
  auto text = R"({"type":"x","data":{"s":")" +
              std::string(2 * max_nesting_depth, '[') + R"("}})";
  CAF_CHECK(parse_request(text).ok());
}

CAF_TEST(ping goodbye and hello need no data) {
  for (auto type : {"ping", "goodbye", "hello"}) {
    for (auto method : {"get", "post", "put", "delete"}) {
      auto text = std::string{R"({"type":")"} + type + R"(","method":")" +
                  method + R"("})";
      auto req = parse_ok(text);
      CAF_CHECK_EQUAL(req.type, type);
      CAF_CHECK_EQUAL(req.method, method);
      CAF_CHECK(!req.has_data);
      CAF_CHECK_EQUAL(req.data(), nullptr);
      CAF_CHECK_EQUAL(req.data_json(), "{}");
    }
  }
}

CAF_TEST(get and list need no data) {
  auto get = parse_ok(R"({"type":"client","method":"get"})");
  CAF_CHECK_EQUAL(get.type, "client");
  CAF_CHECK_EQUAL(get.method, "get");
  CAF_CHECK(!get.has_data);
  auto implicit_get = parse_ok(R"({"type":"client"})");
  CAF_CHECK_EQUAL(implicit_get.method, "get");
  auto list = parse_ok(R"({"type":"client","method":"list"})");
  CAF_CHECK_EQUAL(list.method, "list");
  CAF_CHECK(!list.has_data);
}

CAF_TEST(post put and delete without data are a 400 with the id) {
  for (auto method : {"post", "put", "delete", "patch"}) {
    auto text =
        std::string{R"({"type":"test","method":")"} + method + R"(","id":4})";
    auto result = parse_error(text);
    CAF_CHECK_EQUAL(result.error_code, 400);
    CAF_CHECK_EQUAL(result.error_message,
                    "Data property of JSON message missing.");
    CAF_CHECK_EQUAL(result.error_id, 4);
    CAF_CHECK_EQUAL(
        error_frame(result.error_code, result.error_message, result.error_id),
        R"({"type":"error","data":{"code":400,"message":"Data property of JSON message missing."},"id":4})");
  }
  auto no_id = parse_error(R"({"type":"test","method":"post"})");
  CAF_CHECK_EQUAL(no_id.error_code, 400);
  CAF_CHECK_EQUAL(no_id.error_id, 0);
}

CAF_TEST(a null data is present data) {
  // Jackson's NullNode is not a MissingNode: no 400, but no fields either.
  auto req = parse_ok(R"({"type":"client","method":"post","data":null})");
  CAF_CHECK(req.has_data);
  CAF_CHECK(!req.data_has("client"));
  CAF_CHECK_EQUAL(req.data_json(), "null");
}

CAF_TEST(data that is not an object has no fields) {
  auto req = parse_ok(R"({"type":"client","method":"put","data":"client"})");
  CAF_CHECK(req.has_data);
  CAF_CHECK(!req.data_has("client"));
  CAF_CHECK(!req.data_string("client"));
  CAF_CHECK(!req.data_text("client"));
  CAF_CHECK_EQUAL(req.data_json(), R"("client")");
}

CAF_TEST(the three list syntaxes are equivalent) {
  for (auto text :
       {R"({"type":"client","method":"list"})",
        R"({"type":"list","list":"client"})", R"({"list":"client"})"}) {
    auto req = parse_ok(text);
    CAF_CHECK_EQUAL(req.type, "client");
    CAF_CHECK_EQUAL(req.method, "list");
    CAF_CHECK_EQUAL(req.id, 0);
    CAF_CHECK(!req.has_data);
  }
}

CAF_TEST(the list member overrides an explicit method) {
  auto req = parse_ok(R"({"type":"list","list":"hello","method":"post"})");
  CAF_CHECK_EQUAL(req.type, "hello");
  CAF_CHECK_EQUAL(req.method, "list");
}

CAF_TEST(the list member is ignored beside another type) {
  auto req = parse_ok(R"({"type":"client","list":"hello"})");
  CAF_CHECK_EQUAL(req.type, "client");
  CAF_CHECK_EQUAL(req.method, "get");
}

CAF_TEST(type list without a list member stays type list) {
  auto req = parse_ok(R"({"type":"list"})");
  CAF_CHECK_EQUAL(req.type, "list");
  CAF_CHECK_EQUAL(req.method, "get");
  // A container is not a value node: no list syntax either.
  auto obj = parse_ok(R"({"list":{"a":1}})");
  CAF_CHECK_EQUAL(obj.type, "");
  CAF_CHECK_EQUAL(obj.method, "get");
}

CAF_TEST(list names are read as text) {
  CAF_CHECK_EQUAL(parse_ok(R"({"list":7})").type, "7");
  CAF_CHECK_EQUAL(parse_ok(R"({"list":true})").type, "true");
  CAF_CHECK_EQUAL(parse_ok(R"({"list":null})").type, "null");
}

CAF_TEST(unknown and missing types are left to the session) {
  auto unknown = parse_ok(R"({"type":"non-existant-type","method":"list"})");
  CAF_CHECK_EQUAL(unknown.type, "non-existant-type");
  CAF_CHECK_EQUAL(unknown.method, "list");
  auto get = parse_ok(R"({"type":"non-existant-type","method":"get"})");
  CAF_CHECK_EQUAL(get.method, "get");
  auto missing = parse_ok(R"({"method":"get"})");
  CAF_CHECK_EQUAL(missing.type, "");
  auto number = parse_ok(R"({"type":12})");
  CAF_CHECK_EQUAL(number.type, "12");
}

CAF_TEST(the method defaults to get) {
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"x"})").method, "get");
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"x","method":null})").method, "get");
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"x","method":"put","data":{}})").method,
                  "put");
  // Methods are not validated here: the services decide.
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"x","method":"PATCH","data":{}})").method,
                  "PATCH");
}

CAF_TEST(legacy clients put the method inside data) {
  auto req =
      parse_ok(R"({"type":"client","data":{"method":"put","client":"a"}})");
  CAF_CHECK_EQUAL(req.method, "put");
  // root.method wins when present, even as null.
  CAF_CHECK_EQUAL(
      parse_ok(R"({"type":"x","method":"delete","data":{"method":"put"}})")
          .method,
      "delete");
  CAF_CHECK_EQUAL(
      parse_ok(R"({"type":"x","method":null,"data":{"method":"put"}})").method,
      "get");
  // Only value nodes count; a null one means get.
  CAF_CHECK_EQUAL(
      parse_ok(R"({"type":"x","data":{"method":{"m":"put"}}})").method, "get");
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"x","data":{"method":null}})").method,
                  "get");
  // The legacy method applies after the list syntax, as in JMRI.
  CAF_CHECK_EQUAL(
      parse_ok(R"({"list":"client","data":{"method":"post"}})").method, "post");
}

CAF_TEST(the legacy method cannot excuse missing data) {
  // The data check runs first with the root method, so a post without data
  // fails even though a legacy method could never be read anyway.
  auto result = parse_error(R"({"type":"x","method":"post","id":3})");
  CAF_CHECK_EQUAL(result.error_code, 400);
  CAF_CHECK_EQUAL(result.error_id, 3);
}

CAF_TEST(ids are integers or zero) {
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping","id":7})").id, 7);
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping","id":-3})").id, -3);
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping"})").id, 0);
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping","id":"7"})").id, 0);
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping","id":7.5})").id, 0);
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping","id":null})").id, 0);
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping","id":[7]})").id, 0);
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping","id":9223372036854775807})").id,
                  std::numeric_limits<int64_t>::max());
  CAF_CHECK_EQUAL(parse_ok(R"({"type":"ping","id":9223372036854775808})").id,
                  0);
}

// -- data accessors
// ---------------------------------------------------------------

CAF_TEST(data lookups distinguish absent non string and string) {
  auto req = parse_ok(
      R"({"type":"hello","data":{"client":"c1","empty":"","num":12,"flag":true,)"
      R"("nil":null,"obj":{"a":1},"arr":[1],"frac":1.5}})");
  CAF_CHECK(req.has_data);
  CAF_CHECK(req.data_has("client"));
  CAF_CHECK(req.data_has("nil"));
  CAF_CHECK(!req.data_has("absent"));
  CAF_CHECK_EQUAL(req.data_string("client"), std::optional<std::string>{"c1"});
  CAF_CHECK_EQUAL(req.data_string("empty"), std::optional<std::string>{""});
  CAF_CHECK(!req.data_string("num"));
  CAF_CHECK(!req.data_string("nil"));
  CAF_CHECK(!req.data_string("absent"));
}

CAF_TEST(data text follows Jackson asText) {
  auto req = parse_ok(
      R"({"type":"hello","data":{"client":"c1","num":12,"neg":-4,"flag":true,)"
      R"("nil":null,"obj":{"a":1},"arr":[1],"frac":1.5}})");
  using opt = std::optional<std::string>;
  CAF_CHECK_EQUAL(req.data_text("client"), opt{"c1"});
  CAF_CHECK_EQUAL(req.data_text("num"), opt{"12"});
  CAF_CHECK_EQUAL(req.data_text("neg"), opt{"-4"});
  CAF_CHECK_EQUAL(req.data_text("flag"), opt{"true"});
  CAF_CHECK_EQUAL(req.data_text("nil"), opt{"null"});
  CAF_CHECK_EQUAL(req.data_text("obj"), opt{""});
  CAF_CHECK_EQUAL(req.data_text("arr"), opt{""});
  CAF_CHECK_EQUAL(req.data_text("frac"), opt{"1.5"});
  CAF_CHECK(!req.data_text("absent"));
  CAF_CHECK_EQUAL(req.data_text_or("client", "v5"), "c1");
  CAF_CHECK_EQUAL(req.data_text_or("nil", "v5"), "v5");
  CAF_CHECK_EQUAL(req.data_text_or("absent", "v5"), "v5");
  CAF_CHECK_EQUAL(req.data_text_or("num", "v5"), "12");
}

CAF_TEST(data members can be forwarded as JSON) {
  auto req = parse_ok(
      R"({"type":"x","method":"post","data":{ "context" : { "aspect" : "Unknown" }, "n" : 1 }})");
  CAF_CHECK_EQUAL(req.data_member_json("context"),
                  std::optional<std::string>{R"({"aspect":"Unknown"})"});
  CAF_CHECK_EQUAL(req.data_member_json("n"), std::optional<std::string>{"1"});
  CAF_CHECK(!req.data_member_json("absent"));
  CAF_CHECK_EQUAL(req.data_json(), R"({"context":{"aspect":"Unknown"},"n":1})");
}

CAF_TEST(copies of a request keep the document alive) {
  std::optional<request> copy;
  {
    auto req = parse_ok(R"({"type":"hello","data":{"client":"kept"}})");
    copy = req;
  }
  CAF_REQUIRE(copy->doc != nullptr);
  CAF_CHECK_EQUAL(copy->data_string("client"),
                  std::optional<std::string>{"kept"});
  CAF_CHECK(copy->doc->IsObject());
}

CAF_TEST(the hello of the message service parses fully) {
  auto req = parse_ok(
      R"({"type":"hello","data":{"locale":"en-US","client":"42","version":"v5"},"id":9})");
  CAF_CHECK_EQUAL(req.type, "hello");
  CAF_CHECK_EQUAL(req.method, "get");
  CAF_CHECK_EQUAL(req.id, 9);
  CAF_CHECK_EQUAL(req.data_text_or("version", current_version), "v5");
  CAF_CHECK_EQUAL(req.data_string("locale"),
                  std::optional<std::string>{"en-US"});
  CAF_CHECK_EQUAL(req.data_string("client"), std::optional<std::string>{"42"});
}

CAF_TEST(the documented client examples parse) {
  auto put = parse_ok(
      R"({"type": "client", "data": {"client": "42"}, "method": "put"})");
  CAF_CHECK_EQUAL(put.type, "client");
  CAF_CHECK_EQUAL(put.method, "put");
  CAF_CHECK_EQUAL(put.data_string("client"), std::optional<std::string>{"42"});
  auto del = parse_ok(
      R"({"type": "client", "data": {"client": "42"}, "method": "delete"})");
  CAF_CHECK_EQUAL(del.method, "delete");
  auto get = parse_ok(R"({"type": "client", "method": "get"})");
  CAF_CHECK_EQUAL(get.method, "get");
  CAF_CHECK(!get.data_has("client"));
}
