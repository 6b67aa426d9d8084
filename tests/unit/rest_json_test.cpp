#define CAF_SUITE rest_json
#include "fixture.hpp"
#include "protocols/http/rest_json.hpp"

using namespace signalbox;
using namespace signalbox::rest;

CAF_TEST(a job snapshot has every documented field) {
  job_info x;
  x.id = 7;
  x.spec.name = "pump";
  x.spec.command = {"/usr/bin/pump", "--fast"};
  x.spec.restart = restart_policy::on_failure;
  x.spec.watchdog_sec = 5;
  x.spec.notify = true;
  x.spec.autostart = false;
  x.spec.env = {{"A", "1"}};
  x.spec.cwd = "/tmp";
  x.origin = job_origin::api;
  x.status = job_status::running;
  x.pid = 4242;
  x.exit_code = -1;
  x.restarts = 2;
  x.status_text = "pumping";
  CAF_CHECK_EQUAL(
      encode(x),
      R"({"id":7,"name":"pump","status":10,"status_name":"running",)"
      R"("command":["/usr/bin/pump","--fast"],"pid":4242,"exit_code":null,)"
      R"("signal":null,"restarts":2,"restart":"on-failure","watchdog_sec":5,)"
      R"("notify":true,"autostart":false,"env":{"A":"1"},"cwd":"/tmp",)"
      R"("origin":"api","status_text":"pumping"})");
  x.pid = 0;
  x.exit_code = 3;
  x.term_signal = 0;
  auto str = encode(std::vector<job_info>{x});
  CAF_CHECK(str.front() == '[' && str.back() == ']');
  CAF_CHECK(str.find(R"("pid":null,"exit_code":3,"signal":null)") !=
            std::string::npos);
  x.exit_code = -1;
  x.term_signal = 11;
  CAF_CHECK(encode(x).find(R"("exit_code":null,"signal":11)") !=
            std::string::npos);
}

CAF_TEST(a GPIO snapshot) {
  gpio_info x{"relay-a", gpio_direction::output, 1, false, "simulated", "", -1,
              0};
  CAF_CHECK_EQUAL(encode(x),
                  R"({"name":"relay-a","direction":"output","value":1,)"
                  R"("active_low":false,"backend":"simulated","chip":null,)"
                  R"("offset":null,"debounce_ms":0})");
  gpio_info y{"b", gpio_direction::input, 0, true, "gpiod", "gpiochip0", 4, 20};
  CAF_CHECK_EQUAL(encode(std::vector<gpio_info>{y}),
                  R"([{"name":"b","direction":"input","value":0,)"
                  R"("active_low":true,"backend":"gpiod","chip":"gpiochip0",)"
                  R"("offset":4,"debounce_ms":20}])");
}

CAF_TEST(a shared value and lists of them) {
  value_info x{"k", "v", true, false, "api"};
  CAF_CHECK_EQUAL(encode(x), R"({"key":"k","value":"v","persistent":true,)"
                             R"("notify":false,"provider":"api"})");
  CAF_CHECK_EQUAL(encode(std::vector<value_info>{}), "[]");
}

CAF_TEST(log lines carry an RFC 3339 timestamp) {
  std::vector<log_line> xs{{1700000000123, "stdout", "hello"},
                           {0, "stderr", "e"}};
  CAF_CHECK_EQUAL(encode(xs),
                  R"([{"ts":"2023-11-14T22:13:20.123Z","stream":"stdout",)"
                  R"("line":"hello"},{"ts":"1970-01-01T00:00:00.000Z",)"
                  R"("stream":"stderr","line":"e"}])");
  CAF_CHECK_EQUAL(format_timestamp(-1), "1969-12-31T23:59:59.999Z");
}

CAF_TEST(errors are JSON objects) {
  CAF_CHECK_EQUAL(encode_error("no job 7"), R"({"error":"no job 7"})");
  CAF_CHECK_EQUAL(encode_error("a \"b\""), R"({"error":"a \"b\""})");
}

CAF_TEST(value writes) {
  auto ok = decode_value_write(R"({"value":"x"})");
  CAF_REQUIRE(ok);
  CAF_CHECK_EQUAL(ok.value.value, "x");
  CAF_CHECK_EQUAL(ok.value.persistent, false);
  CAF_CHECK_EQUAL(ok.value.notify, true);
  CAF_CHECK_EQUAL(ok.value.provider, "");
  auto full = decode_value_write(
      R"({"value":"","persistent":true,"notify":false,"provider":"job:3","extra":1})");
  CAF_REQUIRE(full);
  CAF_CHECK_EQUAL(full.value.value, "");
  CAF_CHECK_EQUAL(full.value.persistent, true);
  CAF_CHECK_EQUAL(full.value.notify, false);
  CAF_CHECK_EQUAL(full.value.provider, "job:3");
  auto error_of = [](std::string_view body) {
    return decode_value_write(body).error;
  };
  CAF_CHECK_EQUAL(error_of(""),
                  "request body is empty; expected a JSON object");
  CAF_CHECK(error_of("{").rfind("malformed JSON: ", 0) == 0);
  CAF_CHECK(error_of(R"({"value":"x"} trailing)").rfind("malformed JSON", 0) ==
            0);
  CAF_CHECK_EQUAL(error_of("[]"), "request body must be a JSON object");
  CAF_CHECK_EQUAL(error_of("{}"), "'value' is required");
  CAF_CHECK_EQUAL(error_of(R"({"value":1})"), "'value' must be a string");
  CAF_CHECK_EQUAL(error_of(R"({"value":null})"), "'value' must be a string");
  CAF_CHECK_EQUAL(error_of(R"({"value":"x","persistent":"yes"})"),
                  "'persistent' must be true or false");
  CAF_CHECK_EQUAL(error_of(R"({"value":"x","notify":0})"),
                  "'notify' must be true or false");
  CAF_CHECK_EQUAL(error_of(R"({"value":"x","provider":5})"),
                  "'provider' must be a string");
}

