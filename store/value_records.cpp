#include "store/value_records.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace signalbox::value_records {

namespace {

constexpr int record_version = 1;

} // namespace

std::string encode(const value_info& x) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("v");
  w.Int(record_version);
  w.Key("value");
  w.String(x.value.data(), static_cast<rapidjson::SizeType>(x.value.size()));
  w.Key("notify");
  w.Bool(x.notify);
  w.Key("provider");
  w.String(x.provider.data(),
           static_cast<rapidjson::SizeType>(x.provider.size()));
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::optional<value_info> decode(const std::string& key,
                                 std::string_view record) {
  rapidjson::Document doc;
  doc.Parse(record.data(), record.size());
  if (doc.HasParseError() || !doc.IsObject())
    return std::nullopt;
  auto v = doc.FindMember("v");
  auto value = doc.FindMember("value");
  auto notify = doc.FindMember("notify");
  auto provider = doc.FindMember("provider");
  if (v == doc.MemberEnd() || !v->value.IsInt() ||
      v->value.GetInt() != record_version || value == doc.MemberEnd() ||
      !value->value.IsString() || notify == doc.MemberEnd() ||
      !notify->value.IsBool() || provider == doc.MemberEnd() ||
      !provider->value.IsString())
    return std::nullopt;
  value_info x;
  x.key = key;
  x.value.assign(value->value.GetString(), value->value.GetStringLength());
  x.persistent = true;
  x.notify = notify->value.GetBool();
  x.provider.assign(provider->value.GetString(),
                    provider->value.GetStringLength());
  return x;
}

} // namespace signalbox::value_records
