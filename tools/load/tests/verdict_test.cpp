#define CAF_SUITE load_verdict

#include <caf/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "tools/load/report.hpp"
#include "tools/load/verdict.hpp"

using namespace signalbox::load;

namespace {

// A run in which everything arrived.
results clean_run() {
  results r;
  r.scenario = "t";
  r.run_id = "0123456789abcdef";
  r.run_seconds = 2;
  r.drained = true;
  r.clients = 5;
  r.connects_made = 5;
  r.subscribers = 2;
  r.writes_sent = r.writes_ok = 10;
  r.delivered = r.delivered_expected = 20;
  r.delivered_per_second = 10;
  r.commands_sent = r.commands_ok = r.commands_do = r.commands_done = 4;
  r.commands_finish = r.commands_finish_expected = 8;
  // 1..100 µs: p99 is reported as the top of 99 µs's bucket, 99.327 µs.
  for (uint64_t v = 1; v <= 100; ++v)
    r.latency["ttm_delivery"].record(v * 1000);
  r.latency["rest_write"];
  return r;
}

scenario with_checks(assertions a) {
  scenario s;
  s.checks = std::move(a);
  return s;
}

const assertion_result* find(const results& r, const std::string& name) {
  for (auto& a : r.assertions)
    if (a.name == name)
      return &a;
  return nullptr;
}

} // namespace

CAF_TEST(no assertions pass) {
  auto r = clean_run();
  evaluate(with_checks({}), r);
  CAF_CHECK(r.assertions.empty());
  CAF_CHECK(r.passed);
}

CAF_TEST(a clean run passes every bound) {
  assertions a;
  a.max_lost = 0;
  a.max_out_of_order = 0;
  a.max_failed_connections = 0;
  a.max_failed_requests = 0;
  a.all_commands_finished = true;
  a.max_p99_us["ttm_delivery"] = 100;
  a.min_delivered_per_second = 10;
  auto r = clean_run();
  evaluate(with_checks(a), r);
  CAF_CHECK_EQUAL(r.assertions.size(), 7u);
  for (auto& x : r.assertions)
    CAF_CHECK(x.passed);
  CAF_CHECK(r.passed);
  CAF_CHECK_EQUAL(find(r, "ttm_delivery.p99_us")->value, "99.327");
}

CAF_TEST(each bound can fail on its own) {
  auto fails = [](auto&& set_bound, auto&& spoil, const std::string& name) {
    assertions a;
    set_bound(a);
    auto good = clean_run();
    evaluate(with_checks(a), good);
    auto bad = clean_run();
    spoil(bad);
    evaluate(with_checks(a), bad);
    auto* x = find(bad, name);
    return good.passed && x && !x->passed && !bad.passed;
  };
  CAF_CHECK(fails([](auto& a) { a.max_lost = 0; },
                  [](auto& r) { r.sio_lost = 1; }, "lost"));
  CAF_CHECK(fails([](auto& a) { a.max_lost = 1; },
                  [](auto& r) { r.ttm_lost = 1, r.sio_lost = 1; }, "lost"));
  CAF_CHECK(fails([](auto& a) { a.max_out_of_order = 0; },
                  [](auto& r) { r.ttm_out_of_order = 1; }, "out_of_order"));
  CAF_CHECK(fails([](auto& a) { a.max_failed_connections = 0; },
                  [](auto& r) { r.dropped = 1; }, "failed_connections"));
  CAF_CHECK(fails([](auto& a) { a.max_failed_connections = 0; },
                  [](auto& r) { r.connects_failed = 1; },
                  "failed_connections"));
  CAF_CHECK(fails([](auto& a) { a.max_failed_requests = 0; },
                  [](auto& r) { r.commands_failed = 1; }, "failed_requests"));
  CAF_CHECK(fails([](auto& a) { a.max_failed_requests = 0; },
                  [](auto& r) { r.writes_failed = 1; }, "failed_requests"));
  CAF_CHECK(fails([](auto& a) { a.all_commands_finished = true; },
                  [](auto& r) { r.commands_finish = 7; },
                  "all_commands_finished"));
  CAF_CHECK(fails([](auto& a) { a.all_commands_finished = true; },
                  [](auto& r) { r.commands_do = 3; }, "all_commands_finished"));
  CAF_CHECK(fails([](auto& a) { a.all_commands_finished = true; },
                  [](auto& r) { r.commands_ok = 3; }, "all_commands_finished"));
  CAF_CHECK(fails([](auto& a) { a.max_p99_us["ttm_delivery"] = 100; },
                  [](auto& r) { r.latency["ttm_delivery"].record(1000000, 5); },
                  "ttm_delivery.p99_us"));
  CAF_CHECK(fails([](auto& a) { a.min_delivered_per_second = 10; },
                  [](auto& r) { r.delivered_per_second = 9.5; },
                  "delivered_per_second"));
}

