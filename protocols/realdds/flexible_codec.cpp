#include "protocols/realdds/flexible_codec.hpp"

#include <cstring>

namespace signalbox::realdds {

namespace {

// RTPS encapsulation identifiers (CDR_BE, CDR_LE), big-endian on the wire.
constexpr uint8_t cdr_be = 0x00;
constexpr uint8_t cdr_le = 0x01;

void put_le32(char* out, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<char>((x >> (8 * i)) & 0xff);
}

uint32_t get32(const char* in, bool little_endian) {
  uint32_t x = 0;
  for (int i = 0; i < 4; ++i) {
    auto byte = static_cast<uint32_t>(static_cast<uint8_t>(in[i]));
    x |= little_endian ? byte << (8 * i) : byte << (8 * (3 - i));
  }
  return x;
}

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex_bytes(std::string& out, const uint8_t* bytes, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    out += hex_digits[bytes[i] >> 4];
    out += hex_digits[bytes[i] & 0x0f];
  }
}

// A number in lowercase hex without leading zeros ("0" for zero).
void append_hex_number(std::string& out, uint32_t x) {
  char buf[8];
  int n = 0;
  do {
    buf[n++] = hex_digits[x & 0x0f];
    x >>= 4;
  } while (x != 0);
  while (n > 0)
    out += buf[--n];
}

} // namespace

size_t write_flexible(data_format format, std::string_view data, char* out) {
  out[0] = 0;
  out[1] = static_cast<char>(cdr_le);
  out[2] = 0; // options
  out[3] = 0;
  put_le32(out + 4, static_cast<uint32_t>(format));
  std::memset(out + 8, 0, 4); // version 0.0.0.0
  put_le32(out + 12, static_cast<uint32_t>(data.size()));
  if (!data.empty())
    std::memcpy(out + flexible_overhead, data.data(), data.size());
  return flexible_overhead + data.size();
}

std::optional<flexible_view> read_flexible(std::string_view bytes,
                                           size_t max_data) {
  if (bytes.size() < flexible_overhead || bytes[0] != 0)
    return std::nullopt;
  auto kind = static_cast<uint8_t>(bytes[1]);
  if (kind != cdr_le && kind != cdr_be)
    return std::nullopt;
  bool le = kind == cdr_le;
  // CDR aligns relative to the end of the encapsulation header: the enum,
  // the four octets and the length are each at a multiple of four.
  auto body = bytes.data() + 4;
  auto format = get32(body, le);
  if (format > static_cast<uint32_t>(data_format::custom))
    return std::nullopt;
  flexible_view v;
  v.format = static_cast<data_format>(format);
  std::memcpy(v.version.data(), body + 4, 4);
  auto length = get32(body + 8, le);
  if (length > max_data || length > bytes.size() - flexible_overhead)
    return std::nullopt;
  v.data = bytes.substr(flexible_overhead, length);
  return v;
}

std::string guid_text(const std::array<uint8_t, 12>& prefix,
                      const std::array<uint8_t, 4>& entity) {
  std::string out;
  out.reserve(36);
  if (prefix[0] == 0x01 && prefix[1] == 0x0f) {
    append_hex_bytes(out, prefix.data() + 2, 6);
    out += '.';
    append_hex_number(out, static_cast<uint32_t>(prefix[8]) |
                               static_cast<uint32_t>(prefix[9]) << 8 |
                               static_cast<uint32_t>(prefix[10]) << 16 |
                               static_cast<uint32_t>(prefix[11]) << 24);
  } else {
    append_hex_bytes(out, prefix.data(), prefix.size());
  }
  out += '.';
  append_hex_number(out, static_cast<uint32_t>(entity[0]) << 24 |
                             static_cast<uint32_t>(entity[1]) << 16 |
                             static_cast<uint32_t>(entity[2]) << 8 |
                             static_cast<uint32_t>(entity[3]));
  return out;
}

} // namespace signalbox::realdds
