// protocols/realdds/outbox_codec: realdds notifications cut into messages
// within the flexible bound, logs first, combined into arrays never nested, the
// CBOR always the same value as the JSON.
#define CAF_SUITE realdds_outbox

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/utf8.hpp"
#include "fixture.hpp"
#include "protocols/realdds/cbor_codec.hpp"
#include "protocols/realdds/outbox_codec.hpp"

using namespace signalbox;
using namespace signalbox::realdds;

namespace {

encoded notification(const std::string& id, const std::string& payload = "") {
  rapidjson::Document doc;
  doc.SetObject();
  doc.AddMember("id", rapidjson::Value{id.c_str(), doc.GetAllocator()},
                doc.GetAllocator());
  doc.AddMember("payload",
                rapidjson::Value{payload.c_str(), doc.GetAllocator()},
                doc.GetAllocator());
  return encode(doc);
}

log_entry entry(uint64_t ts, const std::string& text, char type = 'I') {
  return {ts, type, text, {{"job", "hello"}, {"stream", "stdout"}}};
}

/// What a realdds client sees: each message's notifications, in order,
/// after checking the message against the rules (within the bound in both
/// formats, CBOR the same value as the JSON, an object or an array of
/// objects, each with an id; log entries of size 3 or 4 with a type in
/// "EWID").
std::vector<rapidjson::Document> unpack(const std::vector<encoded>& msgs,
                                        size_t max = max_message_bytes) {
  std::vector<rapidjson::Document> out;
  for (auto& m : msgs) {
    CAF_CHECK_LESS_OR_EQUAL(m.json.size(), max);
    CAF_CHECK_LESS_OR_EQUAL(m.cbor.size(), max);
    CAF_CHECK(cbor_of_json(m.json) == m.cbor);
    rapidjson::Document doc;
    doc.Parse(m.json.c_str(), m.json.size());
    CAF_REQUIRE(!doc.HasParseError());
    std::vector<const rapidjson::Value*> items;
    if (doc.IsArray()) {
      CAF_CHECK_GREATER(doc.Size(), 1u); // an array of one is the object
      for (auto& x : doc.GetArray())
        items.push_back(&x);
    } else {
      items.push_back(&doc);
    }
    for (auto* x : items) {
      CAF_REQUIRE(x->IsObject()); // never nested
      CAF_REQUIRE(x->HasMember("id"));
      if ((*x)["id"] == "log") {
        CAF_CHECK((*x)["timestamp"].IsUint64());
        for (auto& e : (*x)["entries"].GetArray()) {
          CAF_CHECK(e.Size() == 3 || e.Size() == 4);
          CAF_CHECK(std::string{"EWID"}.find(e[1].GetString()[0]) !=
                    std::string::npos);
        }
      }
      rapidjson::Document copy;
      copy.CopyFrom(*x, copy.GetAllocator());
      out.push_back(std::move(copy));
    }
  }
  return out;
}

/// The texts of every log entry of `docs`, in order.
std::vector<std::string> texts(const std::vector<rapidjson::Document>& docs) {
  std::vector<std::string> out;
  for (auto& d : docs)
    if (d["id"] == "log")
      for (auto& e : d["entries"].GetArray())
        out.emplace_back(e[2].GetString());
  return out;
}

} // namespace

CAF_TEST(logs go out before the notification that follows them) {
  outbox box;
  box.add_log(entry(1, "one"));
  box.add_log(entry(2, "two", 'W'));
  CAF_CHECK(!box.has_finished());
  CAF_CHECK(box.add(notification("gpio"), 5));
  box.add_log(entry(6, "three"));
  auto msgs = box.take_finished();
  // The log and the notification pending together: one array.
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  CAF_CHECK_EQUAL(
      msgs[0].json,
      R"([{"id":"log","timestamp":5,"entries":[[1,"I","one",{"job":"hello","stream":"stdout"}],)"
      R"([2,"W","two",{"job":"hello","stream":"stdout"}]]},{"id":"gpio","payload":""}])");
  unpack(msgs);
  // The entry after the notification waits for the timer.
  CAF_CHECK(!box.empty());
  auto rest = box.take(9);
  CAF_REQUIRE_EQUAL(rest.size(), 1u);
  CAF_CHECK_EQUAL(
      rest[0].json,
      R"({"id":"log","timestamp":9,"entries":[[6,"I","three",{"job":"hello","stream":"stdout"}]]})");
  CAF_CHECK(box.empty());
  CAF_CHECK(box.take(10).empty());
}

CAF_TEST(an entry without data has three members) {
  outbox box;
  box.add_log({7, 'E', "crash", {}});
  auto msgs = box.take(8);
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  CAF_CHECK_EQUAL(msgs[0].json,
                  R"({"id":"log","timestamp":8,"entries":[[7,"E","crash"]]})");
  unpack(msgs);
}

