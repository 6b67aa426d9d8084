#include "tools/load/rtoc_frames.hpp"

#include <charconv>

#include <rapidjson/memorystream.h>

namespace signalbox::load {

namespace {

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

void append_quoted(std::string& out, std::string_view s) {
  // Names are the generator's own (letters, digits, '-'): nothing to escape.
  out.push_back('"');
  out.append(s);
  out.push_back('"');
}

/// Walks a node frame: the root's "error" and "authorized" flags, and of a
/// root "signal" object the dname, sname, x and y.
class frame_handler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, frame_handler> {
public:
  frame_handler(rtoc_frame& out, std::string& device, std::string& signal)
      : out_(out), device_(device), signal_(signal) {}

  bool StartObject() {
    if (depth_ == 0)
      out_.type = rtoc_frame::kind::other;
    if (depth_ == 1 && key_ == member::signal)
      in_signal_ = true;
    ++depth_;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    if (depth_ == 1)
      in_signal_ = false;
    return true;
  }
  bool StartArray() {
    if (depth_ == 0)
      return false; // a list is no frame of RTOC's
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    std::string_view name{s, n};
    if (depth_ == 1)
      key_ = name == "error"        ? member::error
             : name == "authorized" ? member::authorized
             : name == "signal"     ? member::signal
                                    : member::other;
    else if (depth_ == 2 && in_signal_)
      field_ = name == "x"       ? field::x
               : name == "y"     ? field::y
               : name == "dname" ? field::dname
               : name == "sname" ? field::sname
                                 : field::other;
    return true;
  }
  bool Bool(bool b) {
    if (depth_ == 1 && key_ == member::error) {
      saw_error_ = true;
      out_.flag = b;
    } else if (depth_ == 1 && key_ == member::authorized) {
      saw_authorized_ = true;
      out_.flag = b;
    }
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 2 && in_signal_) {
      if (field_ == field::dname)
        device_.assign(s, n);
      else if (field_ == field::sname)
        signal_.assign(s, n);
    }
    return true;
  }
  bool Int(int v) { return number(v); }
  bool Uint(unsigned v) { return number(v); }
  bool Int64(int64_t v) { return number(static_cast<double>(v)); }
  bool Uint64(uint64_t v) { return number(static_cast<double>(v)); }
  bool Double(double v) { return number(v); }
  bool Default() { return true; }

  void finish() {
    if (out_.type == rtoc_frame::kind::invalid)
      return;
    if (saw_error_)
      out_.type = rtoc_frame::kind::reply;
    else if (saw_authorized_)
      out_.type = rtoc_frame::kind::authorized;
    else if (xs_ == 1 && ys_ == 1)
      out_.type = rtoc_frame::kind::sample;
  }

private:
  bool number(double v) {
    // A sample push has exactly one x and one y.
    if (depth_ == 3 && in_signal_) {
      if (field_ == field::x && xs_++ == 0)
        out_.x = v;
      else if (field_ == field::y && ys_++ == 0)
        out_.y = v;
    }
    return true;
  }

  enum class member { other, error, authorized, signal };
  enum class field { other, x, y, dname, sname };

  rtoc_frame& out_;
  std::string& device_;
  std::string& signal_;
  int depth_ = 0;
  member key_ = member::other;
  field field_ = field::other;
  bool in_signal_ = false;
  bool saw_error_ = false;
  bool saw_authorized_ = false;
  int xs_ = 0;
  int ys_ = 0;
};

} // namespace

rtoc_request_builder::rtoc_request_builder(std::string device,
                                           std::vector<std::string> signals)
    : device_(std::move(device)), signals_(std::move(signals)) {}

std::string_view rtoc_request_builder::data(uint64_t first_seq, uint32_t count,
                                            uint64_t t_ns) {
  out_.clear();
  out_.append("{\"y\":[");
  for (uint32_t i = 0; i < count; ++i) {
    if (i > 0)
      out_.push_back(',');
    append_uint(out_, t_ns);
  }
  out_.append("],\"x\":[");
  for (uint32_t i = 0; i < count; ++i) {
    if (i > 0)
      out_.push_back(',');
    append_uint(out_, first_seq + i);
  }
  out_.append("],\"sname\":[");
  for (uint32_t i = 0; i < count; ++i) {
    if (i > 0)
      out_.push_back(',');
    append_quoted(out_, signals_[i % signals_.size()]);
  }
  out_.append("],\"dname\":");
  append_quoted(out_, device_);
  out_.push_back('}');
  return out_;
}

rtoc_frame rtoc_frame_reader::read(std::string_view json) {
  rtoc_frame out;
  device_.clear();
  signal_.clear();
  frame_handler handler{out, device_, signal_};
  rapidjson::MemoryStream in{json.data(), json.size()};
  // RTOC writes Python's NaN and Infinity.
  if (reader_.Parse<rapidjson::kParseNanAndInfFlag>(in, handler).IsError())
    return rtoc_frame{};
  handler.finish();
  if (out.type == rtoc_frame::kind::sample) {
    out.device = device_;
    out.signal = signal_;
  }
  return out;
}

} // namespace signalbox::load
