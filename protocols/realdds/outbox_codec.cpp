#include "protocols/realdds/outbox_codec.hpp"

#include <rapidjson/document.h>

#include "core/utf8.hpp"
#include "protocols/realdds/cbor_codec.hpp"

namespace signalbox::realdds {

namespace {

// A `log` notification around its entries, at most: in JSON
// {"id":"log","timestamp":<20 digits>,"entries":[ ... ]} and in CBOR a map
// head, "id", "log", "timestamp", a uint of up to 9 bytes, "entries" and an
// array head of up to 3 bytes (fewer than 65 536 entries fit anyway).
constexpr size_t log_json_overhead = 24 + 20 + 12 + 2;
constexpr size_t log_cbor_overhead = 1 + 3 + 4 + 10 + 9 + 8 + 3;

encoded encode_entry(const log_entry& e, bool cut, size_t length) {
  rapidjson::Document doc;
  auto& a = doc.GetAllocator();
  doc.SetArray();
  doc.PushBack(rapidjson::Value{e.timestamp}, a);
  char type[] = {e.type, '\0'};
  doc.PushBack(rapidjson::Value{type, 1, a}, a);
  doc.PushBack(rapidjson::Value{e.text.data(),
                                static_cast<rapidjson::SizeType>(e.text.size()),
                                a},
               a);
  if (!e.data.empty() || cut) {
    rapidjson::Value data{rapidjson::kObjectType};
    for (auto& [key, value] : e.data)
      data.AddMember(rapidjson::Value{key.c_str(), a},
                     rapidjson::Value{value.c_str(), a}, a);
    if (cut) {
      data.AddMember("cut", true, a);
      data.AddMember("length", rapidjson::Value{uint64_t{length}}, a);
    }
    doc.PushBack(data, a);
  }
  return encode(doc);
}

/// Messages of `items`: neighbours combined into one array while it fits
/// in `max` bytes in both formats.
std::vector<encoded> combine(std::deque<encoded>& items, size_t max) {
  std::vector<encoded> out;
  std::vector<encoded> group;
  size_t json = 0; // the group's array: brackets and commas included
  size_t cbor = 0; // the group's elements (an array head is at most 3)
  auto emit = [&] {
    if (group.size() == 1) {
      out.push_back(std::move(group.front()));
    } else if (!group.empty()) {
      encoded msg;
      msg.json.reserve(json);
      msg.json += '[';
      append_cbor_array_head(msg.cbor, group.size());
      for (auto& g : group) {
        if (msg.json.size() > 1)
          msg.json += ',';
        msg.json += g.json;
        msg.cbor += g.cbor;
      }
      msg.json += ']';
      out.push_back(std::move(msg));
    }
    group.clear();
    json = 1; // '['
    cbor = 3;
  };
  emit();
  for (auto& item : items) {
    if (!group.empty() && (json + 1 + item.json.size() + 1 > max ||
                           cbor + item.cbor.size() > max))
      emit();
    json += item.json.size() + (group.empty() ? 0 : 1);
    cbor += item.cbor.size();
    group.push_back(std::move(item));
  }
  emit();
  items.clear();
  return out;
}

} // namespace

outbox::outbox(size_t max_bytes) : max_(max_bytes) {}

bool outbox::fits(size_t json_entries, size_t cbor_entries, size_t n) const {
  auto commas = n > 0 ? n - 1 : 0;
  return log_json_overhead + json_entries + commas <= max_ &&
         log_cbor_overhead + cbor_entries <= max_;
}

encoded outbox::entry_of(log_entry e) {
  e.text = repaired_utf8(e.text);
  auto enc = encode_entry(e, false, 0);
  if (fits(enc.json.size(), enc.cbor.size(), 1))
    return enc;
  ++cut_;
  auto full = std::move(e.text);
  auto cut_to = [&](const std::string& prefix) {
    e.text = prefix;
    return encode_entry(e, true, full.size());
  };
  return cut_to(longest_fitting_prefix(full, [&](const std::string& prefix) {
    auto x = cut_to(prefix);
    return fits(x.json.size(), x.cbor.size(), 1);
  }));
}

void outbox::add_log(const log_entry& entry) {
  auto enc = entry_of(entry);
  if (!fits(enc.json.size(), enc.cbor.size(), 1)) {
    ++dropped_; // its data alone is too long
    return;
  }
  if (!fits(entries_json_ + enc.json.size(), entries_cbor_ + enc.cbor.size(),
            entries_.size() + 1))
    close_logs(entry.timestamp);
  entries_json_ += enc.json.size();
  entries_cbor_ += enc.cbor.size();
  entries_.push_back(std::move(enc));
}

bool outbox::add(encoded notification, uint64_t now) {
  if (notification.size() > max_) {
    ++dropped_;
    return false;
  }
  close_logs(now);
  queue_.push_back(std::move(notification));
  return true;
}

void outbox::close_logs(uint64_t timestamp) {
  if (entries_.empty())
    return;
  encoded log;
  log.json.reserve(log_json_overhead + entries_json_ + entries_.size());
  log.json += R"({"id":"log","timestamp":)";
  log.json += std::to_string(timestamp);
  log.json += R"(,"entries":[)";
  append_cbor_map_head(log.cbor, 3);
  append_cbor_text(log.cbor, "id");
  append_cbor_text(log.cbor, "log");
  append_cbor_text(log.cbor, "timestamp");
  append_cbor_uint(log.cbor, timestamp);
  append_cbor_text(log.cbor, "entries");
  append_cbor_array_head(log.cbor, entries_.size());
  bool first = true;
  for (auto& e : entries_) {
    if (!first)
      log.json += ',';
    first = false;
    log.json += e.json;
    log.cbor += e.cbor;
  }
  log.json += "]}";
  queue_.push_back(std::move(log));
  entries_.clear();
  entries_json_ = 0;
  entries_cbor_ = 0;
}

std::vector<encoded> outbox::take_finished() {
  return combine(queue_, max_);
}

std::vector<encoded> outbox::take(uint64_t now) {
  close_logs(now);
  return combine(queue_, max_);
}

} // namespace signalbox::realdds
