#include "hal/sd_notify.hpp"

namespace signalbox::hal {

namespace {

// Parses a non-empty run of decimal digits that fits into 64 bits.
std::optional<uint64_t> parse_u64(std::string_view str) {
  if (str.empty())
    return std::nullopt;
  uint64_t result = 0;
  for (auto c : str) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (result > (UINT64_MAX - digit) / 10)
      return std::nullopt;
    result = result * 10 + digit;
  }
  return result;
}

void apply(std::string_view assignment, sd_notify_message& msg) {
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos)
    return;
  auto key = assignment.substr(0, eq);
  auto value = assignment.substr(eq + 1);
  if (key == "READY") {
    if (value == "1")
      msg.ready = true;
  } else if (key == "WATCHDOG") {
    if (value == "1")
      msg.watchdog_ping = true;
    else if (value == "trigger")
      msg.watchdog_trigger = true;
  } else if (key == "WATCHDOG_USEC") {
    if (auto usec = parse_u64(value))
      msg.watchdog_usec = usec;
  } else if (key == "STATUS") {
    if (is_valid_utf8(value))
      msg.status = std::string{value};
  }
}

} // namespace

std::optional<sd_notify_message> parse_sd_notify(std::string_view datagram) {
  if (datagram.find('\0') != std::string_view::npos)
    return std::nullopt;
  sd_notify_message msg;
  while (!datagram.empty()) {
    auto nl = datagram.find('\n');
    apply(datagram.substr(0, nl), msg);
    if (nl == std::string_view::npos)
      break;
    datagram.remove_prefix(nl + 1);
  }
  return msg;
}

bool is_valid_utf8(std::string_view str) {
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(str[k]); };
  while (i < str.size()) {
    auto c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0; // no overlong forms
    } else if (c == 0xED) {
      len = 3, hi = 0x9F; // no UTF-16 surrogates
    } else if (c >= 0xE1 && c <= 0xEF) {
      len = 3;
    } else if (c == 0xF0) {
      len = 4, lo = 0x90; // no overlong forms
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F; // nothing above U+10FFFF
    } else {
      return false;
    }
    if (i + len > str.size())
      return false;
    if (byte(i + 1) < lo || byte(i + 1) > hi)
      return false;
    for (size_t k = 2; k < len; ++k)
      if ((byte(i + k) & 0xC0) != 0x80)
        return false;
    i += len;
  }
  return true;
}

} // namespace signalbox::hal
