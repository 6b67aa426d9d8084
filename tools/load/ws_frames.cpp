#include "tools/load/ws_frames.hpp"

#include <boost/beast/websocket/detail/hybi13.hpp>

namespace signalbox::load::ws {

std::string upgrade_request(std::string_view host, std::string_view target,
                            std::string_view protocol, std::string_view key) {
  std::string req;
  req.reserve(200);
  req.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ");
  req.append(host).append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
  req.append("Sec-WebSocket-Key: ").append(key);
  req.append("\r\nSec-WebSocket-Version: 13\r\n");
  if (!protocol.empty())
    req.append("Sec-WebSocket-Protocol: ").append(protocol).append("\r\n");
  req.append("\r\n");
  return req;
}

std::string expected_accept(std::string_view key) {
  boost::beast::websocket::detail::sec_ws_accept_type accept;
  boost::beast::websocket::detail::make_sec_ws_accept(accept,
                                                      {key.data(), key.size()});
  return {accept.data(), accept.size()};
}

namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

} // namespace

std::string check_upgrade_response(std::string_view head,
                                   std::string_view key) {
  auto eol = head.find("\r\n");
  auto status_line = head.substr(0, eol);
  if (status_line.substr(0, 12) != "HTTP/1.1 101")
    return "not a 101 answer: " + std::string{status_line};
  auto want = expected_accept(key);
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string_view::npos)
      end = head.size();
    auto line = head.substr(pos, end - pos);
    pos = end + 2;
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      continue;
    if (iequals(trim(line.substr(0, colon)), "sec-websocket-accept"))
      return trim(line.substr(colon + 1)) == want
                 ? std::string{}
                 : "wrong Sec-WebSocket-Accept";
  }
  return "no Sec-WebSocket-Accept";
}

server_frame parse_server_frame(std::string_view data) {
  server_frame f;
  if (data.size() < 2)
    return f;
  auto b0 = static_cast<uint8_t>(data[0]);
  auto b1 = static_cast<uint8_t>(data[1]);
  if ((b1 & 0x80) != 0 || (b0 & 0x70) != 0) {
    f.state = server_frame::status::invalid; // masked, or extension bits
    return f;
  }
  size_t header = 2;
  uint64_t length = b1 & 0x7F;
  if (length == 126) {
    if (data.size() < 4)
      return f;
    length = (uint64_t{static_cast<uint8_t>(data[2])} << 8) |
             static_cast<uint8_t>(data[3]);
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10)
      return f;
    length = 0;
    for (int i = 0; i < 8; ++i)
      length = (length << 8) | static_cast<uint8_t>(data[2 + i]);
    header = 10;
  }
  if (data.size() - header < length)
    return f;
  f.state = server_frame::status::complete;
  f.opcode = b0 & 0x0F;
  f.fin = (b0 & 0x80) != 0;
  f.payload = data.substr(header, static_cast<size_t>(length));
  f.consumed = header + static_cast<size_t>(length);
  return f;
}

void append_masked_frame(std::string& out, uint8_t opcode,
                         std::string_view payload, uint32_t mask) {
  out.reserve(out.size() + 14 + payload.size());
  out.push_back(static_cast<char>(0x80 | (opcode & 0x0F)));
  auto n = payload.size();
  if (n <= 125) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<char>((uint64_t{n} >> (8 * i)) & 0xFF));
  }
  char key[4] = {static_cast<char>(mask >> 24), static_cast<char>(mask >> 16),
                 static_cast<char>(mask >> 8), static_cast<char>(mask)};
  out.append(key, 4);
  for (size_t i = 0; i < n; ++i)
    out.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
}

std::string masked_frame(uint8_t opcode, std::string_view payload,
                         uint32_t mask) {
  std::string out;
  append_masked_frame(out, opcode, payload, mask);
  return out;
}

} // namespace signalbox::load::ws
