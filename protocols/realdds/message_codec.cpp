#include "protocols/realdds/message_codec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/realdds/cbor_codec.hpp"

namespace signalbox::realdds {

encoded encode(const rapidjson::Value& value) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  value.Accept(w);
  encoded out;
  out.json.assign(buf.GetString(), buf.GetSize());
  append_cbor(out.cbor, value);
  return out;
}

} // namespace signalbox::realdds
