// core/prometheus_text: the exposition format GET /metrics answers in,
// line by line (the end-to-end test runs promtool over the node's text).
#define CAF_SUITE prometheus_text

#include <cmath>
#include <limits>
#include <string>

#include "core/prometheus_text.hpp"
#include "fixture.hpp"

using namespace signalbox::prometheus;

CAF_TEST(a counter family is HELP and TYPE then one line per series) {
  family f{"jobs_started_total", "jobs started", metric_type::counter, {}, {}};
  f.samples.push_back({{{"job", "hello"}}, 3});
  f.samples.push_back({{{"job", "heartbeat"}, {"node", "a"}}, 0});
  CAF_CHECK_EQUAL(encode({f}),
                  "# HELP jobs_started_total jobs started\n"
                  "# TYPE jobs_started_total counter\n"
                  "jobs_started_total{job=\"hello\"} 3\n"
                  "jobs_started_total{job=\"heartbeat\",node=\"a\"} 0\n");
}

CAF_TEST(a series without labels has no braces) {
  family f{"up", "1 when up", metric_type::gauge, {{{}, 1}}, {}};
  CAF_CHECK_EQUAL(encode({f}), "# HELP up 1 when up\n# TYPE up gauge\nup 1\n");
}

CAF_TEST(a family without series still says what it is) {
  family f{"errors_total", "errors", metric_type::counter, {}, {}};
  CAF_CHECK_EQUAL(encode({f}),
                  "# HELP errors_total errors\n# TYPE errors_total counter\n");
}

CAF_TEST(a histogram is cumulative buckets then + Inf and sum and count) {
  family f{"latency_seconds", "time", metric_type::histogram, {}, {}};
  histogram_sample h;
  h.labels = {{"route", "/api/jobs"}};
  h.buckets = {{0.001, 2}, {0.25, 5}};
  h.sum = 0.75;
  h.count = 6;
  f.histograms.push_back(h);
  CAF_CHECK_EQUAL(encode({f}),
                  "# HELP latency_seconds time\n"
                  "# TYPE latency_seconds histogram\n"
                  "latency_seconds_bucket{route=\"/api/jobs\",le=\"0.001\"} 2\n"
                  "latency_seconds_bucket{route=\"/api/jobs\",le=\"0.25\"} 5\n"
                  "latency_seconds_bucket{route=\"/api/jobs\",le=\"+Inf\"} 6\n"
                  "latency_seconds_sum{route=\"/api/jobs\"} 0.75\n"
                  "latency_seconds_count{route=\"/api/jobs\"} 6\n");
}

CAF_TEST(a histogram without labels has only le) {
  family f{"commit_seconds", "c", metric_type::histogram, {}, {}};
  histogram_sample h;
  h.buckets = {{1, 0}};
  f.histograms.push_back(h);
  CAF_CHECK_EQUAL(encode({f}), "# HELP commit_seconds c\n"
                               "# TYPE commit_seconds histogram\n"
                               "commit_seconds_bucket{le=\"1\"} 0\n"
                               "commit_seconds_bucket{le=\"+Inf\"} 0\n"
                               "commit_seconds_sum 0\n"
                               "commit_seconds_count 0\n");
}

CAF_TEST(label values escape backslash quote and line feed only) {
  CAF_CHECK_EQUAL(escape_label_value(R"(a\b"c)"
                                     "\n"
                                     "d\te"),
                  R"(a\\b\"c\nd)"
                  "\te");
  family f{"x_total", "x", metric_type::counter, {}, {}};
  f.samples.push_back({{{"key", "say \"hi\""}}, 1});
  CAF_CHECK_EQUAL(encode({f}), "# HELP x_total x\n# TYPE x_total counter\n"
                               "x_total{key=\"say \\\"hi\\\"\"} 1\n");
}

CAF_TEST(help texts escape backslash and line feed but not quotes) {
  CAF_CHECK_EQUAL(escape_help("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
}

CAF_TEST(numbers are plain integers or the shortest exact decimal) {
  CAF_CHECK_EQUAL(format_value(0), "0");
  CAF_CHECK_EQUAL(format_value(42), "42");
  CAF_CHECK_EQUAL(format_value(-7), "-7");
  CAF_CHECK_EQUAL(format_value(18446744073709551615.0),
                  "1.8446744073709552e+19");
  CAF_CHECK_EQUAL(format_value(9007199254740991.0), "9007199254740991");
  CAF_CHECK_EQUAL(format_value(0.00025), "0.00025");
  CAF_CHECK_EQUAL(format_value(0.1), "0.1");
  CAF_CHECK_EQUAL(format_value(2.5), "2.5");
  CAF_CHECK_EQUAL(format_value(1.0 / 3), "0.3333333333333333");
  CAF_CHECK_EQUAL(std::stod(format_value(1.0 / 3)), 1.0 / 3);
  CAF_CHECK_EQUAL(format_value(std::numeric_limits<double>::infinity()),
                  "+Inf");
  CAF_CHECK_EQUAL(format_value(-std::numeric_limits<double>::infinity()),
                  "-Inf");
  CAF_CHECK_EQUAL(format_value(std::nan("")), "NaN");
}

CAF_TEST(metric and label names follow the data model) {
  CAF_CHECK(valid_metric_name("signalbox_frames_sent_total"));
  CAF_CHECK(valid_metric_name("a:b_c"));
  CAF_CHECK(valid_metric_name("_x"));
  CAF_CHECK(!valid_metric_name(""));
  CAF_CHECK(!valid_metric_name("1abc"));
  CAF_CHECK(!valid_metric_name("a-b"));
  CAF_CHECK(!valid_metric_name("a b"));
  CAF_CHECK(valid_label_name("interface"));
  CAF_CHECK(valid_label_name("_x1"));
  CAF_CHECK(!valid_label_name("__name__"));
  CAF_CHECK(!valid_label_name("a:b"));
  CAF_CHECK(!valid_label_name("9a"));
  CAF_CHECK(!valid_label_name(""));
}

CAF_TEST(families come out in the given order) {
  family a{"b_total", "b", metric_type::counter, {{{}, 1}}, {}};
  family b{"a_total", "a", metric_type::counter, {{{}, 2}}, {}};
  auto text = encode({a, b});
  CAF_CHECK_LESS(text.find("b_total 1"), text.find("a_total 2"));
}