CAF_TEST(jmri figures count in the totals) {
  auto fails = [](auto&& set_bound, auto&& spoil, const std::string& name) {
    assertions a;
    set_bound(a);
    auto good = clean_run();
    evaluate(with_checks(a), good);
    auto bad = clean_run();
    spoil(bad);
    evaluate(with_checks(a), bad);
    auto* x = find(bad, name);
    return good.passed && x && !x->passed && !bad.passed;
  };
  CAF_CHECK(fails([](auto& a) { a.max_lost = 0; },
                  [](auto& r) { r.jmri_lost = 1; }, "lost"));
  CAF_CHECK(fails([](auto& a) { a.max_out_of_order = 0; },
                  [](auto& r) { r.jmri_out_of_order = 1; }, "out_of_order"));
  CAF_CHECK(fails([](auto& a) { a.max_failed_requests = 0; },
                  [](auto& r) { r.jmri_errors = 1; }, "failed_requests"));
  // 1..100 µs like ttm_delivery: p99 within 100 µs until the slow ones.
  assertions p99;
  p99.max_p99_us["jmri_delivery"] = 100;
  auto timely = clean_run();
  for (uint64_t v = 1; v <= 100; ++v)
    timely.latency["jmri_delivery"].record(v * 1000);
  evaluate(with_checks(p99), timely);
  CAF_CHECK(timely.passed);
  auto slow = timely;
  slow.latency["jmri_delivery"].record(1000000, 5);
  evaluate(with_checks(p99), slow);
  CAF_CHECK(!slow.passed);
  CAF_CHECK(!find(slow, "jmri_delivery.p99_us")->passed);
  // ttmnotify and JMRI deliveries together: 10/s + 5/s.
  assertions a;
  a.min_delivered_per_second = 15;
  auto r = clean_run();
  r.jmri_delivered_per_second = 5;
  evaluate(with_checks(a), r);
  CAF_CHECK(r.passed);
  CAF_CHECK_EQUAL(find(r, "delivered_per_second")->value, "15");
  r.jmri_delivered_per_second = 4.5;
  evaluate(with_checks(a), r);
  CAF_CHECK(!r.passed);
}

CAF_TEST(a latency bound without samples fails) {
  assertions a;
  a.max_p99_us["rest_write"] = 1000000;
  a.max_p99_us["sio_command_ok"] = 1000000;
  auto r = clean_run();
  evaluate(with_checks(a), r);
  CAF_CHECK(!r.passed);
  CAF_CHECK_EQUAL(find(r, "rest_write.p99_us")->value, "no samples");
  CAF_CHECK(!find(r, "sio_command_ok.p99_us")->passed);
}

