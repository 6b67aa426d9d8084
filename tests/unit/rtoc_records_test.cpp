// RTOC's storage layout (protocols/rtoc/records.hpp) and the range scans and
// removals it relies on (store/lmdb.hpp), on a real LMDB environment.
#define CAF_SUITE rtoc_records
#include <algorithm>
#include <cmath>
#include <limits>

#include "fixture.hpp"
#include "protocols/rtoc/records.hpp"
#include "protocols/rtoc/signal.hpp"
#include "store/lmdb.hpp"

using namespace signalbox;
using namespace signalbox::rtoc;
using signalbox::test::temp_dir;

namespace {

const std::vector<std::string> tables{"t"};

store_options options_in(const std::string& dir) {
  store_options opts;
  opts.directory = dir;
  opts.map_size = 1 << 20;
  return opts;
}

std::vector<std::string> keys_of(lmdb::txn& t, lmdb::table tab,
                                 std::string_view from, std::string_view to,
                                 uint64_t limit, bool reverse) {
  std::vector<std::string> out;
  t.scan_range(
      tab, from, to, limit, reverse,
      [&](std::string_view k, std::string_view) { out.emplace_back(k); });
  return out;
}

} // namespace

CAF_TEST(sample keys sort by signal then by x) {
  std::vector<double> xs{-1e300, -2.5, -0.0,           0.0,  1e-300,
                         1.0,    2.5,  1700000000.123, 1e300};
  std::vector<std::string> keys;
  for (auto x : xs)
    keys.push_back(records::sample_key(7, x, 0));
  CAF_CHECK(std::is_sorted(keys.begin(), keys.end()));
  // Another signal's samples all come after.
  CAF_CHECK(records::sample_key(8, -1e300, 0) > keys.back());
  CAF_CHECK(records::sample_key(6, 1e300, 0) < keys.front());
  // The sequence keeps samples with the same x apart, in order.
  CAF_CHECK(records::sample_key(7, 1.0, 1) > records::sample_key(7, 1.0, 0));
  CAF_CHECK(records::sample_key(7, 1.0, 1) < records::sample_key(7, 2.0, 0));
  for (auto x : xs) {
    auto back = records::x_of(records::sample_key(7, x, 42));
    CAF_REQUIRE(back.has_value());
    CAF_CHECK_EQUAL(*back, x);
  }
  CAF_CHECK(!records::x_of("short").has_value());
  CAF_CHECK(records::samples_begin(7) <= keys.front());
  CAF_CHECK(records::samples_end(7) > records::sample_key(7, 1e300, ~0ull));
  CAF_CHECK(records::samples_from(7, 2.5) > keys[5]);
  CAF_CHECK(records::samples_from(7, 2.5) <= keys[6]);
}

CAF_TEST(values ids signals and events round trip) {
  for (auto y : {0.0, -1.5, 1e-300, std::numeric_limits<double>::infinity()}) {
    auto back = records::decode_y(records::encode_y(y));
    CAF_REQUIRE(back.has_value());
    CAF_CHECK(*back == y); // exact, infinity too
  }
  auto nan = records::decode_y(records::encode_y(std::nan("")));
  CAF_REQUIRE(nan.has_value());
  CAF_CHECK(std::isnan(*nan));
  CAF_CHECK(!records::decode_y("1234567").has_value());
  auto id = records::id_of(records::id_key(123456789));
  CAF_REQUIRE(id.has_value());
  CAF_CHECK_EQUAL(*id, 123456789);
  CAF_CHECK(records::id_key(2) > records::id_key(1));
  CAF_CHECK(!records::id_of("boot").has_value());
  auto sig = records::decode_signal(records::encode_signal({3, "T\"1",
                                                            "\xc2\xb0"
                                                            "C"}));
  CAF_REQUIRE(sig.has_value());
  CAF_CHECK_EQUAL(sig->device_id, 3);
  CAF_CHECK_EQUAL(sig->name, "T\"1");
  CAF_CHECK_EQUAL(sig->unit, "\xc2\xb0"
                             "C");
  CAF_CHECK(!records::decode_signal("not json").has_value());
  event_view e{5, 2,    3, "Dev", "Sig", "hot", 1700000000.5, R"({"a":[1]})",
               2, "abc"};
  auto back = records::decode_event(records::encode_event(e));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK_EQUAL(back->device_id, 2);
  CAF_CHECK_EQUAL(back->signal_id, 3);
  CAF_CHECK_EQUAL(back->dname, "Dev");
  CAF_CHECK_EQUAL(back->sname, "Sig");
  CAF_CHECK_EQUAL(back->text, "hot");
  double x = back->x;
  CAF_CHECK_EQUAL(x, 1700000000.5);
  CAF_CHECK_EQUAL(back->value_json, R"({"a":[1]})");
  CAF_CHECK_EQUAL(back->priority, 2);
  CAF_CHECK_EQUAL(back->id, "abc");
}

