// Every type in signalbox's type-ID blocks survives CAF's binary
// serialization, field for field: the cluster sends these messages between
// nodes over the middleman. The test walks both blocks by type ID, so a type
// added to a block without a sample here fails to compile.
#define CAF_SUITE type_ids
#include <tuple>
#include <utility>

#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "actors/interfaces.hpp"
#include "fixture.hpp"

using namespace signalbox;

namespace signalbox {

// Field-by-field views for equality: a field that inspect forgets comes
// back default-constructed and compares unequal to the sample.
auto fields(const job_spec& x) {
  return std::tie(x.name, x.command, x.restart, x.watchdog_sec, x.notify,
                  x.autostart, x.env, x.cwd);
}
auto fields(const job_info& x) {
  return std::make_tuple(x.id, fields(x.spec), x.origin, x.status, x.pid,
                         x.exit_code, x.term_signal, x.restarts, x.status_text);
}
auto fields(const log_line& x) {
  return std::tie(x.ts_ms, x.stream, x.line);
}
auto fields(const gpio_line_spec& x) {
  return std::tie(x.name, x.direction, x.active_low, x.chip, x.offset, x.line,
                  x.bias, x.debounce_ms, x.initial);
}
auto fields(const gpio_info& x) {
  return std::tie(x.name, x.direction, x.value, x.active_low, x.backend, x.chip,
                  x.offset, x.debounce_ms);
}
auto fields(const gpio_edge& x) {
  return std::tie(x.timestamp_ns, x.value);
}
auto fields(const value_info& x) {
  return std::tie(x.key, x.value, x.persistent, x.notify, x.provider);
}
auto fields(const value_write& x) {
  return std::tie(x.value, x.persistent, x.notify, x.provider);
}
auto fields(const value_put_result& x) {
  return std::make_tuple(fields(x.info), x.added);
}
auto fields(const store_record& x) {
  return std::tie(x.key, x.value);
}
auto fields(const store_batch& x) {
  return std::tie(x.key_size, x.value_size, x.keys, x.values);
}
auto fields(const job_list_changed& x) {
  return std::tie(x.added, x.job_id, x.name);
}
auto fields(const job_status_changed& x) {
  return std::tie(x.job_id, x.name, x.status, x.exit_code, x.term_signal);
}
auto fields(const job_output& x) {
  return std::make_tuple(x.job_id, x.job, fields(x.line));
}
auto fields(const gpio_changed& x) {
  return std::tie(x.name, x.value);
}
auto fields(const value_changed& x) {
  return std::tie(x.key, x.value, x.reason);
}
auto fields(const cluster_member& x) {
  return std::tie(x.name, x.address);
}
auto fields(const cluster_hello& x) {
  std::vector<std::tuple<std::string, std::string>> members;
  for (auto& m : x.members)
    members.emplace_back(m.name, m.address);
  return std::make_tuple(x.protocol, x.name, x.address, x.incarnation, members,
                         x.topics);
}
auto fields(const member_view& x) {
  return std::tie(x.name, x.address, x.state, x.last_seen_ms);
}
auto fields(const cluster_view& x) {
  std::vector<std::tuple<std::string, std::string, member_state, int64_t>> ms;
  for (auto& m : x.members)
    ms.emplace_back(m.name, m.address, m.state, m.last_seen_ms);
  return std::make_tuple(x.enabled, x.name, x.address, x.heartbeat_ms, ms);
}
auto fields(const cluster_changed& x) {
  return std::tie(x.name, x.address, x.state);
}
auto fields(const cluster_event& x) {
  // caf::message has no ==: its rendering names every element's value.
  return std::make_tuple(x.topic, caf::to_string(x.payload));
}
auto fields(const jmri_client_ids& x) {
  return std::tie(x.ids, x.generated);
}
namespace rtoc {
auto fields(const number& x) {
  return std::tie(x.value, x.text);
}
auto fields(const sample& x) {
  return std::make_tuple(x.dname, x.sname, x.unit, fields(x.x), fields(x.y));
}
auto fields(const sample_batch& x) {
  return std::tie(x.x, x.y, x.unit);
}
auto fields(const event_request& x) {
  return std::tie(x.text, x.sname, x.dname, x.x, x.priority, x.id,
                  x.value_json, x.keep);
}
auto fields(const event_view& x) {
  return std::tie(x.event_id, x.device_id, x.signal_id, x.dname, x.sname,
                  x.text, x.x, x.value_json, x.priority, x.id);
}
auto fields(const signal_view& x) {
  return std::tie(x.name, x.x, x.y, x.unit, x.id, x.device_id, x.xmin, x.xmax);
}
auto fields(const signal_query& x) {
  return std::tie(x.has_xmin, x.xmin, x.has_xmax, x.xmax, x.max_n, x.database);
}
auto fields(const latest_view& x) {
  return std::tie(x.name, x.x, x.y, x.unit, x.id, x.first_x, x.last_x, x.empty,
                  x.count);
}
} // namespace rtoc
namespace jmri {
auto fields(const jmri_message& x) {
  return std::tie(x.message, x.type, x.context_json, x.locale, x.client);
}
} // namespace jmri

} // namespace signalbox

