// Fuzz target: the realdds codecs. Any input that is JSON has a CBOR
// encoding that is the one encode() gives its value; any input as a job's
// output lines (split at newlines, with a notification between some)
// comes out of the outbox as messages within the bound in both formats,
// whose JSON parses and whose CBOR is the CBOR of that JSON, every line
// kept (cut or not) and in order; any input as a control gets a reply or
// a set-option, the reply valid JSON with the same value in CBOR; any input
// as CBOR (a realdds-cbor control) that reads as JSON reads back the same
// after encoding again; any input as a flexible sample that reads has its
// data within the sample and the bound.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "protocols/json/strict_json.hpp"
#include "protocols/realdds/cbor_codec.hpp"
#include "protocols/realdds/control_codec.hpp"
#include "protocols/realdds/flexible_codec.hpp"
#include "protocols/realdds/outbox_codec.hpp"

namespace {

using namespace signalbox::realdds;

void require(bool condition) {
  if (!condition)
    std::abort();
}

void check_json(std::string_view input) {
  auto cbor = cbor_of_json(input);
  if (!cbor)
    return;
  rapidjson::Document doc;
  signalbox::json::parse(doc, input); // as cbor_of_json parses, numbers exact
  require(!doc.HasParseError());
  require(encode(doc).cbor == *cbor);
}

size_t entries_in(const encoded& m) {
  require(m.json.size() <= max_message_bytes);
  require(m.cbor.size() <= max_message_bytes);
  require(cbor_of_json(m.json) == m.cbor);
  rapidjson::Document doc;
  doc.Parse(m.json.data(), m.json.size());
  require(!doc.HasParseError());
  size_t n = 0;
  auto count = [&n](const rapidjson::Value& x) {
    require(x.IsObject() && x.HasMember("id"));
    if (x["id"] == "log")
      n += x["entries"].Size();
  };
  if (doc.IsArray())
    for (auto& x : doc.GetArray())
      count(x);
  else
    count(doc);
  return n;
}

void check_outbox(std::string_view input) {
  outbox box;
  size_t lines = 0;
  size_t seen = 0;
  uint64_t ts = 1;
  while (!input.empty()) {
    auto nl = input.find('\n');
    auto line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    if (!line.empty() && line[0] == '!') {
      rapidjson::Document doc;
      doc.SetObject();
      doc.AddMember("id", "fuzz", doc.GetAllocator());
      box.add(encode(doc), ts++);
    } else {
      box.add_log({ts++, 'I', std::string{line}, {{"job", "fuzz"}}});
      ++lines;
    }
    if (box.has_finished())
      for (auto& m : box.take_finished())
        seen += entries_in(m);
  }
  for (auto& m : box.take(ts))
    seen += entries_in(m);
  require(seen + box.dropped() == lines);
}

void check_control(std::string_view input) {
  option_value relay;
  relay.name = "relay-a";
  option_value greeting;
  greeting.name = "greeting";
  greeting.type = option_value::kind::text;
  auto action = handle_control(input, {"01.03", 1}, {relay, greeting});
  require(action.reply.has_value() != action.set.has_value());
  auto reply = action.reply ? *action.reply
                            : set_option_reply(action.control_json,
                                               {"01.03", 1}, action.set->value);
  require(cbor_of_json(reply.json) == reply.cbor);
}

void check_cbor(std::string_view input) {
  auto json = json_of_cbor(input);
  if (!json)
    return;
  // JSON the node wrote parses, and its CBOR reads back as the same JSON.
  auto cbor = cbor_of_json(*json);
  require(cbor.has_value());
  require(json_of_cbor(*cbor) == json);
}

void check_flexible(std::string_view input) {
  auto v = read_flexible(input, max_message_bytes);
  if (!v)
    return;
  require(v->data.size() <= max_message_bytes);
  require(v->data.data() == input.data() + flexible_overhead);
  require(v->data.size() + flexible_overhead <= input.size());
  std::string again(flexible_overhead + v->data.size(), '\0');
  write_flexible(v->format, v->data, again.data());
  auto back = read_flexible(again, max_message_bytes);
  require(back && back->format == v->format && back->data == v->data);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};
  check_json(input);
  check_outbox(input);
  check_control(input);
  check_cbor(input);
  check_flexible(input);
  return 0;
}