CAF_TEST(the JSON report holds the results) {
  assertions a;
  a.max_lost = 0;
  a.max_p99_us["ttm_delivery"] = 10;
  auto r = clean_run();
  r.server = process_usage{42, 1000, 2000, 3000, 2500, 2000, 1.5, 75, 3500};
  // 4 of 5 jmri clients subscribed, 3 messages each expected, one lost.
  r.message_writes_ok = 3;
  r.jmri_clients = 4;
  r.jmri_ws = 2;
  r.jmri_tcp = 3;
  r.jmri_messages = 14;
  r.jmri_delivered = 11;
  r.jmri_expected = 12;
  r.jmri_lost = 1;
  r.jmri_other = 3;
  r.jmri_delivered_per_second = 5.5;
  r.latency["jmri_delivery"].record(2000, 11);
  evaluate(with_checks(a), r);
  auto text = report_json(r);
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  CAF_REQUIRE(!doc.HasParseError());
  CAF_CHECK_EQUAL(doc["scenario"].GetString(), std::string{"t"});
  CAF_CHECK(!doc["passed"].GetBool());
  CAF_CHECK_EQUAL(doc["ttm"]["delivered"].GetUint64(), 20u);
  CAF_CHECK_EQUAL(doc["ttm"]["expected"].GetUint64(), 20u);
  CAF_CHECK_EQUAL(doc["rest"]["writes_ok"].GetUint64(), 10u);
  CAF_CHECK_EQUAL(doc["rest"]["message_writes_ok"].GetUint64(), 3u);
  auto& jmri = doc["jmri"];
  CAF_CHECK_EQUAL(jmri["clients"].GetUint64(), 4u);
  CAF_CHECK_EQUAL(jmri["ws"].GetUint64(), 2u);
  CAF_CHECK_EQUAL(jmri["tcp"].GetUint64(), 3u);
  CAF_CHECK_EQUAL(jmri["messages"].GetUint64(), 14u);
  CAF_CHECK_EQUAL(jmri["delivered"].GetUint64(), 11u);
  CAF_CHECK_EQUAL(jmri["expected"].GetUint64(), 12u);
  CAF_CHECK_EQUAL(jmri["lost"].GetUint64(), 1u);
  CAF_CHECK_EQUAL(jmri["out_of_order"].GetUint64(), 0u);
  CAF_CHECK_EQUAL(jmri["other_messages"].GetUint64(), 3u);
  CAF_CHECK_EQUAL(jmri["errors"].GetUint64(), 0u);
  CAF_CHECK_EQUAL(jmri["delivered_per_second"].GetDouble(), 5.5);
  CAF_CHECK_EQUAL(doc["latency_us"]["jmri_delivery"]["count"].GetUint64(), 11u);
  CAF_CHECK(doc["sio"]["all_commands_finished"].GetBool());
  auto& lat = doc["latency_us"]["ttm_delivery"];
  CAF_CHECK_EQUAL(lat["count"].GetUint64(), 100u);
  CAF_CHECK_EQUAL(lat["p50"].GetDouble(), 50175 / 1000.0);
  CAF_CHECK_EQUAL(lat["p99"].GetDouble(), 99327 / 1000.0);
  CAF_CHECK_EQUAL(lat["max"].GetDouble(), 100.0);
  CAF_CHECK_EQUAL(doc["latency_us"]["rest_write"]["count"].GetUint64(), 0u);
  CAF_CHECK_EQUAL(doc["server"]["pid"].GetInt(), 42);
  CAF_CHECK_EQUAL(doc["server"]["rss_kib_max"].GetUint64(), 3000u);
  CAF_CHECK_EQUAL(doc["server"]["cpu_percent"].GetDouble(), 75.0);
  CAF_CHECK_EQUAL(doc["server"]["rss_hwm_kib_end"].GetUint64(), 3500u);
  CAF_CHECK(doc["generator"].IsNull());
  CAF_REQUIRE_EQUAL(doc["assertions"].Size(), 2u);
  CAF_CHECK_EQUAL(doc["assertions"][1]["name"].GetString(),
                  std::string{"ttm_delivery.p99_us"});
  CAF_CHECK(!doc["assertions"][1]["passed"].GetBool());
}

