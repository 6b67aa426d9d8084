#include "core/host_port.hpp"

namespace signalbox {

namespace {

std::optional<uint16_t> parse_port(std::string_view digits) {
  if (digits.empty() || digits.size() > 5)
    return std::nullopt;
  uint32_t port = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(port);
}

} // namespace

std::optional<host_port> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    host = text.substr(1, close - 1);
    rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':')
      return std::nullopt;
    rest.remove_prefix(1);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return std::nullopt;
    host = text.substr(0, colon);
    rest = text.substr(colon + 1);
    // An unbracketed IPv6 address is ambiguous: "::1:4100".
    if (host.find(':') != std::string_view::npos)
      return std::nullopt;
  }
  if (host.empty())
    return std::nullopt;
  for (char c : host)
    if (static_cast<unsigned char>(c) <= ' ' || c == '[' || c == ']')
      return std::nullopt;
  auto port = parse_port(rest);
  if (!port)
    return std::nullopt;
  return host_port{std::string{host}, *port};
}

std::string to_string(const host_port& x) {
  auto port = std::to_string(x.port);
  if (x.host.find(':') != std::string::npos)
    return "[" + x.host + "]:" + port;
  return x.host + ":" + port;
}

} // namespace signalbox
