#define CAF_SUITE job_records
#include <string>

#include "core/errors.hpp"
#include "fixture.hpp"
#include "store/job_records.hpp"

using namespace signalbox;
using namespace signalbox::job_store;

namespace {

job_spec full_spec() {
  job_spec spec;
  spec.name = "pump \"main\"";
  spec.command = {"/usr/bin/pump", "-v", "a b", "caf\xC3\xA9"};
  spec.restart = restart_policy::on_failure;
  spec.watchdog_sec = 30;
  spec.notify = true;
  spec.autostart = false;
  spec.env = {{"LEVEL", "3"}, {"EMPTY", ""}, {"QUOTE", "\"\\\n"}};
  spec.cwd = "/var/lib/pump";
  return spec;
}

void check_same(const job_spec& x, const job_spec& y) {
  CAF_CHECK_EQUAL(x.name, y.name);
  CAF_CHECK_EQUAL(x.command, y.command);
  CAF_CHECK(x.restart == y.restart);
  CAF_CHECK_EQUAL(x.watchdog_sec, y.watchdog_sec);
  CAF_CHECK_EQUAL(x.notify, y.notify);
  CAF_CHECK_EQUAL(x.autostart, y.autostart);
  CAF_CHECK_EQUAL(x.env, y.env);
  CAF_CHECK_EQUAL(x.cwd, y.cwd);
}

// The text of a decoding error; "" when decoding succeeded.
std::string error_of(const std::string& json) {
  auto rec = decode_job_record(json);
  if (rec)
    return "";
  CAF_CHECK(code_of(rec.error()) == ec::storage_failure);
  return text_of(rec.error());
}

// A valid record with field `name` replaced by the raw JSON `value`.
std::string with(const std::string& name, const std::string& value) {
  std::string fields[][2] = {
      {"version", "1"},       {"id", "7"},           {"name", "\"n\""},
      {"command", "[\"c\"]"}, {"restart", "\"no\""}, {"watchdog_sec", "0"},
      {"notify", "false"},    {"autostart", "true"}, {"env", "{}"},
      {"cwd", "\"\""},
  };
  std::string out = "{";
  for (auto& [key, val] : fields) {
    if (key == name && value.empty())
      continue; // drop the field
    if (out.size() > 1)
      out += ',';
    out += "\"" + key + "\":" + (key == name ? value : val);
  }
  return out + "}";
}

} // namespace

CAF_TEST(a record round - trips every field) {
  auto spec = full_spec();
  auto json = encode_job_record(42, spec);
  auto rec = decode_job_record(json);
  CAF_REQUIRE(rec);
  CAF_CHECK_EQUAL(rec->id, 42u);
  check_same(rec->spec, spec);
}

CAF_TEST(the default spec round - trips) {
  job_spec spec;
  spec.name = "x";
  spec.command = {"/bin/true"};
  auto rec = decode_job_record(encode_job_record(1, spec));
  CAF_REQUIRE(rec);
  check_same(rec->spec, spec);
  for (auto policy : {restart_policy::no, restart_policy::on_failure,
                      restart_policy::always}) {
    spec.restart = policy;
    auto again = decode_job_record(encode_job_record(1, spec));
    CAF_REQUIRE(again);
    CAF_CHECK(again->spec.restart == policy);
  }
}

CAF_TEST(the record format is stable) {
  job_spec spec;
  spec.name = "pump";
  spec.command = {"/usr/bin/pump", "-v"};
  spec.restart = restart_policy::on_failure;
  spec.env = {{"LEVEL", "3"}};
  CAF_CHECK_EQUAL(encode_job_record(7, spec),
                  R"({"version":1,"id":7,"name":"pump",)"
                  R"("command":["/usr/bin/pump","-v"],"restart":"on-failure",)"
                  R"("watchdog_sec":0,"notify":false,"autostart":true,)"
                  R"("env":{"LEVEL":"3"},"cwd":""})");
}

CAF_TEST(the test record helper builds a valid record) {
  CAF_CHECK_EQUAL(error_of(with("", "")), "");
  // Unknown fields are ignored (a newer build may add optional ones).
  CAF_CHECK_EQUAL(error_of(with("extra", "")), "");
  CAF_CHECK_EQUAL(
      error_of(R"({"version":1,"id":7,"name":"n","command":["c"],)"
               R"("restart":"no","watchdog_sec":0,"notify":false,)"
               R"("autostart":true,"env":{},"cwd":"","added_later":[1,2]})"),
      "");
}