CAF_TEST(the summary lists every assertion and the verdict) {
  assertions a;
  a.max_lost = 0;
  a.max_p99_us["ttm_delivery"] = 10;
  auto r = clean_run();
  evaluate(with_checks(a), r);
  auto text = summary_text(r);
  CAF_CHECK(text.find("PASS lost: 0 (want <= 0)\n") != std::string::npos);
  CAF_CHECK(text.find("FAIL ttm_delivery.p99_us: 99.327 (want <= 10)\n") !=
            std::string::npos);
  CAF_CHECK(text.find("20/20 delivered") != std::string::npos);
  // No jmri clients, no jmri line.
  CAF_CHECK(text.find("jmri") == std::string::npos);
  r.jmri_ws = 1;
  r.jmri_tcp = 1;
  r.jmri_clients = 2;
  r.jmri_delivered = r.jmri_expected = 6;
  r.jmri_other = 2;
  r.message_writes_ok = 3;
  r.latency["jmri_delivery"].record(1500, 6);
  text = summary_text(r);
  CAF_CHECK(text.find("jmri: 2 clients subscribed (of 1 ws + 1 tcp), 6/6 "
                      "delivered (0/s), 0 lost, 0 out of order, 2 other "
                      "messages (job status, other senders), 0 errors\n") !=
            std::string::npos);
  CAF_CHECK(text.find("10 writes, 10 ok (3 messages), 0 failed") !=
            std::string::npos);
  CAF_CHECK(text.find("  jmri_delivery (6), µs: p50 2  ") != std::string::npos);
  CAF_CHECK(text.size() >= 7);
  CAF_CHECK_EQUAL(text.substr(text.size() - 7), "FAILED\n");
}

CAF_TEST(flooders closed by the node are an outcome not a failure) {
  auto r = clean_run();
  flooder_group_result reading;
  reading.interface = "rtoc";
  reading.count = reading.connected = reading.open_at_end = 4;
  reading.requests_written = 1200000;
  reading.bytes_written = 36000000;
  reading.requests_per_second = 120000;
  reading.replies = reading.messages = 1200000;
  reading.bytes_read = 40000000;
  flooder_group_result silent;
  silent.interface = "jmri_tcp";
  silent.reads = false;
  silent.count = silent.connected = silent.closed = 2;
  silent.requests_written = 200000;
  silent.bytes_written = 3100000;
  silent.close_reasons["eof"] = 2;
  silent.closed_after_bytes_min = 2900000;
  silent.closed_after_bytes_max = 3100000;
  r.flooders = {reading, silent};
  CAF_CHECK_EQUAL(r.flooders_closed(), 2u);
  assertions a;
  a.max_failed_connections = 0;
  a.max_failed_requests = 0;
  evaluate(with_checks(a), r);
  CAF_CHECK(r.passed);
  a.max_flooders_closed = 2;
  evaluate(with_checks(a), r);
  CAF_CHECK(r.passed);
  CAF_CHECK_EQUAL(find(r, "flooders_closed")->value, "2");
  a.max_flooders_closed = 1;
  evaluate(with_checks(a), r);
  CAF_CHECK(!r.passed);
  CAF_CHECK(!find(r, "flooders_closed")->passed);
  CAF_CHECK(find(r, "failed_connections")->passed);

  auto text = summary_text(r);
  CAF_CHECK(text.find("flooders: 4 rtoc flooders (4 connected): 1.2 M "
                      "requests (36.0 MB, 120.0 k/s), 1.2 M replies (1.2 M "
                      "messages, 40.0 MB); 4 open at the end, 0 closed by "
                      "the node\n") != std::string::npos);
  CAF_CHECK(text.find("flooders: 2 jmri_tcp non-reading flooders (2 "
                      "connected): 200.0 k requests (3.1 MB, 0/s), replies "
                      "not read; 0 open at the end, 2 closed by the node "
                      "(eof 2) after 2.9-3.1 MB\n") != std::string::npos);

  rapidjson::Document doc;
  auto json = report_json(r);
  doc.Parse(json.c_str());
  CAF_REQUIRE(!doc.HasParseError());
  CAF_REQUIRE_EQUAL(doc["flooders"].Size(), 2u);
  auto& f = doc["flooders"][1];
  CAF_CHECK_EQUAL(f["interface"].GetString(), std::string{"jmri_tcp"});
  CAF_CHECK(!f["reads"].GetBool());
  CAF_CHECK_EQUAL(f["requests_written"].GetUint64(), 200000u);
  CAF_CHECK_EQUAL(f["closed"].GetUint64(), 2u);
  CAF_CHECK_EQUAL(f["close_reasons"]["eof"].GetUint64(), 2u);
  CAF_CHECK_EQUAL(f["closed_after_bytes_max"].GetUint64(), 3100000u);
  CAF_CHECK_EQUAL(doc["flooders"][0]["replies"].GetUint64(), 1200000u);
  CAF_CHECK_EQUAL(doc["flooders"][0]["open_at_end"].GetUint64(), 4u);
}
