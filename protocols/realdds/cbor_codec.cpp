#include "protocols/realdds/cbor_codec.hpp"

#include <cbor.h>
#include <cmath>
#include <cstdint>
#include <limits>

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
  doc.Parse<json::parse_flags>(json.data(), json.size());
  if (doc.HasParseError())
    return std::nullopt;
  std::string out;
  out.reserve(json.size());
  append_cbor(out, doc);
  return out;
}

} // namespace signalbox::realdds
