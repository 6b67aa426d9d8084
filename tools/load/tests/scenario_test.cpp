#define CAF_SUITE load_scenario

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

#include "tools/load/scenario.hpp"

using namespace signalbox::load;

namespace {

// The message of the scenario_error `json` raises; "" when it parses.
std::string error_of(const std::string& json) {
  try {
    parse_scenario(json, "test");
  } catch (const scenario_error& e) {
    return e.what();
  }
  return "";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string with_clients(const std::string& clients,
                         const std::string& rest = "") {
  return R"({"clients":[)" + clients + "]" + rest + "}";
}

} // namespace

CAF_TEST(a minimal scenario gets the defaults) {
  auto s = parse_scenario(with_clients(R"({"type":"ttm_subscriber",
                                            "count":3})"),
                          "fallback");
  CAF_CHECK_EQUAL(s.name, "fallback");
  CAF_CHECK_EQUAL(s.host, "127.0.0.1");
  CAF_CHECK_EQUAL(s.ttm_port, 1777);
  CAF_CHECK_EQUAL(s.socketio_port, 5000);
  CAF_CHECK_EQUAL(s.jmri_port, 12080);
  CAF_CHECK_EQUAL(s.jmri_tcp_port, 2056);
  CAF_CHECK_EQUAL(s.connect_rate, 0.0);
  CAF_CHECK_EQUAL(s.connect_timeout_ms, 10000u);
  CAF_CHECK_EQUAL(s.duration_ms, 3000u);
  CAF_CHECK_EQUAL(s.drain_ms, 5000u);
  CAF_REQUIRE_EQUAL(s.clients.size(), 1u);
  CAF_CHECK(s.clients[0].type == client_type::ttm_subscriber);
  CAF_CHECK_EQUAL(s.clients[0].count, 3u);
  CAF_CHECK(!s.checks.max_lost);
  CAF_CHECK(!s.checks.all_commands_finished);
  CAF_CHECK(s.checks.max_p99_us.empty());
}

