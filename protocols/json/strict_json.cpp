#include "protocols/json/strict_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace signalbox::json {

namespace {

/// The value of the four hex digits at `pos`, or -1.
long hex4(std::string_view text, size_t pos) {
  if (pos + 4 > text.size())
    return -1;
  long value = 0;
  for (size_t k = pos; k < pos + 4; ++k) {
    char ch = text[k];
    int digit = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : -1;
    if (digit < 0)
      return -1;
    value = value * 16 + digit;
  }
  return value;
}

} // namespace

size_t nesting_depth(std::string_view json) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char ch : json) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (ch == '\\')
        escaped = true;
      else if (ch == '"')
        in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      if (++depth > deepest)
        deepest = depth;
    } else if ((ch == '}' || ch == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

bool has_lone_low_surrogate(std::string_view text) {
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (!in_string) {
      in_string = ch == '"';
      continue;
    }
    if (ch == '"') {
      in_string = false;
      continue;
    }
    if (ch != '\\' || i + 1 >= text.size())
      continue;
    if (text[i + 1] != 'u') {
      ++i; // a one-character escape, e.g. \" or \\ (backslash)
      continue;
    }
    auto code = hex4(text, i + 2);
    i += 5;
    if (code >= 0xd800 && code <= 0xdbff) {
      // RapidJSON made sure a low surrogate escape follows: skip it.
      i += 6;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return true;
    }
  }
  return false;
}

std::string unparsable_for_rapidjson(std::string_view text) {
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    return "NUL byte at offset " + std::to_string(nul);
  if (has_lone_low_surrogate(text))
    return "lone surrogate escape";
  return {};
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  value.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

} // namespace signalbox::json