CAF_TEST(GPIO values) {
  CAF_CHECK_EQUAL(decode_gpio_value(R"({"value":1})").value, 1);
  CAF_CHECK_EQUAL(decode_gpio_value(R"({"value":0})").value, 0);
  CAF_CHECK_EQUAL(decode_gpio_value(R"({"value":true})").value, 1);
  CAF_CHECK_EQUAL(decode_gpio_value(R"({"value":false})").value, 0);
  for (auto bad : {R"({"value":2})", R"({"value":-1})", R"({"value":"1"})",
                   R"({"value":1.0})", R"({"value":null})"})
    CAF_CHECK_EQUAL(decode_gpio_value(bad).error, "'value' must be 0 or 1");
  CAF_CHECK_EQUAL(decode_gpio_value("{}").error, "'value' is required");
  CAF_CHECK(!decode_gpio_value("nope"));
}

CAF_TEST(job specs) {
  auto ok = decode_job_spec(
      R"({"name":"j","command":["/bin/sh","-c","exit 3"],"restart":"always",)"
      R"("watchdog_sec":10,"notify":true,"autostart":false,)"
      R"("env":{"A":"1","B":""},"cwd":"/tmp"})");
  CAF_REQUIRE(ok);
  auto& s = ok.value;
  CAF_CHECK_EQUAL(s.name, "j");
  CAF_CHECK_EQUAL(s.command.size(), 3u);
  CAF_CHECK_EQUAL(s.command[2], "exit 3");
  CAF_CHECK(s.restart == restart_policy::always);
  CAF_CHECK_EQUAL(s.watchdog_sec, 10u);
  CAF_CHECK_EQUAL(s.notify, true);
  CAF_CHECK_EQUAL(s.autostart, false);
  CAF_CHECK_EQUAL(s.env.size(), 2u);
  CAF_CHECK_EQUAL(s.cwd, "/tmp");
  auto minimal = decode_job_spec(R"({"name":"m","command":["true"]})");
  CAF_REQUIRE(minimal);
  CAF_CHECK(minimal.value.restart == restart_policy::no);
  CAF_CHECK_EQUAL(minimal.value.autostart, true);
  CAF_CHECK_EQUAL(minimal.value.notify, false);
  auto error_of = [](std::string_view body) {
    return decode_job_spec(body).error;
  };
  auto needs_name = "'name' is required and must be a non-empty string";
  CAF_CHECK_EQUAL(error_of(R"({"command":["x"]})"), needs_name);
  CAF_CHECK_EQUAL(error_of(R"({"name":"","command":["x"]})"), needs_name);
  CAF_CHECK_EQUAL(error_of(R"({"name":1,"command":["x"]})"), needs_name);
  auto needs_command =
      "'command' is required and must be a non-empty array of strings";
  CAF_CHECK_EQUAL(error_of(R"({"name":"n"})"), needs_command);
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":[]})"), needs_command);
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":"ls"})"), needs_command);
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":["ls",1]})"),
                  "'command' must be an array of strings");
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":[""]})"),
                  "'command[0]' must not be empty");
  CAF_CHECK_EQUAL(
      error_of(R"({"name":"n","command":["x"],"restart":"sometimes"})"),
      R"('restart' must be "no", "on-failure" or "always")");
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":["x"],"watchdog_sec":-1})"),
                  "'watchdog_sec' must be an integer from 0 to 86400");
  CAF_CHECK_EQUAL(
      error_of(R"({"name":"n","command":["x"],"watchdog_sec":1.5})"),
      "'watchdog_sec' must be an integer from 0 to 86400");
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":["x"],"notify":"y"})"),
                  "'notify' must be true or false");
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":["x"],"autostart":1})"),
                  "'autostart' must be true or false");
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":["x"],"cwd":false})"),
                  "'cwd' must be a string");
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":["x"],"env":[]})"),
                  "'env' must be an object of strings");
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":["x"],"env":{"A":1}})"),
                  "'env' must be an object of strings");
  CAF_CHECK_EQUAL(error_of(R"({"name":"n","command":["x"],"env":{"A=B":"1"}})"),
                  "'env' names must be non-empty and must not contain '='");
}

CAF_TEST(the cluster view lists members with nulls for the unknown) {
  cluster_view v;
  v.enabled = true;
  v.name = "gw-a";
  v.address = "127.0.0.1:4100";
  v.heartbeat_ms = 1000;
  v.members = {{"gw-b", "127.0.0.1:4101", member_state::up, 1796000000123},
               {"", "10.0.0.9:4100", member_state::connecting, -1}};
  CAF_CHECK_EQUAL(
      rest::encode(v),
      R"({"enabled":true,"name":"gw-a","address":"127.0.0.1:4100",)"
      R"("heartbeat_ms":1000,"members":[{"name":"gw-b",)"
      R"("address":"127.0.0.1:4101","state":"up","last_seen":1796000000123},)"
      R"({"name":null,"address":"10.0.0.9:4100","state":"connecting",)"
      R"("last_seen":null}]})");
  cluster_view lone;
  lone.name = "gw-a";
  CAF_CHECK_EQUAL(rest::encode(lone),
                  R"({"enabled":false,"name":"gw-a","address":null,)"
                  R"("heartbeat_ms":0,"members":[]})");
}