CAF_TEST(every field is read) {
  auto s = parse_scenario(R"({
    "name": "full", "host": "localhost", "ttm_port": 1, "socketio_port": 2,
    "jmri_port": 5, "jmri_tcp_port": 6, "connect_rate": 12.5, "connect_timeout_ms": 3, "duration_ms": 4,
    "drain_ms": 0,
    "clients": [
      {"type": "ttm_subscriber", "count": 5},
      {"type": "rest_writer", "count": 2, "rate": 0.5, "key": "k-1.x_y",
       "persistent": true},
      {"type": "rest_writer", "count": 2, "rate": 7, "target": "gpio",
       "gpios": ["relay-a", "relay-b"]},
      {"type": "sio_monitor", "count": 1, "think_ms": 9},
      {"type": "sio_user", "count": 4, "rate": 20},
      {"type": "jmri_client", "count": 3, "transport": "tcp"},
      {"type": "jmri_client", "count": 6},
      {"type": "rest_writer", "count": 1, "rate": 2, "target": "message"}
    ],
    "assert": {"max_lost": 0, "max_out_of_order": 1,
               "max_failed_connections": 2, "max_failed_requests": 3,
               "all_commands_finished": true,
               "max_p99_us": {"ttm_delivery": 100, "sio_command_ok": 7,
                              "jmri_delivery": 8},
               "min_delivered_per_second": 99.5}
  })",
                          "unused");
  CAF_CHECK_EQUAL(s.name, "full");
  CAF_CHECK_EQUAL(s.host, "localhost");
  CAF_CHECK_EQUAL(s.ttm_port, 1);
  CAF_CHECK_EQUAL(s.socketio_port, 2);
  CAF_CHECK_EQUAL(s.jmri_port, 5);
  CAF_CHECK_EQUAL(s.jmri_tcp_port, 6);
  CAF_CHECK_EQUAL(s.connect_rate, 12.5);
  CAF_CHECK_EQUAL(s.connect_timeout_ms, 3u);
  CAF_CHECK_EQUAL(s.duration_ms, 4u);
  CAF_CHECK_EQUAL(s.drain_ms, 0u);
  CAF_REQUIRE_EQUAL(s.clients.size(), 8u);
  auto& values = s.clients[1];
  CAF_CHECK(values.type == client_type::rest_writer);
  CAF_CHECK(values.target == write_target::value);
  CAF_CHECK_EQUAL(values.rate, 0.5);
  CAF_CHECK_EQUAL(values.key, "k-1.x_y");
  CAF_CHECK(values.persistent);
  auto& gpios = s.clients[2];
  CAF_CHECK(gpios.target == write_target::gpio);
  CAF_CHECK_EQUAL(gpios.gpios.size(), 2u);
  CAF_CHECK_EQUAL(gpios.gpios[1], "relay-b");
  CAF_CHECK(!gpios.persistent);
  CAF_CHECK_EQUAL(s.clients[3].think_ms, 9u);
  CAF_CHECK(s.clients[4].type == client_type::sio_user);
  CAF_CHECK(s.clients[5].type == client_type::jmri_client);
  CAF_CHECK(s.clients[5].transport == jmri_transport::tcp);
  CAF_CHECK(s.clients[6].transport == jmri_transport::ws);
  CAF_CHECK(s.clients[7].target == write_target::message);
  CAF_CHECK_EQUAL(s.clients[7].rate, 2.0);
  CAF_CHECK_EQUAL(s.count_of(client_type::jmri_client), 9u);
  CAF_CHECK_EQUAL(s.jmri_clients_over(jmri_transport::tcp), 3u);
  CAF_CHECK_EQUAL(s.jmri_clients_over(jmri_transport::ws), 6u);
  CAF_CHECK_EQUAL(s.writers_of(write_target::message), 1u);
  CAF_CHECK_EQUAL(s.writers_of(write_target::value), 2u);
  CAF_CHECK_EQUAL(s.writers_of(write_target::gpio), 2u);
  CAF_CHECK_EQUAL(s.count_of(client_type::rest_writer), 5u);
  CAF_CHECK_EQUAL(s.count_of(client_type::sio_user), 4u);
  CAF_CHECK_EQUAL(s.count_of(client_type::ttm_subscriber), 5u);
  CAF_CHECK_EQUAL(*s.checks.max_lost, 0u);
  CAF_CHECK_EQUAL(*s.checks.max_out_of_order, 1u);
  CAF_CHECK_EQUAL(*s.checks.max_failed_connections, 2u);
  CAF_CHECK_EQUAL(*s.checks.max_failed_requests, 3u);
  CAF_CHECK(s.checks.all_commands_finished);
  CAF_CHECK_EQUAL(s.checks.max_p99_us.size(), 3u);
  CAF_CHECK_EQUAL(s.checks.max_p99_us.at("ttm_delivery"), 100u);
  CAF_CHECK_EQUAL(s.checks.max_p99_us.at("jmri_delivery"), 8u);
  CAF_CHECK_EQUAL(*s.checks.min_delivered_per_second, 99.5);
}

CAF_TEST(malformed documents are refused) {
  CAF_CHECK(starts_with(error_of("{"), "invalid JSON at offset 1: "));
  CAF_CHECK_EQUAL(error_of("[]"), "the scenario must be a JSON object");
  CAF_CHECK_EQUAL(error_of("{}"), "clients: is required");
  CAF_CHECK_EQUAL(error_of(R"({"clients":[]})"),
                  "clients: must be a non-empty array of client groups");
  CAF_CHECK_EQUAL(error_of(R"({"clients":{}})"),
                  "clients: must be a non-empty array of client groups");
  CAF_CHECK_EQUAL(error_of(R"({"clients":[1]})"),
                  "clients[0]: must be an object");
}

