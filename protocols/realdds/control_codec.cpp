#include "protocols/realdds/control_codec.hpp"

#include <rapidjson/document.h>

#include "core/utf8.hpp"
#include "protocols/json/strict_json.hpp"

namespace signalbox::realdds {

namespace {

using rapidjson::Document;
using rapidjson::Value;

/// A reply's members, written in name order as nlohmann's json does:
/// control, explanation, option-values, sample, status, value.
struct reply_parts {
  const std::string* control_json = nullptr; // nullptr or empty: none
  const std::string* explanation = nullptr;
  Value* option_values = nullptr;
  const sample_id* sample = nullptr;
  Value* value = nullptr;
};

/// How much of the control a reply echoes: all of it, or (when the reply
/// would pass the bound) only its short string members that say what was
/// asked, or only its id.
enum class echo { whole, short_members, id_only };

Value echoed_control(const std::string& control_json, echo level,
                     Document::AllocatorType& a) {
  Document control;
  json::parse(control, control_json);
  if (level == echo::whole)
    return Value{control, a};
  // Members a client needs to tell one reply from another, if short.
  constexpr size_t short_member = 256;
  Value out{rapidjson::kObjectType};
  for (auto name : {"id", "option-name", "stream-name"}) {
    if (level == echo::id_only && std::string_view{name} != "id")
      continue;
    auto m = control.FindMember(name);
    if (m != control.MemberEnd() && m->value.IsString() &&
        m->value.GetStringLength() <= short_member)
      out.AddMember(Value{name, a}, Value{m->value, a}, a);
  }
  return out;
}

encoded compose(const reply_parts& p, echo level) {
  Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  if (p.control_json != nullptr && !p.control_json->empty())
    doc.AddMember("control", echoed_control(*p.control_json, level, a), a);
  if (p.explanation != nullptr)
    doc.AddMember("explanation", json_string(repaired_utf8(*p.explanation), a),
                  a);
  if (p.option_values != nullptr)
    doc.AddMember("option-values", Value{*p.option_values, a}, a);
  Value sample{rapidjson::kArrayType};
  sample.PushBack(json_string(p.sample->writer, a), a);
  sample.PushBack(Value{p.sample->sequence}, a);
  doc.AddMember("sample", sample, a);
  if (p.explanation != nullptr)
    doc.AddMember("status", "error", a);
  if (p.value != nullptr)
    doc.AddMember("value", Value{*p.value, a}, a);
  return encode(doc);
}

/// The reply within realdds' bound: a control of up to 4096 bytes echoed
/// whole, or a long value or option list, would pass it. Then the control
/// is echoed shortened; if the answer itself is too long, it becomes an
/// error saying so (realdds would fail to write it at all).
encoded reply(const reply_parts& p) {
  auto whole = compose(p, echo::whole);
  if (whole.size() <= max_message_bytes)
    return whole;
  auto shortened = compose(p, echo::short_members);
  if (shortened.size() <= max_message_bytes)
    return shortened;
  static const std::string too_long =
      "the reply would pass realdds' 4096-byte message bound";
  reply_parts error;
  error.control_json = p.control_json;
  error.explanation = &too_long;
  error.sample = p.sample;
  return compose(error, echo::id_only);
}

/// nlohmann's type names, for its wording of type errors.
const char* type_name(const Value& v) {
  switch (v.GetType()) {
  case rapidjson::kNullType:
    return "null";
  case rapidjson::kFalseType:
  case rapidjson::kTrueType:
    return "boolean";
  case rapidjson::kObjectType:
    return "object";
  case rapidjson::kArrayType:
    return "array";
  case rapidjson::kStringType:
    return "string";
  case rapidjson::kNumberType:
    return "number";
  }
  return "?";
}

std::string key_not_found(const char* key) {
  return std::string{"[json.exception.out_of_range.403] key '"} + key +
         "' not found";
}

std::string not_a_string(const Value& v) {
  return std::string{"[json.exception.type_error.302] type must be string, "
                     "but is "} +
         type_name(v);
}

const option_value* find_option(const std::vector<option_value>& options,
                                const std::string& name) {
  for (auto& o : options)
    if (o.name == name)
      return &o;
  return nullptr;
}

/// realdds' dds_device_server::get_option wording.
std::string option_not_found(const std::string& stream,
                             const std::string& name) {
  auto which = stream.empty() ? std::string{"device"} : "'" + stream + "'";
  return which + " option '" + name + "' not found";
}

/// A string member, "" when missing or not a string (realdds'
/// string_ref_or_empty).
std::string string_or_empty(const Value& obj, const char* key) {
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd() || !i->value.IsString())
    return {};
  return {i->value.GetString(), i->value.GetStringLength()};
}

/// The value a set-option asks for, checked against the option's kind;
/// the explanation when it does not fit.
std::optional<std::string> parse_value(const Value& v, option_value& out) {
  if (out.type == option_value::kind::text) {
    if (!v.IsString())
      return "not a string: " + json::to_json(v);
    out.text.assign(v.GetString(), v.GetStringLength());
    return std::nullopt;
  }
  // A GPIO line: 0 or 1, true or false.
  if (v.IsBool()) {
    out.number = v.GetBool() ? 1 : 0;
    return std::nullopt;
  }
  double d = 0;
  if (v.IsInt64())
    d = static_cast<double>(v.GetInt64());
  else if (v.IsNumber())
    d = v.GetDouble();
  else
    return "not convertible to a signed integer: " + json::to_json(v);
  if (d != static_cast<double>(static_cast<int64_t>(d)))
    return "not convertible to a signed integer: " + json::to_json(v);
  if (d < 0)
    return "value " + json::to_json(v) + " < 0 minimum";
  if (d > 1)
    return "value " + json::to_json(v) + " > 1 maximum";
  out.number = static_cast<int64_t>(d);
  return std::nullopt;
}

} // namespace

