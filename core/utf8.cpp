#include "core/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace signalbox {

size_t utf8_sequence_length(std::string_view bytes) noexcept {
  if (bytes.empty())
    return 0;
  auto at = [&bytes](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  uint8_t c = at(0);
  if (c < 0x80)
    return 1;
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0; // overlong
    else if (c == 0xED)
      hi = 0x9F; // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90; // overlong
    else if (c == 0xF4)
      hi = 0x8F; // above U+10FFFF
  } else {
    return 0; // a continuation byte, C0/C1 overlongs, F5..FF
  }
  if (bytes.size() < n || at(1) < lo || at(1) > hi)
    return 0;
  for (size_t i = 2; i < n; ++i)
    if ((at(i) & 0xC0) != 0x80)
      return 0;
  return n;
}

namespace {

/// Whether `rest` (shorter than its lead byte says) is the start of a
/// well-formed sequence: the lead byte's own range for the second byte,
/// continuation bytes after it.
bool could_complete(std::string_view rest) noexcept {
  auto at = [&rest](size_t i) { return static_cast<uint8_t>(rest[i]); };
  uint8_t c = at(0);
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return false;
  }
  if (rest.size() >= n)
    return false; // long enough to be judged whole: it was not well-formed
  if (rest.size() >= 2 && (at(1) < lo || at(1) > hi))
    return false;
  for (size_t i = 2; i < rest.size(); ++i)
    if ((at(i) & 0xC0) != 0x80)
      return false;
  return true;
}

} // namespace

std::optional<size_t> utf8_complete_prefix(std::string_view bytes) noexcept {
  size_t done = 0;
  while (done < bytes.size()) {
    auto n = utf8_sequence_length(bytes.substr(done));
    if (n == 0)
      return could_complete(bytes.substr(done)) ? std::optional<size_t>{done}
                                                : std::nullopt;
    done += n;
  }
  return done;
}

bool valid_utf8(std::string_view bytes) noexcept {
  while (!bytes.empty()) {
    // ASCII runs are the common case: skip eight bytes at a time.
    if (bytes.size() >= 8) {
      uint64_t chunk;
      std::memcpy(&chunk, bytes.data(), 8);
      if ((chunk & 0x8080808080808080ull) == 0) {
        bytes.remove_prefix(8);
        continue;
      }
    }
    auto n = utf8_sequence_length(bytes);
    if (n == 0)
      return false;
    bytes.remove_prefix(n);
  }
  return true;
}

std::string repaired_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    auto n = utf8_sequence_length(bytes);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      n = 1;
    } else {
      out.append(bytes.data(), n);
    }
    bytes.remove_prefix(n);
  }
  return out;
}

size_t utf8_floor(std::string_view text, size_t max) noexcept {
  if (max >= text.size())
    return text.size();
  // Back off continuation bytes (10xxxxxx): the cut then lands before the
  // start byte of the sequence it would have split.
  while (max > 0 && (static_cast<uint8_t>(text[max]) & 0xC0) == 0x80)
    --max;
  return max;
}

} // namespace signalbox