CAF_TEST(errors name the field) {
  auto sub = std::string{R"({"type":"ttm_subscriber","count":1})"};
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"durtion_ms":5)")),
                  "durtion_ms: unknown field");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"duration_ms":0)")),
                  "duration_ms: must be an integer in [1, 86400000]");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"duration_ms":1.5)")),
                  "duration_ms: must be an integer in [1, 86400000]");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"ttm_port":70000)")),
                  "ttm_port: must be an integer in [1, 65535]");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"host":"")")),
                  "host: must be a non-empty string");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"connect_rate":-1)")),
                  "connect_rate: must be a number in [0, 1e+06]");
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"type":"nope","count":1})")),
                  "clients[0].type: must be one of ttm_subscriber, "
                  "realdds_subscriber, rest_writer, sio_user, sio_monitor, "
                  "jmri_client, rtoc_writer, rtoc_subscriber, flooder");
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"count":1})")),
                  "clients[0].type: must be one of ttm_subscriber, "
                  "realdds_subscriber, rest_writer, sio_user, sio_monitor, "
                  "jmri_client, rtoc_writer, rtoc_subscriber, flooder");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"realdds_port":0)")),
                  "realdds_port: must be an integer in [1, 65535]");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"jmri_port":0)")),
                  "jmri_port: must be an integer in [1, 65535]");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"jmri_tcp_port":"2056")")),
                  "jmri_tcp_port: must be an integer in [1, 65535]");
  CAF_CHECK_EQUAL(error_of(with_clients(sub, R"(,"jmri_tcp_port":65536)")),
                  "jmri_tcp_port: must be an integer in [1, 65535]");
  CAF_CHECK_EQUAL(error_of(with_clients(sub + R"(,{"type":"ttm_subscriber"})")),
                  "clients[1].count: is required");
  CAF_CHECK_EQUAL(
      error_of(with_clients(R"({"type":"ttm_subscriber","count":0})")),
      "clients[0].count: must be an integer in [1, 100000]");
  CAF_CHECK_EQUAL(
      error_of(with_clients(R"({"type":"ttm_subscriber","count":1,"rate":1})")),
      "clients[0].rate: unknown field");
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"type":"rest_writer","count":1})")),
                  "clients[0].rate: is required");
  CAF_CHECK_EQUAL(
      error_of(with_clients(R"({"type":"rest_writer","count":1,"rate":-5})")),
      "clients[0].rate: must be a number in [0.001, 100000]");
  CAF_CHECK_EQUAL(
      error_of(with_clients(R"({"type":"rest_writer","count":1,"rate":"x"})")),
      "clients[0].rate: must be a number in [0.001, 100000]");
  CAF_CHECK_EQUAL(error_of(with_clients(
                      R"({"type":"sio_monitor","count":1,"think_ms":-1})")),
                  "clients[0].think_ms: must be an integer in [0, 60000]");
}

CAF_TEST(rest writer targets are checked) {
  auto writer = [](const std::string& extra) {
    return with_clients(R"({"type":"rest_writer","count":2,"rate":1)" + extra +
                        "}");
  };
  CAF_CHECK_EQUAL(error_of(writer(R"(,"target":"disk")")),
                  R"(clients[0].target: must be "value", "gpio" or "message")");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"key":"a/b")")),
                  "clients[0].key: may hold only letters, digits, - _ .");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"persistent":1)")),
                  "clients[0].persistent: must be true or false");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"target":"gpio","gpios":["a"])")),
                  "clients[0].gpios: needs exactly one output line per "
                  "writer (count 2)");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"target":"gpio")")),
                  "clients[0].gpios: needs exactly one output line per "
                  "writer (count 2)");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"target":"gpio","gpios":["a","a"])")),
                  "clients[0].gpios: must not name a line twice");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"target":"gpio","gpios":["a",3])")),
                  "clients[0].gpios[1]: must be a line name (letters, "
                  "digits, - _ .)");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"target":"gpio","gpios":"a")")),
                  "clients[0].gpios: must be an array of line names");
  CAF_CHECK_EQUAL(
      error_of(writer(R"(,"target":"gpio","gpios":["a","b"],"key":"k")")),
      R"(clients[0].key: applies to target "value" only)");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"gpios":["a","b"])")),
                  R"(clients[0].gpios: applies to target "gpio" only)");
  CAF_CHECK_EQUAL(
      error_of(with_clients(
          R"({"type":"rest_writer","count":1,"rate":1,"target":"gpio",
          "gpios":["a"]},
         {"type":"rest_writer","count":1,"rate":1,"target":"gpio",
          "gpios":["a"]})")),
      R"(clients: gpio line "a" is written by two groups)");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"target":"gpio","gpios":["a","b"])")),
                  "");
}

