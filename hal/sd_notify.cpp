#include "hal/sd_notify.hpp"

#include "core/utf8.hpp"

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
    if (valid_utf8(value))
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

} // namespace signalbox::hal
