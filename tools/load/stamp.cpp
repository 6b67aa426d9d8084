#include "tools/load/stamp.hpp"

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

namespace signalbox::load {

std::string encode_stamp(const stamp& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("run");
  w.String(s.run.data(), static_cast<rapidjson::SizeType>(s.run.size()));
  w.Key("pub");
  w.Uint(s.pub);
  w.Key("seq");
  w.Uint64(s.seq);
  w.Key("t");
  w.Uint64(s.t_ns);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::optional<stamp> decode_stamp(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject())
    return std::nullopt;
  auto run = doc.FindMember("run");
  auto pub = doc.FindMember("pub");
  auto seq = doc.FindMember("seq");
  auto t = doc.FindMember("t");
  if (run == doc.MemberEnd() || !run->value.IsString() ||
      pub == doc.MemberEnd() || !pub->value.IsUint() ||
      seq == doc.MemberEnd() || !seq->value.IsUint64() ||
      t == doc.MemberEnd() || !t->value.IsUint64())
    return std::nullopt;
  return stamp{run->value.GetString(), pub->value.GetUint(),
               seq->value.GetUint64(), t->value.GetUint64()};
}

} // namespace signalbox::load