CAF_TEST(message writers take none of the value and gpio fields) {
  auto writer = [](const std::string& extra) {
    return with_clients(R"({"type":"ttm_subscriber","count":1},
                           {"type":"rest_writer","count":2,"rate":1,
                            "target":"message")" +
                        extra + "}");
  };
  CAF_CHECK_EQUAL(error_of(writer("")), "");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"key":"k")")),
                  R"(clients[1].key: applies to target "value" only)");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"persistent":false)")),
                  R"(clients[1].persistent: applies to target "value" only)");
  CAF_CHECK_EQUAL(error_of(writer(R"(,"gpios":["a","b"])")),
                  R"(clients[1].gpios: applies to target "gpio" only)");
}

CAF_TEST(jmri clients take a transport) {
  auto jmri = [](const std::string& extra) {
    return with_clients(R"({"type":"ttm_subscriber","count":1},
                           {"type":"rest_writer","count":1,"rate":1},
                           {"type":"jmri_client","count":2)" +
                        extra + "}");
  };
  auto s = parse_scenario(jmri(""), "t");
  CAF_CHECK(s.clients[2].transport == jmri_transport::ws);
  s = parse_scenario(jmri(R"(,"transport":"tcp")"), "t");
  CAF_CHECK(s.clients[2].transport == jmri_transport::tcp);
  CAF_CHECK_EQUAL(s.jmri_clients_over(jmri_transport::tcp), 2u);
  CAF_CHECK_EQUAL(s.jmri_clients_over(jmri_transport::ws), 0u);
  CAF_CHECK_EQUAL(error_of(jmri(R"(,"transport":"udp")")),
                  R"(clients[2].transport: must be "ws" or "tcp")");
  CAF_CHECK_EQUAL(error_of(jmri(R"(,"transport":"WS")")),
                  R"(clients[2].transport: must be "ws" or "tcp")");
  CAF_CHECK_EQUAL(error_of(jmri(R"(,"transport":1)")),
                  "clients[2].transport: must be a non-empty string");
  CAF_CHECK_EQUAL(error_of(jmri(R"(,"rate":1)")),
                  "clients[2].rate: unknown field");
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"type":"jmri_client","count":0})")),
                  "clients[0].count: must be an integer in [1, 100000]");
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"type":"jmri_client"})")),
                  "clients[0].count: is required");
  // The transport is the jmri client's alone.
  CAF_CHECK_EQUAL(
      error_of(with_clients(
          R"({"type":"ttm_subscriber","count":1,"transport":"ws"})")),
      "clients[0].transport: unknown field");
}

CAF_TEST(users need a monitor) {
  CAF_CHECK_EQUAL(
      error_of(with_clients(R"({"type":"sio_user","count":1,"rate":1})")),
      "clients: sio_user needs at least one sio_monitor to talk to");
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"type":"sio_user","count":1,
                                            "rate":1},
                                           {"type":"sio_monitor",
                                            "count":1})")),
                  "");
}

