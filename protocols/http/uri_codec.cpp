#include "protocols/http/uri_codec.hpp"

#include <cctype>

namespace signalbox::http {

namespace {

int hex_value(char c) {
  auto u = static_cast<unsigned char>(c);
  if (std::isdigit(u))
    return c - '0';
  return std::tolower(u) - 'a' + 10;
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

} // namespace

bool percent_decode(const std::string& in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || !is_hex(in[i + 1]) || !is_hex(in[i + 2]))
      return false;
    out.push_back(
        static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
    i += 2;
  }
  return true;
}

bool split_target(const std::string& target, std::vector<std::string>& path,
                  std::string& query) {
  auto qpos = target.find('?');
  auto raw = target.substr(0, qpos);
  query = qpos == std::string::npos ? "" : target.substr(qpos + 1);
  size_t pos = 0;
  while (pos < raw.size()) {
    if (raw[pos] == '/') {
      ++pos;
      continue;
    }
    auto end = raw.find('/', pos);
    if (end == std::string::npos)
      end = raw.size();
    std::string segment;
    if (!percent_decode(raw.substr(pos, end - pos), segment))
      return false;
    path.push_back(std::move(segment));
    pos = end;
  }
  return true;
}

std::string query_param(const std::string& query, const std::string& name) {
  size_t pos = 0;
  while (pos <= query.size()) {
    auto end = query.find('&', pos);
    if (end == std::string::npos)
      end = query.size();
    auto item = query.substr(pos, end - pos);
    auto eq = item.find('=');
    if (item.substr(0, eq) == name) {
      std::string value;
      if (eq != std::string::npos && percent_decode(item.substr(eq + 1), value))
        return value;
      return {};
    }
    pos = end + 1;
  }
  return {};
}

} // namespace signalbox::http