encoded error_reply(const std::string& control_json, const sample_id& sample,
                    const std::string& explanation) {
  reply_parts p;
  p.control_json = &control_json;
  p.explanation = &explanation;
  p.sample = &sample;
  return reply(p);
}

encoded set_option_reply(const std::string& control_json,
                         const sample_id& sample, const option_value& now) {
  Document scratch;
  auto v = option_value_json(now, scratch.GetAllocator());
  reply_parts p;
  p.control_json = &control_json;
  p.sample = &sample;
  p.value = &v;
  return reply(p);
}

namespace {

/// A control being answered: the control as received and its sample.
struct answering {
  const Document& doc;
  const sample_id& sample;
  control_action out;

  control_action fail(const std::string& explanation) {
    out.reply = error_reply(out.control_json, sample, explanation);
    return std::move(out);
  }

  control_action answer(Value* value, Value* option_values) {
    reply_parts p;
    p.control_json = &out.control_json;
    p.option_values = option_values;
    p.sample = &sample;
    p.value = value;
    out.reply = reply(p);
    return std::move(out);
  }
};

control_action query_option(answering& a,
                            const std::vector<option_value>& options) {
  auto stream = string_or_empty(a.doc, "stream-name");
  auto name = string_or_empty(a.doc, "option-name");
  auto* o = stream.empty() ? find_option(options, name) : nullptr;
  if (o == nullptr)
    return a.fail(option_not_found(stream, name));
  Document scratch;
  auto v = option_value_json(*o, scratch.GetAllocator());
  return a.answer(&v, nullptr);
}

control_action query_options(answering& a,
                             const std::vector<option_value>& options) {
  Document scratch;
  auto& alloc = scratch.GetAllocator();
  Value values{rapidjson::kObjectType};
  auto stream = a.doc.FindMember("stream-name");
  auto sensor = a.doc.FindMember("sensor-name");
  bool device_options = true;
  if (stream != a.doc.MemberEnd()) {
    if (!stream->value.IsString())
      return a.fail("stream-name expected as a string");
    if (stream->value.GetStringLength() > 0)
      return a.fail("stream '" + string_or_empty(a.doc, "stream-name") +
                    "' not found");
  } else if (sensor != a.doc.MemberEnd()) {
    if (!sensor->value.IsString())
      return a.fail("sensor-name expected as a string");
    // No streams, so no sensor has options: an empty map, as realdds.
    device_options = false;
  }
  if (device_options)
    for (auto& o : options)
      values.AddMember(json_string(o.name, alloc), option_value_json(o, alloc),
                       alloc);
  return a.answer(nullptr, &values);
}

control_action set_option_of(answering& a,
                             const std::vector<option_value>& options) {
  auto name = a.doc.FindMember("option-name");
  if (name == a.doc.MemberEnd())
    return a.fail(key_not_found("option-name"));
  if (!name->value.IsString())
    return a.fail(not_a_string(name->value));
  std::string option{name->value.GetString(), name->value.GetStringLength()};
  auto stream = string_or_empty(a.doc, "stream-name");
  auto* o = stream.empty() ? find_option(options, option) : nullptr;
  if (o == nullptr)
    return a.fail(option_not_found(stream, option));
  auto value = a.doc.FindMember("value");
  if (value == a.doc.MemberEnd())
    return a.fail(key_not_found("value"));
  set_option set{*o};
  if (auto err = parse_value(value->value, set.value))
    return a.fail(*err);
  a.out.set = std::move(set);
  return std::move(a.out);
}

} // namespace

control_action handle_control(std::string_view json, const sample_id& sample,
                              const std::vector<option_value>& options) {
  control_action out;
  Document doc;
  bool parsable = json::unparsable_for_rapidjson(json).empty() &&
                  json::nesting_depth(json) <= max_control_depth;
  if (parsable)
    json::parse(doc, json);
  if (!parsable || doc.HasParseError() || !doc.IsObject()) {
    out.reply = error_reply({}, sample, "control is not a JSON object");
    return out;
  }
  // realdds reads the id before it echoes the control.
  auto id = doc.FindMember("id");
  if (id == doc.MemberEnd() || !id->value.IsString()) {
    out.reply = error_reply({}, sample,
                            id == doc.MemberEnd() ? key_not_found("id")
                                                  : not_a_string(id->value));
    return out;
  }
  answering a{doc, sample, {}};
  a.out.control_json = json::to_json(doc);
  std::string_view what{id->value.GetString(), id->value.GetStringLength()};
  if (what == "query-option")
    return query_option(a, options);
  if (what == "query-options")
    return query_options(a, options);
  if (what == "set-option")
    return set_option_of(a, options);
  return a.fail("invalid control");
}

} // namespace signalbox::realdds