CAF_TEST(assertions are checked) {
  auto sub = std::string{R"({"type":"ttm_subscriber","count":1})"};
  auto with_assert = [&](const std::string& a) {
    return with_clients(sub, R"(,"assert":)" + a);
  };
  CAF_CHECK_EQUAL(error_of(with_assert("[]")), "assert: must be an object");
  CAF_CHECK_EQUAL(error_of(with_assert(R"({"max_loss":0})")),
                  "assert.max_loss: unknown field");
  CAF_CHECK_EQUAL(error_of(with_assert(R"({"max_lost":-1})")),
                  "assert.max_lost: must be an integer in [0, "
                  "9007199254740992]");
  CAF_CHECK_EQUAL(error_of(with_assert(R"({"all_commands_finished":"yes"})")),
                  "assert.all_commands_finished: must be true or false");
  CAF_CHECK_EQUAL(error_of(with_assert(R"({"max_p99_us":5})")),
                  "assert.max_p99_us: must be an object {metric: "
                  "microseconds}");
  CAF_CHECK_EQUAL(error_of(with_assert(R"({"max_p99_us":{"typo":5}})")),
                  "assert.max_p99_us.typo: unknown metric (ttm_delivery, "
                  "rest_write, sio_command_do, sio_command_ok, "
                  "jmri_delivery, rtoc_write, rtoc_delivery)");
  CAF_CHECK_EQUAL(
      error_of(with_assert(R"({"max_p99_us":{"jmri_delivery":2000}})")), "");
  CAF_CHECK_EQUAL(error_of(with_assert(R"({"max_p99_us":{"rest_write":1.5}})")),
                  "assert.max_p99_us.rest_write: must be an integer in [0, "
                  "9007199254740992]");
  for (auto& metric : latency_metrics)
    CAF_CHECK_EQUAL(
        error_of(with_assert(R"({"max_p99_us":{")" + metric + R"(":0}})")), "");
}

CAF_TEST(files are read and named after their file name) {
  // Unique per process: suites may run in parallel.
  auto base = "signalbox-load-scenario-test-" + std::to_string(getpid());
  auto file = "/tmp/" + base + ".json";
  {
    std::ofstream out{file};
    out << with_clients(R"({"type":"ttm_subscriber","count":1})");
  }
  auto s = load_scenario(file);
  CAF_CHECK_EQUAL(s.name, base);
  {
    std::ofstream out{file};
    out << "{";
  }
  try {
    load_scenario(file);
    CAF_FAIL("no error for invalid JSON");
  } catch (const scenario_error& e) {
    CAF_CHECK(starts_with(e.what(), file + ": invalid JSON"));
  }
  std::remove(file.c_str());
  try {
    load_scenario(file);
    CAF_FAIL("no error for a missing file");
  } catch (const scenario_error& e) {
    CAF_CHECK_EQUAL(std::string{e.what()}, file + ": cannot be read");
  }
}

