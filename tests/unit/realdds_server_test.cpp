// The realdds server actor on the deterministic scheduler, with the stream
// it writes read through its tap: log entries wait for the flush timer or
// go out before other notifications, a burst goes out combined (arrays
// never nested, every message within the bound), and controls are carried
// out through the GPIO and value registries (test doubles here).
#define CAF_SUITE realdds_server

#include <map>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "fixture.hpp"
#include "protocols/realdds/cbor_codec.hpp"
#include "protocols/realdds/server.hpp"

using namespace signalbox;
using namespace signalbox::realdds;
using namespace std::chrono_literals;

namespace {

// -- test doubles of the registries -------------------------------------------

struct gpio_double_state {
  std::vector<gpio_info> lines;
  std::vector<std::pair<std::string, int32_t>> puts;
};

gpio_registry_actor::behavior_type
gpio_double(gpio_registry_actor::stateful_pointer<gpio_double_state> self,
            std::shared_ptr<gpio_double_state> shared) {
  auto find = [shared](const std::string& name) -> gpio_info* {
    for (auto& l : shared->lines)
      if (l.name == name)
        return &l;
    return nullptr;
  };
  return {
      [shared](list_atom) { return shared->lines; },
      [find](get_atom, const std::string& name) -> caf::result<gpio_info> {
        if (auto l = find(name))
          return *l;
        return caf::make_error(caf::sec::runtime_error, "no line " + name);
      },
      [shared, find](put_atom, const std::string& name,
                     int32_t value) -> caf::result<gpio_info> {
        auto l = find(name);
        if (!l)
          return caf::make_error(caf::sec::runtime_error, "no line " + name);
        shared->puts.emplace_back(name, value);
        l->value = value;
        return *l;
      },
      [find](simulate_atom, const std::string& name,
             int32_t) -> caf::result<gpio_info> {
        return caf::make_error(caf::sec::runtime_error, "not simulated");
      },
  };
}

struct values_double_state {
  std::map<std::string, value_info> values;
  std::vector<std::pair<std::string, value_write>> puts;
};

value_registry_actor::behavior_type
values_double(value_registry_actor::pointer,
              std::shared_ptr<values_double_state> shared) {
  return {
      [shared](list_atom) {
        std::vector<value_info> xs;
        for (auto& [k, v] : shared->values)
          xs.push_back(v);
        return xs;
      },
      [shared](get_atom, const std::string& key) -> caf::result<value_info> {
        auto i = shared->values.find(key);
        if (i == shared->values.end())
          return caf::make_error(caf::sec::runtime_error, "no value " + key);
        return i->second;
      },
      [shared](put_atom, const std::string& key, value_write& w) {
        shared->puts.emplace_back(key, w);
        auto added = shared->values.count(key) == 0;
        auto& v = shared->values[key];
        v = {key, w.value, w.persistent, w.notify, w.provider};
        return value_put_result{v, added};
      },
      [shared](delete_atom, const std::string& key) -> caf::result<ok_atom> {
        shared->values.erase(key);
        return ok_atom_v;
      },
      [](retire_atom, const std::string&, uint64_t) {},
  };
}

// -- the fixture
// ----------------------------------------------------------------

struct fixture : test::deterministic_fixture {
  std::shared_ptr<gpio_double_state> gpio_state =
      std::make_shared<gpio_double_state>();
  std::shared_ptr<values_double_state> values_state =
      std::make_shared<values_double_state>();
  std::vector<encoded> seen;
  std::shared_ptr<server_counters> counters =
      std::make_shared<server_counters>();
  realdds_server_actor server;

  fixture() {
    gpio_info relay;
    relay.name = "relay-a";
    relay.direction = gpio_direction::output;
    gpio_info door;
    door.name = "door";
    door.direction = gpio_direction::input;
    gpio_state->lines = {relay, door};
    values_state->values["greeting"] = {"greeting", "hello", true, true,
                                        "config"};
    server_settings s;
    s.gpio = sys.spawn(gpio_double, gpio_state);
    s.values = sys.spawn(values_double, values_state);
    s.log_flush = 100ms;
    s.tap = [this](const encoded& m) { seen.push_back(m); };
    server = spawn_server(sys, std::move(s), counters);
    consume_messages();
  }

