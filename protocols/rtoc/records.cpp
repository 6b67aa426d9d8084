#include "protocols/rtoc/records.hpp"

#include <cstring>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/json/strict_json.hpp"

namespace signalbox::rtoc::records {

namespace {

using writer_type =
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>,
                      rapidjson::UTF8<>, rapidjson::CrtAllocator,
                      rapidjson::kWriteNanAndInfFlag>;

constexpr unsigned parse_flags = rapidjson::kParseNanAndInfFlag;

void put_be64(std::string& out, uint64_t x) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out += static_cast<char>((x >> shift) & 0xFF);
}

uint64_t get_be64(std::string_view in) {
  uint64_t x = 0;
  for (size_t i = 0; i < 8; ++i)
    x = (x << 8) | static_cast<unsigned char>(in[i]);
  return x;
}

/// The bits of `x` ordered like the doubles themselves: negative numbers
/// have their bits inverted, positive ones the sign bit set.
uint64_t sortable(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return (bits & 0x8000000000000000ull) ? ~bits : bits | 0x8000000000000000ull;
}

double unsortable(uint64_t bits) {
  bits = (bits & 0x8000000000000000ull) ? bits & ~0x8000000000000000ull : ~bits;
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

std::string string_member(const rapidjson::Value& obj, const char* key) {
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd() || !i->value.IsString())
    return {};
  return {i->value.GetString(), i->value.GetStringLength()};
}

int64_t int_member(const rapidjson::Value& obj, const char* key) {
  auto i = obj.FindMember(key);
  return i != obj.MemberEnd() && i->value.IsInt64() ? i->value.GetInt64() : 0;
}

} // namespace

std::string id_key(int64_t id) {
  std::string out;
  put_be64(out, static_cast<uint64_t>(id));
  return out;
}

std::optional<int64_t> id_of(std::string_view key) {
  if (key.size() != 8)
    return std::nullopt;
  return static_cast<int64_t>(get_be64(key));
}

std::string sample_key(int64_t signal_id, double x, uint64_t seq) {
  std::string out;
  out.reserve(sample_key_size);
  append_sample_key(out, signal_id, x, seq);
  return out;
}

void append_sample_key(std::string& out, int64_t signal_id, double x,
                       uint64_t seq) {
  put_be64(out, static_cast<uint64_t>(signal_id));
  put_be64(out, sortable(x));
  put_be64(out, seq);
}

std::string samples_from(int64_t signal_id, double x) {
  auto out = id_key(signal_id);
  put_be64(out, sortable(x));
  return out;
}

std::string samples_begin(int64_t signal_id) {
  return id_key(signal_id);
}

std::string samples_end(int64_t signal_id) {
  return id_key(signal_id + 1);
}

std::optional<double> x_of(std::string_view key) {
  if (key.size() != 24)
    return std::nullopt;
  return unsortable(get_be64(key.substr(8, 8)));
}

std::string encode_y(double y) {
  std::string out;
  append_y(out, y);
  return out;
}

void append_y(std::string& out, double y) {
  uint64_t bits;
  std::memcpy(&bits, &y, sizeof bits);
  put_be64(out, bits);
}

store_batch sample_records(size_t n) {
  store_batch out;
  out.key_size = sample_key_size;
  out.value_size = y_size;
  out.keys.reserve(n * sample_key_size);
  out.values.reserve(n * y_size);
  return out;
}

void append_sample(store_batch& batch, int64_t signal_id, double x, double y,
                   uint64_t seq) {
  append_sample_key(batch.keys, signal_id, x, seq);
  append_y(batch.values, y);
}

std::optional<double> decode_y(std::string_view value) {
  if (value.size() != 8)
    return std::nullopt;
  auto bits = get_be64(value);
  double y;
  std::memcpy(&y, &bits, sizeof y);
  return y;
}

std::string encode_signal(const signal_record& x) {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
  w.StartObject();
  w.Key("v");
  w.Int(1);
  w.Key("device");
  w.Int64(x.device_id);
  w.Key("name");
  w.String(x.name.data(), static_cast<rapidjson::SizeType>(x.name.size()));
  w.Key("unit");
  w.String(x.unit.data(), static_cast<rapidjson::SizeType>(x.unit.size()));
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::optional<signal_record> decode_signal(std::string_view json) {
  rapidjson::Document doc;
  json::parse<parse_flags>(doc, json);
  if (doc.HasParseError() || !doc.IsObject())
    return std::nullopt;
  return signal_record{int_member(doc, "device"), string_member(doc, "name"),
                       string_member(doc, "unit")};
}

std::string encode_event(const event_view& x) {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
  auto str = [&](const std::string& s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("v");
  w.Int(1);
  w.Key("device");
  w.Int64(x.device_id);
  w.Key("signal");
  w.Int64(x.signal_id);
  w.Key("dname");
  str(x.dname);
  w.Key("sname");
  str(x.sname);
  w.Key("text");
  str(x.text);
  w.Key("x");
  w.Double(x.x);
  w.Key("value");
  str(x.value_json);
  w.Key("priority");
  w.Int(x.priority);
  w.Key("id");
  str(x.id);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::optional<event_view> decode_event(std::string_view json) {
  rapidjson::Document doc;
  json::parse<parse_flags>(doc, json);
  if (doc.HasParseError() || !doc.IsObject())
    return std::nullopt;
  event_view e;
  e.device_id = int_member(doc, "device");
  e.signal_id = int_member(doc, "signal");
  e.dname = string_member(doc, "dname");
  e.sname = string_member(doc, "sname");
  e.text = string_member(doc, "text");
  auto x = doc.FindMember("x");
  e.x = x != doc.MemberEnd() && x->value.IsNumber() ? x->value.GetDouble() : 0;
  e.value_json = string_member(doc, "value");
  if (e.value_json.empty())
    e.value_json = "null";
  e.priority = static_cast<int32_t>(int_member(doc, "priority"));
  e.id = string_member(doc, "id");
  return e;
}

} // namespace signalbox::rtoc::records
