#include "core/base64.hpp"

#include <cstdint>

namespace signalbox {

namespace {

constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of a base64 digit, or -1.
int base64_value(char ch) {
  if (ch >= 'A' && ch <= 'Z')
    return ch - 'A';
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9')
    return ch - '0' + 52;
  if (ch == '+')
    return 62;
  if (ch == '/')
    return 63;
  return -1;
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t group = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += base64_alphabet[(group >> 18) & 0x3f];
    out += base64_alphabet[(group >> 12) & 0x3f];
    out += base64_alphabet[(group >> 6) & 0x3f];
    out += base64_alphabet[group & 0x3f];
  }
  auto rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t group = byte(i) << 16;
    out += base64_alphabet[(group >> 18) & 0x3f];
    out += base64_alphabet[(group >> 12) & 0x3f];
    out += "==";
  } else if (rest == 2) {
    uint32_t group = (byte(i) << 16) | (byte(i + 1) << 8);
    out += base64_alphabet[(group >> 18) & 0x3f];
    out += base64_alphabet[(group >> 12) & 0x3f];
    out += base64_alphabet[(group >> 6) & 0x3f];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // Strict RFC 4648: whole groups of four, '=' only as the padding of the
  // last group, and the unused bits of a padded group zero. Every client
  // (engine.io-client, Node's Buffer) writes this canonical form, and with
  // it decoding is the exact inverse of base64_encode.
  if (text.size() % 4 != 0)
    return std::nullopt;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=')
    padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    size_t digits = last ? 4 - padding : 4;
    uint32_t group = 0;
    for (size_t k = 0; k < 4; ++k) {
      int value = 0;
      if (k < digits) {
        value = base64_value(text[i + k]);
        if (value < 0)
          return std::nullopt;
      }
      group = (group << 6) | static_cast<uint32_t>(value);
    }
    out += static_cast<char>((group >> 16) & 0xff);
    if (digits >= 3)
      out += static_cast<char>((group >> 8) & 0xff);
    if (digits == 4)
      out += static_cast<char>(group & 0xff);
    // Bits that no output byte holds must be zero (canonical encoding).
    if ((digits == 2 && (group & 0xffff) != 0) ||
        (digits == 3 && (group & 0xff) != 0))
      return std::nullopt;
  }
  return out;
}

} // namespace signalbox
