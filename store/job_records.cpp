#include "store/job_records.hpp"

#include <cstdio>
#include <limits>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/errors.hpp"

namespace signalbox::job_store {

namespace {

constexpr size_t key_digits = 20; // UINT64_MAX has 20 decimal digits

caf::error corrupt(const std::string& text) {
  return make_error(ec::storage_failure, "job record: " + text);
}

std::optional<uint64_t> parse_decimal(std::string_view str) {
  if (str.empty() || str.size() > key_digits)
    return std::nullopt;
  uint64_t result = 0;
  for (auto c : str) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (result > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return std::nullopt;
    result = result * 10 + digit;
  }
  return result;
}

using json_value = rapidjson::Value;

const json_value* member(const json_value& obj, const char* name) {
  auto i = obj.FindMember(name);
  return i == obj.MemberEnd() ? nullptr : &i->value;
}

} // namespace

std::string job_record_key(uint64_t id) {
  char buf[key_digits + 1];
  std::snprintf(buf, sizeof(buf), "%020llu",
                static_cast<unsigned long long>(id));
  return buf;
}

std::optional<uint64_t> parse_job_record_key(std::string_view key) {
  if (key.size() != key_digits)
    return std::nullopt;
  return parse_decimal(key);
}

std::string encode_job_record(uint64_t id, const job_spec& spec) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("version");
  w.Int64(job_record_version);
  w.Key("id");
  w.Uint64(id);
  w.Key("name");
  w.String(spec.name);
  w.Key("command");
  w.StartArray();
  for (auto& arg : spec.command)
    w.String(arg);
  w.EndArray();
  w.Key("restart");
  w.String(to_string(spec.restart));
  w.Key("watchdog_sec");
  w.Uint(spec.watchdog_sec);
  w.Key("notify");
  w.Bool(spec.notify);
  w.Key("autostart");
  w.Bool(spec.autostart);
  w.Key("env");
  w.StartObject();
  for (auto& [name, value] : spec.env) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.String(value);
  }
  w.EndObject();
  w.Key("cwd");
  w.String(spec.cwd);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

caf::expected<job_record> decode_job_record(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError())
    return corrupt("not valid JSON");
  if (!doc.IsObject())
    return corrupt("not a JSON object");
  auto version = member(doc, "version");
  if (version == nullptr || !version->IsInt64())
    return corrupt("\"version\" must be an integer");
  if (version->GetInt64() != job_record_version)
    return corrupt("unsupported version " +
                   std::to_string(version->GetInt64()));
  job_record result;
  auto& spec = result.spec;
  auto get = [&](const char* name, auto is_type,
                 const char* type_text) -> caf::expected<const json_value*> {
    auto x = member(doc, name);
    if (x == nullptr || !is_type(*x))
      return corrupt(std::string{"\""} + name + "\" must be " + type_text);
    return x;
  };
  auto is_string = [](const json_value& x) { return x.IsString(); };
  auto is_bool = [](const json_value& x) { return x.IsBool(); };
  auto as_string = [](const json_value& x) {
    return std::string{x.GetString(), x.GetStringLength()};
  };
  auto id = get(
      "id", [](const json_value& x) { return x.IsUint64(); },
      "an unsigned integer");
  if (!id)
    return id.error();
  result.id = (*id)->GetUint64();
  auto name = get("name", is_string, "a string");
  if (!name)
    return name.error();
  spec.name = as_string(**name);
  auto command = get(
      "command", [](const json_value& x) { return x.IsArray(); },
      "an array of strings");
  if (!command)
    return command.error();
  for (auto& arg : (*command)->GetArray()) {
    if (!arg.IsString())
      return corrupt("\"command\" must be an array of strings");
    spec.command.push_back(as_string(arg));
  }
  auto restart = get("restart", is_string, "a string");
  if (!restart)
    return restart.error();
  if (!from_string(as_string(**restart), spec.restart))
    return corrupt("\"restart\" must be \"no\", \"on-failure\" or \"always\"");
  auto watchdog = get(
      "watchdog_sec", [](const json_value& x) { return x.IsUint(); },
      "an unsigned 32-bit integer");
  if (!watchdog)
    return watchdog.error();
  spec.watchdog_sec = (*watchdog)->GetUint();
  auto notify = get("notify", is_bool, "a boolean");
  if (!notify)
    return notify.error();
  spec.notify = (*notify)->GetBool();
  auto autostart = get("autostart", is_bool, "a boolean");
  if (!autostart)
    return autostart.error();
  spec.autostart = (*autostart)->GetBool();
  auto env = get(
      "env", [](const json_value& x) { return x.IsObject(); },
      "an object of strings");
  if (!env)
    return env.error();
  for (auto& kv : (*env)->GetObject()) {
    if (!kv.value.IsString())
      return corrupt("\"env\" must be an object of strings");
    spec.env[as_string(kv.name)] = as_string(kv.value);
  }
  auto cwd = get("cwd", is_string, "a string");
  if (!cwd)
    return cwd.error();
  spec.cwd = as_string(**cwd);
  return result;
}

std::string encode_next_job_id(uint64_t id) {
  return std::to_string(id);
}

caf::expected<uint64_t> decode_next_job_id(std::string_view value) {
  if (auto id = parse_decimal(value))
    return *id;
  return make_error(ec::storage_failure,
                    "meta " + std::string{next_job_id_key} +
                        ": not a decimal number: '" + std::string{value} + "'");
}

} // namespace signalbox::job_store
