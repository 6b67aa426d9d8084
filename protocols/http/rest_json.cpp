#include "protocols/http/rest_json.hpp"

#include <ctime>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/json/strict_json.hpp"

namespace signalbox::rest {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put_string(json_writer& w, std::string_view str) {
  w.String(str.data(), static_cast<rapidjson::SizeType>(str.size()));
}

void put_key(json_writer& w, const char* key) {
  w.Key(key);
}

void write_job(json_writer& w, const job_info& x) {
  w.StartObject();
  put_key(w, "id");
  w.Uint64(x.id);
  put_key(w, "name");
  put_string(w, x.spec.name);
  put_key(w, "status");
  w.Int(static_cast<int>(x.status));
  put_key(w, "status_name");
  w.String(to_string(x.status));
  put_key(w, "command");
  w.StartArray();
  for (auto& arg : x.spec.command)
    put_string(w, arg);
  w.EndArray();
  put_key(w, "pid");
  if (x.pid > 0)
    w.Int(x.pid);
  else
    w.Null();
  put_key(w, "exit_code");
  if (x.exit_code >= 0)
    w.Int(x.exit_code);
  else
    w.Null();
  put_key(w, "signal");
  if (x.term_signal > 0)
    w.Int(x.term_signal);
  else
    w.Null();
  put_key(w, "restarts");
  w.Uint(x.restarts);
  put_key(w, "restart");
  w.String(to_string(x.spec.restart));
  put_key(w, "watchdog_sec");
  w.Uint(x.spec.watchdog_sec);
  put_key(w, "notify");
  w.Bool(x.spec.notify);
  put_key(w, "autostart");
  w.Bool(x.spec.autostart);
  put_key(w, "env");
  w.StartObject();
  for (auto& [k, v] : x.spec.env) {
    put_string(w, k);
    put_string(w, v);
  }
  w.EndObject();
  put_key(w, "cwd");
  put_string(w, x.spec.cwd);
  put_key(w, "origin");
  w.String(to_string(x.origin));
  put_key(w, "status_text");
  put_string(w, x.status_text);
  w.EndObject();
}

void write_gpio(json_writer& w, const gpio_info& x) {
  w.StartObject();
  put_key(w, "name");
  put_string(w, x.name);
  put_key(w, "direction");
  w.String(to_string(x.direction));
  put_key(w, "value");
  w.Int(x.value);
  put_key(w, "active_low");
  w.Bool(x.active_low);
  put_key(w, "backend");
  put_string(w, x.backend);
  put_key(w, "chip");
  if (x.chip.empty())
    w.Null();
  else
    put_string(w, x.chip);
  put_key(w, "offset");
  if (x.offset >= 0)
    w.Int(x.offset);
  else
    w.Null();
  put_key(w, "debounce_ms");
  w.Uint(x.debounce_ms);
  w.EndObject();
}

void write_value(json_writer& w, const value_info& x) {
  w.StartObject();
  put_key(w, "key");
  put_string(w, x.key);
  put_key(w, "value");
  put_string(w, x.value);
  put_key(w, "persistent");
  w.Bool(x.persistent);
  put_key(w, "notify");
  w.Bool(x.notify);
  put_key(w, "provider");
  put_string(w, x.provider);
  w.EndObject();
}

template <class T, class WriteOne>
std::string encode_one(const T& x, WriteOne write_one) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  write_one(w, x);
  return {buf.GetString(), buf.GetSize()};
}

template <class T, class WriteOne>
std::string encode_all(const std::vector<T>& xs, WriteOne write_one) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartArray();
  for (auto& x : xs)
    write_one(w, x);
  w.EndArray();
  return {buf.GetString(), buf.GetSize()};
}

/// Parses `body` as one JSON object; on failure returns the 400 text.
std::string parse_object(std::string_view body, rapidjson::Document& doc) {
  if (body.empty())
    return "request body is empty; expected a JSON object";
  json::parse<rapidjson::kParseDefaultFlags>(doc, body);
  if (doc.HasParseError())
    return std::string{"malformed JSON: "} +
           rapidjson::GetParseError_En(doc.GetParseError()) + " (at offset " +
           std::to_string(doc.GetErrorOffset()) + ")";
  if (!doc.IsObject())
    return "request body must be a JSON object";
  return {};
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  auto i = obj.FindMember(name);
  return i == obj.MemberEnd() ? nullptr : &i->value;
}

