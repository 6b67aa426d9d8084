#include "tools/load/stamp.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/writer.h>

namespace signalbox::load {

namespace {

// The SAX events of a stamp's text, written into a stamp. Only the root
// object's members count; anything that cannot be a stamp stops the parse
// (returning false makes the reader fail).
class stamp_handler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, stamp_handler> {
public:
  explicit stamp_handler(stamp& out) : out_(out) {}

  bool complete() const { return seen_ == (run | pub | seq | t); }

  bool StartObject() { return open(); }
  bool StartArray() { return depth_ > 0 && open(); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1)
      key_ = field_of({s, n});
    return true;
  }

  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 0)
      return false;
    auto f = claim();
    if (f == run)
      out_.run.assign(s, n);
    return f == none || f == run;
  }

  // The reader reports non-negative numbers as Uint, or as Uint64 when they
  // need more than 32 bits; Int and Int64 only negative ones, but for "-0".
  bool Uint(unsigned v) { return number(v, true); }
  bool Uint64(uint64_t v) { return number(v, false); }
  bool Int(int v) {
    return v >= 0 ? number(static_cast<unsigned>(v), true) : Default();
  }
  bool Int64(int64_t v) {
    return v >= 0 ? number(static_cast<uint64_t>(v), false) : Default();
  }

  /// null, true, false, fractions: none of the fields.
  bool Default() { return depth_ > 0 && claim() == none; }

private:
  enum field : unsigned { none = 0, run = 1, pub = 2, seq = 4, t = 8 };

  static field field_of(std::string_view name) {
    if (name == "run")
      return run;
    if (name == "pub")
      return pub;
    if (name == "seq")
      return seq;
    if (name == "t")
      return t;
    return none;
  }

  /// The field the value now arriving sets: none when it is nested, of an
  /// unknown member, or a repetition.
  field claim() {
    if (depth_ != 1 || (seen_ & key_) != 0)
      return none;
    seen_ |= key_;
    return key_;
  }

  bool open() {
    if (depth_ > 0 && claim() != none)
      return false; // a field holding an object or array
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    return true;
  }

  bool number(uint64_t v, bool fits_32_bits) {
    if (depth_ == 0)
      return false;
    switch (claim()) {
    case none:
      return true;
    case pub:
      out_.pub = static_cast<uint32_t>(v);
      return fits_32_bits;
    case seq:
      out_.seq = v;
      return true;
    case t:
      out_.t_ns = v;
      return true;
    case run:
      return false;
    }
    return false;
  }

  stamp& out_;
  unsigned depth_ = 0;
  field key_ = none;
  unsigned seen_ = 0;
};

} // namespace

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

bool stamp_reader::read(std::string_view text, stamp& out) {
  rapidjson::MemoryStream ms{text.data(), text.size()};
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in{
      ms};
  stamp_handler handler{out};
  return !reader_.Parse(in, handler).IsError() && handler.complete();
}

std::optional<stamp> decode_stamp(std::string_view text) {
  // One reader per thread: its stack is kept between calls.
  thread_local stamp_reader reader;
  stamp s;
  if (!reader.read(text, s))
    return std::nullopt;
  return s;
}

} // namespace signalbox::load