  ~fixture() override {
    // The server is in the node's groups, which hold it: end it.
    self->send_exit(server, caf::exit_reason::user_shutdown);
    consume_messages();
  }

  void output(const std::string& text, const std::string& stream = "stdout") {
    self->send(server, output_atom_v,
               job_output{1, "hello", {1700000000000, stream, text}});
  }

  template <class Event>
  void publish(Event x) {
    self->send(server, notify_atom_v, make_notification(std::move(x)));
  }

  void control(const std::string& json, uint64_t client = 0) {
    self->send(server, realdds_control_atom_v, json, std::string{"010f.1.403"},
               int64_t{7}, client);
  }

  /// The JSON values written since the last call, each checked against
  /// the rules every message keeps.
  std::vector<rapidjson::Document> take() {
    std::vector<rapidjson::Document> out;
    for (auto& m : seen) {
      CAF_CHECK_LESS_OR_EQUAL(m.json.size(), max_message_bytes);
      CAF_CHECK_LESS_OR_EQUAL(m.cbor.size(), max_message_bytes);
      CAF_CHECK(cbor_of_json(m.json) == m.cbor);
      rapidjson::Document doc;
      doc.Parse(m.json.c_str());
      CAF_REQUIRE(!doc.HasParseError());
      if (doc.IsArray()) {
        CAF_CHECK_GREATER(doc.Size(), 1u); // an array of one is the object
        for (auto& x : doc.GetArray())
          CAF_CHECK(x.IsObject()); // never nested
      } else {
        CAF_CHECK(doc.IsObject());
      }
      out.push_back(std::move(doc));
    }
    seen.clear();
    return out;
  }

  /// The notification ids of a message, in order.
  static std::vector<std::string> ids(const rapidjson::Value& m) {
    std::vector<std::string> out;
    auto one = [&](const rapidjson::Value& x) {
      out.emplace_back(x.HasMember("id") ? x["id"].GetString() : "(reply)");
    };
    if (m.IsArray())
      for (auto& x : m.GetArray())
        one(x);
    else
      one(m);
    return out;
  }
};

using strings = std::vector<std::string>;

} // namespace

CAF_TEST_FIXTURE_SCOPE(realdds_server_tests, fixture)

CAF_TEST(log entries wait for the flush timer) {
  output("one");
  output("two", "stderr");
  output("three");
  consume_messages();
  CAF_CHECK(take().empty());
  trigger_timeouts();
  consume_messages();
  auto msgs = take();
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  auto& log = msgs[0];
  CAF_CHECK_EQUAL(std::string{log["id"].GetString()}, "log");
  auto& entries = log["entries"];
  CAF_REQUIRE_EQUAL(entries.Size(), 3u);
  CAF_CHECK_EQUAL(std::string{entries[0][2].GetString()}, "one");
  CAF_CHECK_EQUAL(std::string{entries[1][1].GetString()}, "W");
  CAF_CHECK_EQUAL(std::string{entries[1][3]["stream"].GetString()}, "stderr");
  CAF_CHECK_EQUAL(std::string{entries[2][2].GetString()}, "three");
  CAF_CHECK_EQUAL(counters->log_entries.load(), 3u);
}

CAF_TEST(a burst goes out combined after the logs before it) {
  output("before");
  publish(gpio_changed{"relay-a", 1});
  publish(value_changed{"greeting", "hi", value_change::updated});
  consume_messages();
  auto msgs = take();
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  CAF_CHECK_EQUAL(ids(msgs[0]), (strings{"log", "gpio", "query-options",
                                         "value", "query-options"}));
  // Nothing was left for the timer.
  trigger_timeouts();
  consume_messages();
  CAF_CHECK(take().empty());
}

CAF_TEST(an input line is no option) {
  publish(gpio_changed{"door", 1});
  consume_messages();
  auto msgs = take();
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  CAF_CHECK_EQUAL(ids(msgs[0]), (strings{"gpio"}));
}

