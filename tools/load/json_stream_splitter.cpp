#include "tools/load/json_stream_splitter.hpp"

namespace signalbox::load {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

json_stream_splitter::piece json_stream_splitter::scan(std::string_view bytes,
                                                       size_t pos) {
  size_t i = pos;
  if (depth_ == 0) {
    while (i < bytes.size() && is_space(bytes[i]))
      ++i;
    if (i == bytes.size())
      return {i, i, false};
    if (bytes[i] != '{' && bytes[i] != '[') {
      // Without a bracket to count there is no telling where a value ends,
      // and the node only ever writes objects (and lists).
      fail(std::string{"unexpected '"} + bytes[i] + "' between values");
      return {i, i, false};
    }
  }
  size_t begin = i;
  for (; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (in_string_) {
      if (escaped_)
        escaped_ = false;
      else if (c == '\\')
        escaped_ = true;
      else if (c == '"')
        in_string_ = false;
      continue;
    }
    switch (c) {
    case '"':
      in_string_ = true;
      break;
    case '{':
    case '[':
      ++depth_;
      break;
    case '}':
    case ']':
      if (--depth_ == 0)
        return {begin, i + 1, true};
      break;
    default:
      break;
    }
  }
  return {begin, i, false};
}

} // namespace signalbox::load
