#include "protocols/realdds/cbor_codec.hpp"

#include <cbor.h>
#include <cmath>
#include <cstdint>
#include <limits>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/utf8.hpp"
#include "protocols/json/strict_json.hpp"

namespace signalbox::realdds {

namespace {

// Every CBOR head libcbor writes (initial byte plus up to 8 bytes of
// argument) fits.
constexpr size_t head_size = 9;

template <class Encode>
void append_head(std::string& out, Encode encode) {
  unsigned char buf[head_size];
  auto n = encode(buf, sizeof(buf));
  out.append(reinterpret_cast<const char*>(buf), n);
}

/// Whether `d` is a normal half-precision value, or zero or infinite:
/// exactly what cbor_encode_half writes without rounding.
bool fits_normal_half(double d) {
  if (d == 0 || std::isinf(d))
    return true;
  int exp = 0;
  double mant = std::frexp(std::fabs(d), &exp); // |d| = mant * 2^exp
  // As 1.f * 2^(exp-1); a normal half has exp-1 in [-14, 15] and 10 bits
  // of fraction.
  if (exp - 1 < -14 || exp - 1 > 15)
    return false;
  double fraction = (2 * mant - 1) * 1024;
  return fraction == std::floor(fraction);
}

void append_double(std::string& out, double d) {
  if (fits_normal_half(d)) {
    append_head(out, [d](unsigned char* b, size_t n) {
      return cbor_encode_half(static_cast<float>(d), b, n);
    });
    return;
  }
  auto f = static_cast<float>(d);
  if (static_cast<double>(f) == d) {
    append_head(out, [f](unsigned char* b, size_t n) {
      return cbor_encode_single(f, b, n);
    });
    return;
  }
  append_head(out, [d](unsigned char* b, size_t n) {
    return cbor_encode_double(d, b, n);
  });
}

void append_int(std::string& out, int64_t i) {
  if (i >= 0) {
    auto u = static_cast<uint64_t>(i);
    append_head(out, [u](unsigned char* b, size_t n) {
      return cbor_encode_uint(u, b, n);
    });
    return;
  }
  // CBOR's negative integers carry -1 - i, which for INT64_MIN is 2^63 - 1.
  auto u = static_cast<uint64_t>(-(i + 1));
  append_head(out, [u](unsigned char* b, size_t n) {
    return cbor_encode_negint(u, b, n);
  });
}

void append_string(std::string& out, const char* s, size_t len) {
  append_head(out, [len](unsigned char* b, size_t n) {
    return cbor_encode_string_start(len, b, n);
  });
  out.append(s, len);
}

} // namespace

void append_cbor_array_head(std::string& out, size_t n) {
  append_head(out, [n](unsigned char* b, size_t size) {
    return cbor_encode_array_start(n, b, size);
  });
}

void append_cbor_map_head(std::string& out, size_t n) {
  append_head(out, [n](unsigned char* b, size_t size) {
    return cbor_encode_map_start(n, b, size);
  });
}

void append_cbor_uint(std::string& out, uint64_t u) {
  append_head(out, [u](unsigned char* b, size_t n) {
    return cbor_encode_uint(u, b, n);
  });
}

void append_cbor_text(std::string& out, std::string_view text) {
  append_string(out, text.data(), text.size());
}

void append_cbor(std::string& out, const rapidjson::Value& v) {
  switch (v.GetType()) {
  case rapidjson::kNullType:
    append_head(out, cbor_encode_null);
    return;
  case rapidjson::kFalseType:
  case rapidjson::kTrueType: {
    bool b = v.GetBool();
    append_head(out, [b](unsigned char* buf, size_t n) {
      return cbor_encode_bool(b, buf, n);
    });
    return;
  }
  case rapidjson::kStringType:
    append_string(out, v.GetString(), v.GetStringLength());
    return;
  case rapidjson::kArrayType: {
    size_t len = v.Size();
    append_head(out, [len](unsigned char* b, size_t n) {
      return cbor_encode_array_start(len, b, n);
    });
    for (auto& x : v.GetArray())
      append_cbor(out, x);
    return;
  }
  case rapidjson::kObjectType: {
    size_t len = v.MemberCount();
    append_head(out, [len](unsigned char* b, size_t n) {
      return cbor_encode_map_start(len, b, n);
    });
    for (auto& m : v.GetObject()) {
      append_string(out, m.name.GetString(), m.name.GetStringLength());
      append_cbor(out, m.value);
    }
    return;
  }
  case rapidjson::kNumberType:
    if (v.IsInt64())
      append_int(out, v.GetInt64());
    else if (v.IsUint64()) // above INT64_MAX
      append_cbor_uint(out, v.GetUint64());
    else
      append_double(out, v.GetDouble());
    return;
  }
}

std::optional<std::string> cbor_of_json(std::string_view json) {
  // The node's strict parse (protocols/json), and a bounded nesting:
  // append_cbor recurses.
  if (!json::unparsable_for_rapidjson(json).empty() ||
      json::nesting_depth(json) > max_cbor_depth)
    return std::nullopt;
  rapidjson::Document doc;
  json::parse(doc, json);
  if (doc.HasParseError())
    return std::nullopt;
  std::string out;
  out.reserve(json.size());
  append_cbor(out, doc);
  return out;
}

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

bool write_text(json_writer& w, cbor_item_t* item) {
  std::string text;
  if (cbor_string_is_definite(item)) {
    text.assign(reinterpret_cast<const char*>(cbor_string_handle(item)),
                cbor_string_length(item));
  } else {
    auto chunks = cbor_string_chunks_handle(item);
    for (size_t i = 0; i < cbor_string_chunk_count(item); ++i)
      text.append(reinterpret_cast<const char*>(cbor_string_handle(chunks[i])),
                  cbor_string_length(chunks[i]));
  }
  if (!valid_utf8(text))
    return false;
  return w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// `depth`: the containers around `item`; like cbor_of_json's nesting, a
// container counts, a scalar does not.
bool write_json(json_writer& w, cbor_item_t* item, size_t depth) {
  auto kind = cbor_typeof(item);
  if ((kind == CBOR_TYPE_ARRAY || kind == CBOR_TYPE_MAP) &&
      depth + 1 > max_cbor_depth)
    return false;
  switch (kind) {
  case CBOR_TYPE_UINT:
    return w.Uint64(cbor_get_int(item));
  case CBOR_TYPE_NEGINT: {
    auto n = cbor_get_int(item); // the value is -1 - n
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return false;
    return w.Int64(-1 - static_cast<int64_t>(n));
  }
  case CBOR_TYPE_STRING:
    return write_text(w, item);
  case CBOR_TYPE_ARRAY: {
    w.StartArray();
    auto items = cbor_array_handle(item);
    for (size_t i = 0; i < cbor_array_size(item); ++i)
      if (!write_json(w, items[i], depth + 1))
        return false;
    return w.EndArray();
  }
  case CBOR_TYPE_MAP: {
    w.StartObject();
    auto pairs = cbor_map_handle(item);
    for (size_t i = 0; i < cbor_map_size(item); ++i) {
      if (!cbor_isa_string(pairs[i].key) || !write_text(w, pairs[i].key) ||
          !write_json(w, pairs[i].value, depth + 1))
        return false;
    }
    return w.EndObject();
  }
  case CBOR_TYPE_FLOAT_CTRL:
    if (cbor_float_ctrl_is_ctrl(item)) {
      switch (cbor_ctrl_value(item)) {
      case CBOR_CTRL_TRUE:
        return w.Bool(true);
      case CBOR_CTRL_FALSE:
        return w.Bool(false);
      case CBOR_CTRL_NULL:
        return w.Null();
      default:
        return false; // undefined, simple values
      }
    } else {
      auto d = cbor_float_get_float(item);
      return std::isfinite(d) && w.Double(d);
    }
  default:
    return false; // byte strings, tags
  }
}

// Whether no head of `cbor` declares more items or bytes than the bytes
// after it could hold. libcbor allocates a definite array's or map's
// items before it reads them: a 5-byte head declaring four billion items
// would ask for 32 GB (found by the fuzzer). Every item takes at least one
// byte, so a length above the bytes left is a lie; checking every head in
// one flat pass bounds what libcbor allocates by the input's size.
bool plausible_lengths(std::string_view cbor) {
  size_t pos = 0;
  while (pos < cbor.size()) {
    auto initial = static_cast<uint8_t>(cbor[pos++]);
    auto major = initial >> 5;
    auto info = initial & 0x1f;
    uint64_t arg = info;
    if (info >= 24 && info <= 27) {
      size_t n = size_t{1} << (info - 24);
      if (n > cbor.size() - pos)
        return false;
      arg = 0;
      for (size_t i = 0; i < n; ++i)
        arg = arg << 8 | static_cast<uint8_t>(cbor[pos++]);
    } else if (info >= 28 && info <= 30) {
      return false; // reserved
    } else if (info == 31) {
      continue; // indefinite length, or a break
    }
    auto left = cbor.size() - pos;
    switch (major) {
    case 2: // byte string
    case 3: // text string
      if (arg > left)
        return false;
      pos += arg;
      break;
    case 4: // array
      if (arg > left)
        return false;
      break;
    case 5: // map
      if (arg > left / 2)
        return false;
      break;
    default:
      break;
    }
  }
  return true;
}

} // namespace

std::optional<std::string> json_of_cbor(std::string_view cbor) {
  if (!plausible_lengths(cbor))
    return std::nullopt;
  cbor_load_result result;
  auto item = cbor_load(reinterpret_cast<const unsigned char*>(cbor.data()),
                        cbor.size(), &result);
  if (!item)
    return std::nullopt;
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  bool ok = result.read == cbor.size() && write_json(w, item, 0);
  cbor_decref(&item);
  if (!ok)
    return std::nullopt;
  return std::string{buf.GetString(), buf.GetSize()};
}

} // namespace signalbox::realdds
