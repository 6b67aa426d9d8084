#include "protocols/realdds/notification_codec.hpp"

#include <chrono>

#include <rapidjson/document.h>

#include "core/utf8.hpp"

namespace signalbox::realdds {

namespace {

using rapidjson::Document;
using rapidjson::Value;

Document notification(const char* id, uint64_t timestamp) {
  Document doc;
  doc.SetObject();
  doc.AddMember("id", Value{rapidjson::StringRef(id)}, doc.GetAllocator());
  doc.AddMember("timestamp", Value{timestamp}, doc.GetAllocator());
  return doc;
}

Value option_json(const option_value& o, Document::AllocatorType& a) {
  Value opt{rapidjson::kArrayType};
  opt.PushBack(json_string(o.name, a), a);
  if (o.type == option_value::kind::gpio) {
    opt.PushBack(Value{o.number}, a);
    opt.PushBack(0, a).PushBack(1, a).PushBack(1, a).PushBack(0, a);
    opt.PushBack("GPIO output line", a);
  } else {
    opt.PushBack(json_string(repaired_utf8(o.text), a), a);
    opt.PushBack("", a);
    opt.PushBack("shared value", a);
  }
  return opt;
}

} // namespace

Value json_string(std::string_view s, Document::AllocatorType& a) {
  return Value{s.data(), static_cast<rapidjson::SizeType>(s.size()), a};
}

Value option_value_json(const option_value& o, Document::AllocatorType& a) {
  if (o.type == option_value::kind::gpio)
    return Value{o.number};
  return json_string(repaired_utf8(o.text), a);
}

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

encoded device_header(uint64_t timestamp) {
  auto doc = notification("device-header", timestamp);
  doc.AddMember("n-streams", 0, doc.GetAllocator());
  doc.AddMember("extrinsics", Value{rapidjson::kArrayType}, doc.GetAllocator());
  return encode(doc);
}

encoded device_options(const std::vector<option_value>& options,
                       uint64_t timestamp, size_t* left_out) {
  auto doc = notification("device-options", timestamp);
  auto& a = doc.GetAllocator();
  doc.AddMember("options", Value{rapidjson::kArrayType}, a);
  size_t skipped = 0;
  auto out = encode(doc);
  for (auto& o : options) {
    doc["options"].PushBack(option_json(o, a), a);
    auto next = encode(doc);
    if (next.size() > max_message_bytes) {
      doc["options"].PopBack();
      ++skipped;
      continue;
    }
    out = std::move(next);
  }
  if (left_out != nullptr)
    *left_out = skipped;
  return out;
}

encoded option_update(const option_value& option, uint64_t timestamp) {
  auto doc = notification("query-options", timestamp);
  auto& a = doc.GetAllocator();
  Value values{rapidjson::kObjectType};
  values.AddMember(json_string(option.name, a), option_value_json(option, a),
                   a);
  doc.AddMember("option-values", values, a);
  return encode(doc);
}

encoded job_status_notification(const job_status_changed& x,
                                uint64_t timestamp) {
  auto doc = notification("job-status", timestamp);
  auto& a = doc.GetAllocator();
  doc.AddMember("job-id", Value{x.job_id}, a);
  doc.AddMember("name", json_string(x.name, a), a);
  doc.AddMember("status", static_cast<int32_t>(x.status), a);
  doc.AddMember("status-name", Value{rapidjson::StringRef(to_string(x.status))},
                a);
  if (x.exit_code >= 0)
    doc.AddMember("exit-code", x.exit_code, a);
  if (x.term_signal > 0)
    doc.AddMember("signal", x.term_signal, a);
  return encode(doc);
}

encoded gpio_notification(const gpio_changed& x, uint64_t timestamp) {
  auto doc = notification("gpio", timestamp);
  auto& a = doc.GetAllocator();
  doc.AddMember("line", json_string(x.name, a), a);
  doc.AddMember("value", x.value, a);
  return encode(doc);
}

encoded value_notification(const value_changed& x, uint64_t timestamp) {
  auto build = [&](const std::string& value, bool cut) {
    auto doc = notification("value", timestamp);
    auto& a = doc.GetAllocator();
    doc.AddMember("key", json_string(repaired_utf8(x.key), a), a);
    if (x.reason == value_change::removed) {
      doc.AddMember("removed", true, a);
    } else {
      doc.AddMember("value", json_string(value, a), a);
      if (cut) {
        doc.AddMember("cut", true, a);
        doc.AddMember("length", Value{uint64_t{x.value.size()}}, a);
      }
    }
    return encode(doc);
  };
  auto value = repaired_utf8(x.value);
  auto whole = build(value, false);
  if (whole.size() <= max_message_bytes)
    return whole;
  auto kept = longest_fitting_prefix(value, [&](const std::string& prefix) {
    return build(prefix, true).size() <= max_message_bytes;
  });
  return build(kept, true);
}

log_entry job_output_entry(const std::string& job, const log_line& line) {
  log_entry e;
  e.timestamp = static_cast<uint64_t>(line.ts_ms) * 1000000u;
  e.type = line.stream == "stderr" ? 'W' : 'I';
  e.text = line.line;
  e.data = {{"job", job}, {"stream", line.stream}};
  return e;
}

std::optional<log_entry> job_status_entry(const job_status_changed& x,
                                          uint64_t timestamp) {
  log_entry e;
  e.timestamp = timestamp;
  e.data = {{"job", x.name}, {"status", to_string(x.status)}};
  switch (x.status) {
  case job_status::crashed:
    e.type = 'E';
    e.text = "job '" + x.name + "' crashed (signal " +
             std::to_string(x.term_signal) + ")";
    return e;
  case job_status::killed_by_watchdog:
    e.type = 'E';
    e.text = "job '" + x.name + "' killed by its watchdog";
    return e;
  case job_status::failed_to_start:
    e.type = 'E';
    e.text = "job '" + x.name + "' failed to start";
    return e;
  case job_status::exited_with_error:
    e.type = 'W';
    e.text = "job '" + x.name + "' exited with status " +
             std::to_string(x.exit_code);
    return e;
  default:
    return std::nullopt;
  }
}

} // namespace signalbox::realdds