std::string as_string(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

/// Reads an optional boolean field; returns an error text on a wrong type.
std::string read_bool(const rapidjson::Value& obj, const char* name,
                      bool& out) {
  if (auto v = member(obj, name)) {
    if (!v->IsBool())
      return std::string{"'"} + name + "' must be true or false";
    out = v->GetBool();
  }
  return {};
}

std::string read_string(const rapidjson::Value& obj, const char* name,
                        std::string& out) {
  if (auto v = member(obj, name)) {
    if (!v->IsString())
      return std::string{"'"} + name + "' must be a string";
    out = as_string(*v);
  }
  return {};
}

} // namespace

std::string encode(const job_info& x) {
  return encode_one(x, write_job);
}

std::string encode(const std::vector<job_info>& xs) {
  return encode_all(xs, write_job);
}

std::string encode(const gpio_info& x) {
  return encode_one(x, write_gpio);
}

std::string encode(const std::vector<gpio_info>& xs) {
  return encode_all(xs, write_gpio);
}

std::string encode(const value_info& x) {
  return encode_one(x, write_value);
}

std::string encode(const std::vector<value_info>& xs) {
  return encode_all(xs, write_value);
}

std::string encode(const std::vector<log_line>& xs) {
  return encode_all(xs, [](json_writer& w, const log_line& x) {
    w.StartObject();
    put_key(w, "ts");
    put_string(w, format_timestamp(x.ts_ms));
    put_key(w, "stream");
    put_string(w, x.stream);
    put_key(w, "line");
    put_string(w, x.line);
    w.EndObject();
  });
}