CAF_TEST(a log notification closes before an entry would pass the bound) {
  outbox box;
  std::vector<std::string> sent;
  for (int i = 0; i < 500; ++i) {
    sent.push_back("line " + std::to_string(i) + std::string(40, 'x'));
    box.add_log(entry(uint64_t(1000 + i), sent.back()));
  }
  // Full ones are ready before the timer.
  CAF_CHECK(box.has_finished());
  auto first = box.take_finished();
  CAF_CHECK_GREATER(first.size(), 3u);
  auto all = first;
  for (auto& m : box.take(5000))
    all.push_back(std::move(m));
  auto docs = unpack(all);
  CAF_CHECK(texts(docs) == sent); // all of them, in order
  // Each full message is near the bound: batching, not one per entry.
  CAF_CHECK_GREATER(first.front().json.size(), max_message_bytes - 120);
}

CAF_TEST(a text too long for one message is cut and says so) {
  const std::string kinds[] = {
      std::string(10000, 'a'),
      // Two-byte characters: the cut never splits one.
      [] {
        std::string s;
        for (int i = 0; i < 5000; ++i)
          s += "\xC3\xA9";
        return s;
      }(),
      // Control characters take six bytes each in JSON.
      std::string(5000, '\x01'),
  };
  for (auto& text : kinds) {
    outbox box;
    box.add_log(entry(1, text));
    auto docs = unpack(box.take(2));
    CAF_REQUIRE_EQUAL(docs.size(), 1u);
    auto& e = docs[0]["entries"][0];
    std::string kept = e[2].GetString();
    CAF_CHECK(text.compare(0, kept.size(), kept) == 0);
    CAF_CHECK_LESS(kept.size(), text.size());
    CAF_CHECK_GREATER(kept.size(), 500u); // cut to fit, not emptied
    CAF_CHECK(utf8_sequence_length(kept.substr(kept.size() - 2)) > 0);
    CAF_CHECK(e[3]["cut"].GetBool());
    CAF_CHECK_EQUAL(e[3]["length"].GetUint64(), text.size());
    CAF_CHECK_EQUAL(std::string{e[3]["job"].GetString()}, "hello");
    CAF_CHECK_EQUAL(box.cut(), 1u);
  }
}

CAF_TEST(invalid utf8 in a text becomes the replacement character) {
  outbox box;
  box.add_log(entry(1, "a\xFF"
                       "b\xC3"));
  auto docs = unpack(box.take(2));
  CAF_CHECK_EQUAL(std::string{docs[0]["entries"][0][2].GetString()},
                  "a\xEF\xBF\xBD"
                  "b\xEF\xBF\xBD");
}

CAF_TEST(notifications pending together share arrays within the bound) {
  outbox box;
  for (int i = 0; i < 100; ++i)
    CAF_CHECK(box.add(
        notification("n" + std::to_string(i), std::string(100, 'p')), 1));
  auto msgs = box.take_finished();
  CAF_CHECK_GREATER(msgs.size(), 2u);
  CAF_CHECK_LESS(msgs.size(), 6u);
  auto docs = unpack(msgs);
  CAF_REQUIRE_EQUAL(docs.size(), 100u);
  for (int i = 0; i < 100; ++i)
    CAF_CHECK_EQUAL(std::string{docs[size_t(i)]["id"].GetString()},
                    "n" + std::to_string(i));
}

CAF_TEST(a single notification goes out as the object itself) {
  outbox box;
  box.add(notification("gpio"), 1);
  auto msgs = box.take(2);
  CAF_REQUIRE_EQUAL(msgs.size(), 1u);
  CAF_CHECK_EQUAL(msgs[0].json, R"({"id":"gpio","payload":""})");
}

CAF_TEST(a notification over the bound is refused and counted) {
  outbox box;
  CAF_CHECK(!box.add(notification("big", std::string(5000, 'x')), 1));
  CAF_CHECK_EQUAL(box.dropped(), 1u);
  CAF_CHECK(box.empty());
}

CAF_TEST(a smaller bound holds in both formats) {
  // CBOR can be larger than JSON (a float such as 0.1 takes nine bytes):
  // the bound holds for the larger of the two.
  outbox box{256};
  rapidjson::Document doc;
  doc.SetObject();
  doc.AddMember("id", "floats", doc.GetAllocator());
  rapidjson::Value xs{rapidjson::kArrayType};
  for (int i = 0; i < 20; ++i)
    xs.PushBack(0.1, doc.GetAllocator());
  doc.AddMember("x", xs, doc.GetAllocator());
  auto floats = encode(doc);
  CAF_CHECK_GREATER(floats.cbor.size(), floats.json.size());
  CAF_CHECK_LESS(2 * floats.json.size() + 3, 256u);
  CAF_CHECK_GREATER(2 * floats.cbor.size(), 256u);
  CAF_CHECK(box.add(floats, 1));
  CAF_CHECK(box.add(floats, 1));
  auto msgs = box.take(2);
  // Two fit in 256 bytes of JSON but not of CBOR: two messages.
  CAF_CHECK_EQUAL(msgs.size(), 2u);
  unpack(msgs, 256);
}