CAF_TEST(range scans go forwards or backwards within their bounds) {
  temp_dir dir;
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  auto t = *env->find_table("t");
  env->write([&](lmdb::txn& w) {
    for (auto k : {"a1", "a2", "a3", "b1", "b2", "c1"})
      w.put(t, k, "v");
  });
  auto r = env->begin_read();
  using v = std::vector<std::string>;
  CAF_CHECK_EQUAL(keys_of(r, t, "a", "b", 0, false), (v{"a1", "a2", "a3"}));
  CAF_CHECK_EQUAL(keys_of(r, t, "a", "b", 2, false), (v{"a1", "a2"}));
  CAF_CHECK_EQUAL(keys_of(r, t, "a", "b", 0, true), (v{"a3", "a2", "a1"}));
  CAF_CHECK_EQUAL(keys_of(r, t, "a", "b", 1, true), (v{"a3"}));
  CAF_CHECK_EQUAL(keys_of(r, t, "a2", "b2", 0, false), (v{"a2", "a3", "b1"}));
  CAF_CHECK_EQUAL(keys_of(r, t, "b", "", 0, false), (v{"b1", "b2", "c1"}));
  CAF_CHECK_EQUAL(keys_of(r, t, "b", "", 0, true), (v{"c1", "b2", "b1"}));
  // An upper bound past every key, and a range with nothing in it.
  CAF_CHECK_EQUAL(keys_of(r, t, "c", "z", 0, true), (v{"c1"}));
  CAF_CHECK_EQUAL(keys_of(r, t, "d", "z", 0, true), (v{}));
  CAF_CHECK_EQUAL(keys_of(r, t, "a4", "b", 0, false), (v{}));
  CAF_CHECK_EQUAL(keys_of(r, t, "a4", "b", 0, true), (v{}));
}

CAF_TEST(range removal takes exactly the keys in range) {
  temp_dir dir;
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  auto t = *env->find_table("t");
  env->write([&](lmdb::txn& w) {
    for (auto k : {"a1", "a2", "b1", "b2", "b3", "c1"})
      w.put(t, k, "v");
  });
  uint64_t removed = 0;
  env->write([&](lmdb::txn& w) { removed = w.del_range(t, "b", "c"); });
  CAF_CHECK_EQUAL(removed, 3u);
  env->write([&](lmdb::txn& w) { removed = w.del_range(t, "x", "z"); });
  CAF_CHECK_EQUAL(removed, 0u);
  // The last keys of the table.
  env->write([&](lmdb::txn& w) { removed = w.del_range(t, "c", "d"); });
  CAF_CHECK_EQUAL(removed, 1u);
  auto r = env->begin_read();
  CAF_CHECK_EQUAL(keys_of(r, t, "", "", 0, false),
                  (std::vector<std::string>{"a1", "a2"}));
}

CAF_TEST(windows keep x above xmin and up to xmax then thin to maxN) {
  auto run = [](signal_query q) {
    std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    auto y = x;
    filter_window(x, y, q);
    CAF_CHECK_EQUAL(x, y);
    return x;
  };
  using v = std::vector<double>;
  CAF_CHECK_EQUAL(run({}), (v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  CAF_CHECK_EQUAL(run({true, 3, false, 0, 0, false}),
                  (v{4, 5, 6, 7, 8, 9, 10}));
  // xmax is kept (RTOC's off-by-one dropped it).
  CAF_CHECK_EQUAL(run({false, 0, true, 4, 0, false}), (v{1, 2, 3, 4}));
  CAF_CHECK_EQUAL(run({true, 2, true, 5, 0, false}), (v{3, 4, 5}));
  // Every len/maxN-th sample, from the first.
  CAF_CHECK_EQUAL(run({false, 0, false, 0, 5, false}), (v{1, 3, 5, 7, 9}));
  CAF_CHECK_EQUAL(run({false, 0, false, 0, 3, false}), (v{1, 4, 7, 10}));
  CAF_CHECK_EQUAL(run({false, 0, false, 0, 10, false}),
                  (v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  CAF_CHECK_EQUAL(run({true, 100, false, 0, 0, false}), (v{}));
}