std::string encode(const cluster_view& x) {
  return encode_one(x, [](json_writer& w, const cluster_view& v) {
    w.StartObject();
    put_key(w, "enabled");
    w.Bool(v.enabled);
    put_key(w, "name");
    put_string(w, v.name);
    put_key(w, "address");
    if (v.address.empty())
      w.Null();
    else
      put_string(w, v.address);
    put_key(w, "heartbeat_ms");
    w.Int64(v.heartbeat_ms);
    put_key(w, "members");
    w.StartArray();
    for (auto& m : v.members) {
      w.StartObject();
      put_key(w, "name");
      if (m.name.empty())
        w.Null();
      else
        put_string(w, m.name);
      put_key(w, "address");
      put_string(w, m.address);
      put_key(w, "state");
      w.String(to_string(m.state));
      put_key(w, "last_seen");
      if (m.last_seen_ms < 0)
        w.Null();
      else
        w.Int64(m.last_seen_ms);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

std::string encode(const node_summary& x) {
  return encode_one(x, [](json_writer& w, const node_summary& n) {
    w.StartObject();
    put_key(w, "name");
    put_string(w, n.name);
    put_key(w, "version");
    put_string(w, n.version);
    put_key(w, "jobs_editable");
    w.Bool(n.jobs_editable);
    put_key(w, "token_required");
    w.Bool(n.token_required);
    put_key(w, "gpio_backend");
    put_string(w, n.gpio_backend);
    put_key(w, "interfaces");
    w.StartArray();
    for (auto& l : n.interfaces) {
      w.StartObject();
      put_key(w, "service");
      put_string(w, l.service);
      put_key(w, "address");
      put_string(w, l.address);
      put_key(w, "port");
      w.Uint(l.port);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

std::string encode_error(std::string_view text) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  put_key(w, "error");
  put_string(w, text);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string format_timestamp(int64_t ts_ms) {
  auto secs = static_cast<time_t>(ts_ms / 1000);
  auto ms = static_cast<int>(ts_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  // Sized for any int year, so the compiler can prove nothing is cut.
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, ms);
  return buf;
}

decoded<value_write> decode_value_write(std::string_view body) {
  decoded<value_write> out;
  rapidjson::Document doc;
  if (out.error = parse_object(body, doc); !out.error.empty())
    return out;
  auto value = member(doc, "value");
  if (value == nullptr) {
    out.error = "'value' is required";
    return out;
  }
  if (!value->IsString()) {
    out.error = "'value' must be a string";
    return out;
  }
  out.value.value = as_string(*value);
  for (auto err : {read_bool(doc, "persistent", out.value.persistent),
                   read_bool(doc, "notify", out.value.notify),
                   read_string(doc, "provider", out.value.provider)})
    if (out.error.empty() && !err.empty())
      out.error = std::move(err);
  return out;
}

decoded<int32_t> decode_gpio_value(std::string_view body) {
  decoded<int32_t> out;
  rapidjson::Document doc;
  if (out.error = parse_object(body, doc); !out.error.empty())
    return out;
  auto value = member(doc, "value");
  if (value == nullptr)
    out.error = "'value' is required";
  else if (value->IsBool())
    out.value = value->GetBool() ? 1 : 0;
  else if (value->IsInt() && (value->GetInt() == 0 || value->GetInt() == 1))
    out.value = value->GetInt();
  else
    out.error = "'value' must be 0 or 1";
  return out;
}

decoded<job_spec> decode_job_spec(std::string_view body) {
  decoded<job_spec> out;
  rapidjson::Document doc;
  if (out.error = parse_object(body, doc); !out.error.empty())
    return out;
  auto& spec = out.value;
  auto fail = [&](std::string text) {
    if (out.error.empty())
      out.error = std::move(text);
  };
  auto name = member(doc, "name");
  if (name == nullptr || !name->IsString() || name->GetStringLength() == 0)
    fail("'name' is required and must be a non-empty string");
  else
    spec.name = as_string(*name);
  auto command = member(doc, "command");
  if (command == nullptr || !command->IsArray() || command->Empty()) {
    fail("'command' is required and must be a non-empty array of strings");
  } else {
    for (auto& arg : command->GetArray()) {
      if (!arg.IsString()) {
        fail("'command' must be an array of strings");
        break;
      }
      spec.command.push_back(as_string(arg));
    }
    if (out.error.empty() && spec.command.front().empty())
      fail("'command[0]' must not be empty");
  }
  if (auto restart = member(doc, "restart")) {
    if (!restart->IsString() || !from_string(as_string(*restart), spec.restart))
      fail("'restart' must be \"no\", \"on-failure\" or \"always\"");
  }
  if (auto wd = member(doc, "watchdog_sec")) {
    if (!wd->IsUint() || wd->GetUint() > 86400)
      fail("'watchdog_sec' must be an integer from 0 to 86400");
    else
      spec.watchdog_sec = wd->GetUint();
  }
  fail(read_bool(doc, "notify", spec.notify));
  fail(read_bool(doc, "autostart", spec.autostart));
  fail(read_string(doc, "cwd", spec.cwd));
  if (auto env = member(doc, "env")) {
    if (!env->IsObject()) {
      fail("'env' must be an object of strings");
    } else {
      for (auto& kvp : env->GetObject()) {
        if (!kvp.value.IsString()) {
          fail("'env' must be an object of strings");
          break;
        }
        auto key = as_string(kvp.name);
        if (key.empty() || key.find('=') != std::string::npos) {
          fail("'env' names must be non-empty and must not contain '='");
          break;
        }
        spec.env[key] = as_string(kvp.value);
      }
    }
  }
  return out;
}

decoded<jmri::jmri_message> decode_jmri_message(std::string_view body) {
  decoded<jmri::jmri_message> out;
  rapidjson::Document doc;
  if (out.error = parse_object(body, doc); !out.error.empty())
    return out;
  auto& msg = out.value;
  auto text = member(doc, "message");
  if (text == nullptr || !text->IsString()) {
    out.error = "'message' is required and must be a string";
    return out;
  }
  msg.message = as_string(*text);
  msg.locale.clear();
  if (auto type = member(doc, "type")) {
    if (!type->IsString() || !jmri::is_message_type(as_string(*type))) {
      out.error = R"('type' must be "info", "success", "warning" or "error")";
      return out;
    }
    msg.type = as_string(*type);
  }
  if (auto err = read_string(doc, "client", msg.client); !err.empty()) {
    out.error = std::move(err);
    return out;
  }
  if (auto err = read_string(doc, "locale", msg.locale); !err.empty()) {
    out.error = std::move(err);
    return out;
  }
  if (auto context = member(doc, "context")) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w{buf};
    context->Accept(w);
    msg.context_json.assign(buf.GetString(), buf.GetSize());
  }
  return out;
}

std::string encode_delivered(uint64_t n) {
  return R"({"delivered":)" + std::to_string(n) + "}";
}

} // namespace signalbox::rest