CAF_TEST(rtoc writers take batches windows and credentials) {
  auto rtoc = [](const std::string& extra) {
    return with_clients(R"({"type":"rtoc_writer","count":2)" + extra + "}",
                        R"(,"rtoc_port":6060)");
  };
  auto s = parse_scenario(rtoc(""), "t");
  CAF_CHECK_EQUAL(s.rtoc_port, 6060u);
  auto& w = s.clients[0];
  CAF_CHECK(w.type == client_type::rtoc_writer);
  CAF_CHECK_EQUAL(w.rate, 0.0); // as fast as the window allows
  CAF_CHECK_EQUAL(w.batch, 1u);
  CAF_CHECK_EQUAL(w.signals, 1u);
  CAF_CHECK_EQUAL(w.window, 1u);
  CAF_CHECK_EQUAL(w.samples, 0u); // no limit
  CAF_CHECK_EQUAL(w.password, "");
  CAF_CHECK(!w.aes);
  s = parse_scenario(rtoc(R"(,"rate":50,"batch":100,"signals":10,)"
                          R"("window":4,"samples":5000,"password":"pw")"),
                     "t");
  CAF_CHECK_EQUAL(s.clients[0].rate, 50.0);
  CAF_CHECK_EQUAL(s.clients[0].batch, 100u);
  CAF_CHECK_EQUAL(s.clients[0].signals, 10u);
  CAF_CHECK_EQUAL(s.clients[0].window, 4u);
  CAF_CHECK_EQUAL(s.clients[0].samples, 5000u);
  CAF_CHECK_EQUAL(s.clients[0].password, "pw");
  CAF_CHECK(s.clients[0].aes); // a password means AES unless told otherwise
  s = parse_scenario(rtoc(R"(,"password":"pw","aes":false)"), "t");
  CAF_CHECK(!s.clients[0].aes);
  CAF_CHECK_EQUAL(error_of(rtoc(R"(,"aes":true)")),
                  "clients[0].aes: needs a password (the AES key comes "
                  "from it)");
  CAF_CHECK_EQUAL(error_of(rtoc(R"(,"batch":0)")),
                  "clients[0].batch: must be an integer in [1, 10000]");
  CAF_CHECK_EQUAL(error_of(rtoc(R"(,"batch":2,"signals":3)")),
                  "clients[0].signals: must not exceed batch: a request "
                  "carries one value per signal at least");
  CAF_CHECK_EQUAL(error_of(rtoc(R"(,"window":0)")),
                  "clients[0].window: must be an integer in [1, 1000]");
  CAF_CHECK_EQUAL(error_of(rtoc(R"(,"samples":-1)")),
                  "clients[0].samples: must be an integer in [0, "
                  "1099511627776]");
  CAF_CHECK_EQUAL(error_of(rtoc(R"(,"rate":-1)")),
                  "clients[0].rate: must be a number in [0, 100000]");
  CAF_CHECK_EQUAL(error_of(rtoc(R"(,"password":5)")),
                  "clients[0].password: must be a string");
  CAF_CHECK_EQUAL(error_of(rtoc(R"(,"transport":"ws")")),
                  "clients[0].transport: unknown field");
}

CAF_TEST(rtoc subscribers need a writer) {
  CAF_CHECK_EQUAL(
      error_of(with_clients(R"({"type":"rtoc_subscriber","count":1})")),
      "clients: rtoc_subscriber needs at least one rtoc_writer to hear");
  auto s = parse_scenario(with_clients(R"({"type":"rtoc_subscriber",
                                           "count":3,"password":"x"},
                                          {"type":"rtoc_writer","count":1})"),
                          "t");
  CAF_CHECK_EQUAL(s.count_of(client_type::rtoc_subscriber), 3u);
  CAF_CHECK(s.clients[0].aes);
  CAF_CHECK_EQUAL(s.rtoc_port, 5050u);
  // Batches are the writer's.
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"type":"rtoc_subscriber",
                                            "count":1,"batch":2},
                                           {"type":"rtoc_writer",
                                            "count":1})")),
                  "clients[0].batch: unknown field");
}