CAF_TEST(malformed records name what is wrong) {
  CAF_CHECK_EQUAL(error_of(""), "job record: not valid JSON");
  CAF_CHECK_EQUAL(error_of("{"), "job record: not valid JSON");
  CAF_CHECK_EQUAL(error_of("[]"), "job record: not a JSON object");
  CAF_CHECK_EQUAL(error_of("{\"name\":\"\xFF\"}"),
                  "job record: not valid JSON"); // not UTF-8
  CAF_CHECK_EQUAL(error_of(with("version", "")),
                  "job record: \"version\" must be an integer");
  CAF_CHECK_EQUAL(error_of(with("version", "\"1\"")),
                  "job record: \"version\" must be an integer");
  CAF_CHECK_EQUAL(error_of(with("version", "2")),
                  "job record: unsupported version 2");
  CAF_CHECK_EQUAL(error_of(with("id", "-1")),
                  "job record: \"id\" must be an unsigned integer");
  CAF_CHECK_EQUAL(error_of(with("name", "1")),
                  "job record: \"name\" must be a string");
  CAF_CHECK_EQUAL(error_of(with("command", "\"c\"")),
                  "job record: \"command\" must be an array of strings");
  CAF_CHECK_EQUAL(error_of(with("command", "[1]")),
                  "job record: \"command\" must be an array of strings");
  CAF_CHECK_EQUAL(error_of(with("restart", "\"sometimes\"")),
                  "job record: \"restart\" must be \"no\", \"on-failure\" or "
                  "\"always\"");
  CAF_CHECK_EQUAL(error_of(with("watchdog_sec", "4294967296")),
                  "job record: \"watchdog_sec\" must be an unsigned 32-bit "
                  "integer");
  CAF_CHECK_EQUAL(error_of(with("notify", "1")),
                  "job record: \"notify\" must be a boolean");
  CAF_CHECK_EQUAL(error_of(with("autostart", "")),
                  "job record: \"autostart\" must be a boolean");
  CAF_CHECK_EQUAL(error_of(with("env", "[]")),
                  "job record: \"env\" must be an object of strings");
  CAF_CHECK_EQUAL(error_of(with("env", "{\"A\":1}")),
                  "job record: \"env\" must be an object of strings");
  CAF_CHECK_EQUAL(error_of(with("cwd", "null")),
                  "job record: \"cwd\" must be a string");
}

CAF_TEST(record keys sort like ids) {
  CAF_CHECK_EQUAL(job_record_key(7), "00000000000000000007");
  CAF_CHECK_EQUAL(job_record_key(UINT64_MAX), "18446744073709551615");
  CAF_CHECK_LESS(job_record_key(9), job_record_key(10));
  CAF_CHECK_LESS(job_record_key(99), job_record_key(100));
  CAF_CHECK(parse_job_record_key("00000000000000000007") ==
            std::optional<uint64_t>{7});
  CAF_CHECK(parse_job_record_key(job_record_key(UINT64_MAX)) ==
            std::optional<uint64_t>{UINT64_MAX});
  CAF_CHECK(!parse_job_record_key("7"));
  CAF_CHECK(!parse_job_record_key(""));
  CAF_CHECK(!parse_job_record_key("0000000000000000000x"));
  CAF_CHECK(!parse_job_record_key("99999999999999999999")); // > UINT64_MAX
}

CAF_TEST(the next id value) {
  CAF_CHECK_EQUAL(encode_next_job_id(12), "12");
  auto id = decode_next_job_id("12");
  CAF_REQUIRE(id);
  CAF_CHECK_EQUAL(*id, 12u);
  CAF_CHECK(!decode_next_job_id(""));
  CAF_CHECK(!decode_next_job_id("12a"));
  CAF_CHECK(!decode_next_job_id("-1"));
  CAF_CHECK(!decode_next_job_id("18446744073709551616"));
  CAF_CHECK(code_of(decode_next_job_id("x").error()) == ec::storage_failure);
}
