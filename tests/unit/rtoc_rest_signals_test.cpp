// protocols/rtoc/rest_signals: the bodies of GET /api/signals and
// /api/signals/{name}, and the window query.
#define CAF_SUITE rtoc_rest_signals

#include <cmath>
#include <string>

#include "fixture.hpp"
#include "protocols/rtoc/rest_signals.hpp"

using namespace signalbox;
using namespace signalbox::rtoc;

CAF_TEST(the list names each signal with its unit count and latest sample) {
  latest_view a;
  a.name = "gpio.relay-a";
  a.x = 1764900000.5;
  a.y = 1;
  a.count = 3;
  a.empty = false;
  latest_view b;
  b.name = "lab.temp";
  b.unit = "°C";
  CAF_CHECK_EQUAL(encode_signal_list({a, b}),
                  R"([{"name":"gpio.relay-a","unit":"","samples":3,"latest":)"
                  R"([1764900000.5,1.0]},{"name":"lab.temp","unit":"°C",)"
                  R"("samples":0,"latest":null}])");
  CAF_CHECK_EQUAL(encode_signal_list({}), "[]");
}

CAF_TEST(a window keeps the samples after since in order) {
  signal_view v;
  v.name = "lab.temp";
  v.unit = "V";
  v.x = {10, 11, 12, 13};
  v.y = {1.5, 2, 2.5, 3};
  CAF_CHECK_EQUAL(encode_signal_window(v, std::nullopt),
                  R"({"name":"lab.temp","unit":"V","x":[10.0,11.0,12.0,13.0],)"
                  R"("y":[1.5,2.0,2.5,3.0]})");
  // since is exclusive: a client polls with its last x and gets only news.
  CAF_CHECK_EQUAL(encode_signal_window(v, 11.0),
                  R"({"name":"lab.temp","unit":"V","x":[12.0,13.0],)"
                  R"("y":[2.5,3.0]})");
  CAF_CHECK_EQUAL(encode_signal_window(v, 13.0),
                  R"({"name":"lab.temp","unit":"V","x":[],"y":[]})");
}

CAF_TEST(numbers JSON cannot hold are null) {
  signal_view v;
  v.name = "a.b";
  v.x = {1, 2};
  v.y = {std::nan(""), INFINITY};
  CAF_CHECK_EQUAL(encode_signal_window(v, std::nullopt),
                  R"({"name":"a.b","unit":"","x":[1.0,2.0],"y":[null,null]})");
}

CAF_TEST(the window query takes since and limit or says what is wrong) {
  std::string error;
  auto none = parse_window_query("", error);
  CAF_REQUIRE(none);
  CAF_CHECK(!none->since);
  CAF_CHECK_EQUAL(none->limit, default_window_limit);
  auto both = parse_window_query("since=1764900000.25&limit=50", error);
  CAF_REQUIRE(both);
  CAF_CHECK_EQUAL(*both->since, 1764900000.25);
  CAF_CHECK_EQUAL(both->limit, 50u);
  for (auto bad : {"since=soon", "since=1e999", "since=nan", "since=1x",
                   "limit=0", "limit=-1", "limit=100001", "limit=2.5"}) {
    error.clear();
    CAF_CHECK(!parse_window_query(bad, error));
    CAF_CHECK(!error.empty());
  }
}