namespace {

template <class T, class = void>
struct has_fields : std::false_type {};

template <class T>
struct has_fields<T, std::void_t<decltype(fields(std::declval<const T&>()))>>
    : std::true_type {};

template <class T>
bool same(const T& x, const T& y) {
  if constexpr (has_fields<T>::value)
    return fields(x) == fields(y);
  else
    return x == y;
}

template <class T>
bool same(const std::vector<T>& xs, const std::vector<T>& ys) {
  if (xs.size() != ys.size())
    return false;
  for (size_t i = 0; i < xs.size(); ++i)
    if (!same(xs[i], ys[i]))
      return false;
  return true;
}

// -- samples: every field away from its default ---------------------------

job_spec sample_spec() {
  return {"pump",
          {"/bin/sh", "-c", "echo hi"},
          restart_policy::on_failure,
          7,
          true,
          false,
          {{"A", "1"}, {"B", "two"}},
          "/tmp"};
}

template <class>
struct always_false : std::false_type {};

struct samples {
  caf::actor_system& sys;
  caf::actor dummy;

  template <class T>
  T make() const;
};

template <class T>
T samples::make() const {
  if constexpr (std::is_same_v<T, job_spec>) {
    return sample_spec();
  } else if constexpr (std::is_same_v<T, job_info>) {
    return {42, sample_spec(), job_origin::api, job_status::crashed, 1234, 3, 9,
            5,  "READY"};
  } else if constexpr (std::is_same_v<T, log_line>) {
    return {1700000000123, "stderr", "oops \xe2\x82\xac"};
  } else if constexpr (std::is_same_v<T, gpio_line_spec>) {
    return {"relay-a", gpio_direction::output,
            true,      "gpiochip1",
            17,        "GPIO17",
            "pull-up", 25,
            1};
  } else if constexpr (std::is_same_v<T, gpio_info>) {
    return {
        "relay-a", gpio_direction::output, 1, true, "gpiod", "gpiochip1", 17,
        25};
  } else if constexpr (std::is_same_v<T, gpio_edge>) {
    return {123456789012345ull, 1};
  } else if constexpr (std::is_same_v<T, value_info>) {
    return {"greeting", "hello", true, false, "api"};
  } else if constexpr (std::is_same_v<T, value_write>) {
    return {"hello", true, false, "sensor"};
  } else if constexpr (std::is_same_v<T, value_put_result>) {
    return {{"greeting", "hello", true, false, "api"}, true};
  } else if constexpr (std::is_same_v<T, store_record>) {
    return {"key\x01", std::string{"bin\0ary", 7}};
  } else if constexpr (std::is_same_v<T, job_list_changed>) {
    return {false, 9, "old job"};
  } else if constexpr (std::is_same_v<T, job_status_changed>) {
    return {3, "pump", job_status::exited_with_error, 2, 15};
  } else if constexpr (std::is_same_v<T, job_output>) {
    return {5, "pump", {1700000000123, "stdout", "level 3"}};
  } else if constexpr (std::is_same_v<T, gpio_changed>) {
    return {"door-sensor", 1};
  } else if constexpr (std::is_same_v<T, value_changed>) {
    return {"greeting", "", value_change::removed};
  } else if constexpr (std::is_same_v<T, jmri_message>) {
    return {"Train 12 arrived", "warning", R"({"track":3})", "fr-CA",
            "client-7"};
  } else if constexpr (std::is_same_v<T, cluster_member>) {
    return {"gw-b", "127.0.0.1:4101"};
  } else if constexpr (std::is_same_v<T, cluster_hello>) {
    return {1,
            "gw-a",
            "127.0.0.1:4100",
            0xfeedfacecafebeefull,
            {{"gw-b", "127.0.0.1:4101"}},
            {"jmri", "jmri/client/k"}};
  } else if constexpr (std::is_same_v<T, member_view>) {
    return {"gw-b", "127.0.0.1:4101", member_state::down, 1796000000123};
  } else if constexpr (std::is_same_v<T, cluster_view>) {
    return {true,
            "gw-a",
            "127.0.0.1:4100",
            1000,
            {{"gw-b", "127.0.0.1:4101", member_state::up, 17}}};
  } else if constexpr (std::is_same_v<T, cluster_changed>) {
    return {"gw-c", "127.0.0.1:4102", member_state::down};
  } else if constexpr (std::is_same_v<T, cluster_event>) {
    return {"jmri/client/k",
            caf::make_message(int32_t{7}, std::string{"Train 12"})};
  } else if constexpr (std::is_same_v<T, jmri_client_ids>) {
    return {{"a", "b"}, true};
  } else if constexpr (std::is_same_v<T, rtoc::number>) {
    return {2.5, "2.5"};
  } else if constexpr (std::is_same_v<T, rtoc::sample>) {
    return {"Dev", "Sig", "V", {1700000000.25, "1700000000.25"}, {-3, "-3"}};
  } else if constexpr (std::is_same_v<T, store_batch>) {
    return {3, 2, "abcdef", "xyzw"};
  } else if constexpr (std::is_same_v<T, rtoc::sample_batch>) {
    return {{1700000000.25, 1700000001}, {-3, 4.5}, "V"};
  } else if constexpr (std::is_same_v<T, rtoc::event_request>) {
    return {"hot", "T1", "Test", 1700000001.5, 2, "abc", R"({"k":1})", 1000};
  } else if constexpr (std::is_same_v<T, rtoc::event_view>) {
    return {4, 2, 3, "Test", "T1", "hot", 1700000001.5, "17", 1, "abc"};
  } else if constexpr (std::is_same_v<T, rtoc::signal_view>) {
    return {"Test.T1", {1, 2}, {3.5, -4}, "V", 7, 2, 1, 2};
  } else if constexpr (std::is_same_v<T, rtoc::signal_query>) {
    return {true, 1.5, true, 9.25, 100, true};
  } else if constexpr (std::is_same_v<T, rtoc::latest_view>) {
    return {"Test.T1", 2, 4.5, "V", 7, 1, 2, false, 12};
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    return {1, -2, 1LL << 40};
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    return {0.5, -1e300, 3};
  } else if constexpr (caf::is_typed_actor<T>::value) {
    return caf::actor_cast<T>(dummy);
  } else if constexpr (caf::detail::is_list_like<T>::value) {
    return {make<typename T::value_type>(), make<typename T::value_type>()};
  } else {
    static_assert(always_false<T>::value,
                  "a type in a type-ID block needs a sample here");
  }
}

template <class T>
void check_roundtrip(const samples& s, caf::type_id_t id) {
  auto original = s.make<T>();
  std::vector<char> buf;
  caf::binary_serializer sink{s.sys, buf};
  if (auto err = sink(original))
    CAF_FAIL("serializing type " << id << " (" << caf::type_name<T>::value
                                 << ") failed: " << s.sys.render(err));
  T decoded{};
  caf::binary_deserializer source{s.sys, buf};
  if (auto err = source(decoded))
    CAF_FAIL("deserializing type " << id << " (" << caf::type_name<T>::value
                                   << ") failed: " << s.sys.render(err));
  CAF_CHECK_EQUAL(source.remaining(), 0u);
  if (!same(original, decoded))
    CAF_FAIL("type " << id << " (" << caf::type_name<T>::value
                     << ") changed in the round trip");
  CAF_MESSAGE(caf::type_name<T>::value << " round-trips");
}

template <class Block, caf::type_id_t... Is>
size_t check_block(const samples& s,
                   std::integer_sequence<caf::type_id_t, Is...>) {
  (check_roundtrip<typename caf::type_by_id<Block::begin + Is>::type>(
       s, Block::begin + Is),
   ...);
  return sizeof...(Is);
}

template <class Block>
size_t check_block(const samples& s) {
  return check_block<Block>(
      s,
      std::make_integer_sequence<caf::type_id_t, Block::end - Block::begin>{});
}

struct fixture {
  test::config cfg;
  caf::actor_system sys{cfg};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(type_id_tests, fixture)

CAF_TEST(every type of both blocks survives a round trip) {
  auto dummy = sys.spawn([]() -> caf::behavior { return {[](int32_t) {}}; });
  samples s{sys, dummy};
  auto n = check_block<caf::id_block::signalbox_types>(s);
  auto m = check_block<caf::id_block::signalbox_actors>(s);
  // Every entry was visited: 45 value types, 5 actor handles.
  CAF_CHECK_EQUAL(n, 45u);
  CAF_CHECK_EQUAL(m, 5u);
  caf::anon_send_exit(dummy, caf::exit_reason::user_shutdown);
}

CAF_TEST(the blocks are chained) {
  CAF_CHECK_EQUAL(caf::id_block::signalbox_actors::begin,
                  caf::id_block::signalbox_types::end);
}

CAF_TEST(actor handles come back as the same actor) {
  auto dummy = sys.spawn([]() -> caf::behavior { return {[](int32_t) {}}; });
  auto sink = caf::actor_cast<jmri_sink_actor>(dummy);
  std::vector<char> buf;
  caf::binary_serializer out{sys, buf};
  CAF_REQUIRE(!out(sink));
  jmri_sink_actor back;
  caf::binary_deserializer in{sys, buf};
  CAF_REQUIRE(!in(back));
  CAF_CHECK(back == sink);
  CAF_CHECK_EQUAL(back.address(), dummy.address());
  caf::anon_send_exit(dummy, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