CAF_TEST(many log lines stay within the bound and in order) {
  std::string text(100, 'x');
  for (int i = 0; i < 200; ++i)
    output(std::to_string(i) + text);
  consume_messages();
  trigger_timeouts();
  consume_messages();
  auto msgs = take();
  CAF_CHECK_GREATER(msgs.size(), 4u); // 200 x ~150 bytes: several messages
  int next = 0;
  for (auto& m : msgs) {
    CAF_REQUIRE(m.IsObject());
    for (auto& e : m["entries"].GetArray())
      CAF_CHECK_EQUAL(std::string{e[2].GetString()},
                      std::to_string(next++) + text);
  }
  CAF_CHECK_EQUAL(next, 200);
}

CAF_TEST(a crash is logged as an error before its status) {
  publish(job_status_changed{1, "hello", job_status::crashed, -1, 11});
  consume_messages();
  auto msgs = take();
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  CAF_REQUIRE_EQUAL(ids(msgs[0]), (strings{"log", "job-status"}));
  CAF_CHECK_EQUAL(std::string{msgs[0][0]["entries"][0][1].GetString()}, "E");
  CAF_CHECK_EQUAL(msgs[0][1]["status"].GetInt(), 17);
}

CAF_TEST(set option drives a GPIO line through its registry) {
  control(R"({"id":"set-option","option-name":"relay-a","value":true})");
  consume_messages();
  CAF_REQUIRE_EQUAL(gpio_state->puts.size(), 1u);
  CAF_CHECK_EQUAL(gpio_state->puts[0].second, 1);
  auto msgs = take();
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  auto& r = msgs[0];
  CAF_CHECK_EQUAL(r["value"].GetInt(), 1);
  CAF_CHECK_EQUAL(std::string{r["sample"][0].GetString()}, "010f.1.403");
  CAF_CHECK_EQUAL(r["sample"][1].GetInt(), 7);
  CAF_CHECK_EQUAL(std::string{r["control"]["id"].GetString()}, "set-option");
  CAF_CHECK(!r.HasMember("status"));
}

CAF_TEST(set option writes a shared value and keeps it persistent) {
  control(R"({"id":"set-option","option-name":"greeting","value":"hi"})");
  consume_messages();
  CAF_REQUIRE_EQUAL(values_state->puts.size(), 1u);
  CAF_CHECK_EQUAL(values_state->puts[0].second.value, "hi");
  CAF_CHECK(values_state->puts[0].second.persistent);
  CAF_CHECK_EQUAL(values_state->puts[0].second.provider, "realdds");
  auto msgs = take();
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  CAF_CHECK_EQUAL(std::string{msgs[0]["value"].GetString()}, "hi");
}

CAF_TEST(query options sees a value written without notification) {
  // notify=false announces nothing: the control re-reads the options.
  values_state->values["quiet"] = {"quiet", "shh", false, false, "api"};
  control(R"({"id":"query-option","option-name":"quiet"})");
  consume_messages();
  auto msgs = take();
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  CAF_CHECK_EQUAL(std::string{msgs[0]["value"].GetString()}, "shh");
}

CAF_TEST(errors and unknown controls are answered in realdds wording) {
  control(R"({"id":"query-option","option-name":"Relay-A"})");
  control(R"({"id":"hw-reset"})");
  consume_messages();
  std::vector<const rapidjson::Value*> replies;
  auto msgs = take();
  for (auto& m : msgs) {
    if (m.IsArray())
      for (auto& x : m.GetArray())
        replies.push_back(&x);
    else
      replies.push_back(&m);
  }
  CAF_REQUIRE_EQUAL(replies.size(), 2u);
  CAF_CHECK_EQUAL(std::string{(*replies[0])["explanation"].GetString()},
                  "device option 'Relay-A' not found");
  CAF_CHECK_EQUAL(std::string{(*replies[1])["control"]["id"].GetString()},
                  "hw-reset");
  CAF_CHECK_EQUAL(std::string{(*replies[1])["status"].GetString()}, "error");
  CAF_CHECK_EQUAL(gpio_state->puts.size(), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
