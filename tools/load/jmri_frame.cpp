#include "tools/load/jmri_frame.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>

namespace signalbox::load {

namespace {

// Picks root.type, and data.heartbeat, data.message and data.code, out of
// the SAX events of one frame; everything else (a message's context, its
// own "type") is skipped.
class frame_handler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, frame_handler> {
public:
  frame_handler(std::string& type, std::string& text, jmri_frame& out)
      : type_(type), text_(text), out_(out) {}

  bool root_was_object() const { return root_object_; }

  bool StartObject() {
    if (depth_ == 0)
      root_object_ = true;
    else if (depth_ == 1 && key_ == field::data)
      in_data_ = true;
    key_ = field::none;
    ++depth_;
    return true;
  }

  bool EndObject(rapidjson::SizeType) {
    if (--depth_ == 1)
      in_data_ = false;
    key_ = field::none;
    return true;
  }

  bool StartArray() {
    ++depth_;
    key_ = field::none;
    return true;
  }

  bool EndArray(rapidjson::SizeType) {
    --depth_;
    key_ = field::none;
    return true;
  }

  bool Key(const char* s, rapidjson::SizeType n, bool) {
    std::string_view name{s, n};
    key_ = field::none;
    if (depth_ == 1) {
      if (name == "type")
        key_ = field::type;
      else if (name == "data")
        key_ = field::data;
    } else if (depth_ == 2 && in_data_) {
      if (name == "heartbeat")
        key_ = field::heartbeat;
      else if (name == "message")
        key_ = field::message;
      else if (name == "code")
        key_ = field::code;
    }
    return true;
  }

  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (key_ == field::type)
      type_.assign(s, n);
    else if (key_ == field::message)
      text_.assign(s, n);
    key_ = field::none;
    return true;
  }

  bool Uint(unsigned v) { return integer(v); }
  bool Uint64(uint64_t v) { return integer(static_cast<int64_t>(v)); }
  bool Int(int v) { return integer(v); }
  bool Int64(int64_t v) { return integer(v); }

  bool Default() {
    key_ = field::none;
    return true;
  }

private:
  enum class field { none, type, data, heartbeat, message, code };

  bool integer(int64_t v) {
    if (key_ == field::heartbeat && v > 0)
      out_.heartbeat_ms = static_cast<uint64_t>(v);
    else if (key_ == field::code)
      out_.code = v;
    key_ = field::none;
    return true;
  }

  std::string& type_;
  std::string& text_;
  jmri_frame& out_;
  unsigned depth_ = 0;
  field key_ = field::none;
  bool in_data_ = false;
  bool root_object_ = false;
};

jmri_frame::kind kind_of(std::string_view type) {
  using kind = jmri_frame::kind;
  if (type == "message")
    return kind::message;
  if (type == "pong")
    return kind::pong;
  if (type == "hello")
    return kind::hello;
  if (type == "error")
    return kind::error;
  if (type == "goodbye")
    return kind::goodbye;
  return kind::other;
}

} // namespace

jmri_frame jmri_frame_reader::read(std::string_view json) {
  jmri_frame out;
  type_.clear();
  text_.clear();
  rapidjson::MemoryStream ms{json.data(), json.size()};
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in{
      ms};
  frame_handler handler{type_, text_, out};
  if (reader_.Parse(in, handler).IsError() || !handler.root_was_object())
    return out;
  out.type = kind_of(type_);
  out.text = text_;
  return out;
}

} // namespace signalbox::load