CAF_TEST(flooders take an interface and whether they read) {
  auto flooder = [](const std::string& extra) {
    return with_clients(R"({"type":"flooder","count":4)" + extra + "}");
  };
  auto s = parse_scenario(flooder(R"(,"interface":"rtoc")"), "t");
  CAF_REQUIRE_EQUAL(s.clients.size(), 1u);
  auto& g = s.clients[0];
  CAF_CHECK(g.type == client_type::flooder);
  CAF_CHECK_EQUAL(g.count, 4u);
  CAF_CHECK(g.interface == flooder_interface::rtoc);
  CAF_CHECK(g.reads); // reads unless told not to
  CAF_CHECK_EQUAL(g.port, 0u);
  CAF_CHECK_EQUAL(s.count_of(client_type::flooder), 4u);
  CAF_CHECK_EQUAL(to_string(g.type), std::string{"flooder"});
  s = parse_scenario(
      flooder(R"(,"interface":"jmri_tcp","reads":false,"port":2057)"), "t");
  CAF_CHECK(s.clients[0].interface == flooder_interface::jmri_tcp);
  CAF_CHECK(!s.clients[0].reads);
  CAF_CHECK_EQUAL(s.clients[0].port, 2057u);
  s = parse_scenario(flooder(R"(,"interface":"jmri_ws","port":12081)"), "t");
  CAF_CHECK(s.clients[0].interface == flooder_interface::jmri_ws);
  s = parse_scenario(flooder(R"(,"interface":"realdds","reads":true)"), "t");
  CAF_CHECK(s.clients[0].interface == flooder_interface::realdds);
  CAF_CHECK_EQUAL(to_string(s.clients[0].interface), std::string{"realdds"});
  // Flooders need no other client: they only send.
  CAF_CHECK_EQUAL(error_of(flooder(R"(,"interface":"realdds")")), "");
}

CAF_TEST(flooder errors name the field) {
  auto flooder = [](const std::string& extra) {
    return with_clients(R"({"type":"flooder","count":2)" + extra + "}");
  };
  CAF_CHECK_EQUAL(error_of(flooder("")), "clients[0].interface: is required");
  CAF_CHECK_EQUAL(error_of(flooder(R"(,"interface":"udp")")),
                  R"(clients[0].interface: must be "jmri_tcp", "jmri_ws", )"
                  R"("rtoc" or "realdds")");
  CAF_CHECK_EQUAL(error_of(flooder(R"(,"interface":"RTOC")")),
                  R"(clients[0].interface: must be "jmri_tcp", "jmri_ws", )"
                  R"("rtoc" or "realdds")");
  CAF_CHECK_EQUAL(error_of(flooder(R"(,"interface":3)")),
                  "clients[0].interface: must be a non-empty string");
  CAF_CHECK_EQUAL(error_of(flooder(R"(,"interface":"rtoc","reads":"no")")),
                  "clients[0].reads: must be true or false");
  CAF_CHECK_EQUAL(error_of(flooder(R"(,"interface":"rtoc","port":5051)")),
                  R"(clients[0].port: applies to interface "jmri_tcp" and )"
                  R"("jmri_ws" only)");
  CAF_CHECK_EQUAL(error_of(flooder(R"(,"interface":"realdds","port":5152)")),
                  R"(clients[0].port: applies to interface "jmri_tcp" and )"
                  R"("jmri_ws" only)");
  CAF_CHECK_EQUAL(error_of(flooder(R"(,"interface":"rtoc","rate":10)")),
                  "clients[0].rate: unknown field");
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"type":"flooder",)"
                                        R"("interface":"rtoc"})")),
                  "clients[0].count: is required");
  // The interface is the flooder's alone.
  CAF_CHECK_EQUAL(error_of(with_clients(R"({"type":"ttm_subscriber",)"
                                        R"("count":1,"interface":"rtoc"})")),
                  "clients[0].interface: unknown field");
}

CAF_TEST(flooders closed by the node may be bounded) {
  auto s = parse_scenario(with_clients(R"({"type":"flooder","count":2,
                                           "interface":"jmri_ws"})"),
                          "t");
  CAF_CHECK(!s.checks.max_flooders_closed); // no limit by default
  s = parse_scenario(with_clients(R"({"type":"flooder","count":2,
                                      "interface":"jmri_ws"})",
                                  R"(,"assert":{"max_flooders_closed":1})"),
                     "t");
  CAF_CHECK_EQUAL(*s.checks.max_flooders_closed, 1u);
  CAF_CHECK_EQUAL(
      error_of(with_clients(R"({"type":"flooder","count":1,
                                "interface":"rtoc"})",
                            R"(,"assert":{"max_flooders_closed":-1})")),
      "assert.max_flooders_closed: must be an integer in [0, "
      "9007199254740992]");
}
