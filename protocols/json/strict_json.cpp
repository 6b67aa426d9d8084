#include "protocols/json/strict_json.hpp"

#include <charconv>
#include <utility>
#include <vector>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
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

/// The text of every number of a JSON document, in document order.
struct number_texts
    : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, number_texts> {
  bool RawNumber(const char* str, rapidjson::SizeType n, bool) {
    spans.emplace_back(chars.size(), n);
    chars.append(str, n);
    return true;
  }
  bool Default() { return true; }

  std::string_view text(size_t k) const {
    return std::string_view{chars}.substr(spans[k].first, spans[k].second);
  }

  std::string chars;
  std::vector<std::pair<size_t, size_t>> spans;
};

template <unsigned Flags>
bool read_number_texts(std::string_view text, number_texts& out) {
  rapidjson::MemoryStream stream{text.data(), text.size()};
  rapidjson::Reader reader;
  constexpr unsigned flags = Flags | rapidjson::kParseIterativeFlag |
                             rapidjson::kParseNumbersAsStringsFlag;
  return !reader.Parse<flags>(stream, out).IsError();
}

/// Calls `visit` on every value of `root` in document order (the order a
/// SAX reader meets them), without recursion: documents may nest deeply.
template <class Visit>
void each_value(rapidjson::Value& root, Visit&& visit) {
  std::vector<rapidjson::Value*> todo{&root};
  while (!todo.empty()) {
    auto* v = todo.back();
    todo.pop_back();
    visit(*v);
    if (v->IsArray()) {
      for (auto it = v->End(); it != v->Begin();)
        todo.push_back(--it);
    } else if (v->IsObject()) {
      for (auto it = v->MemberEnd(); it != v->MemberBegin();)
        todo.push_back(&(--it)->value);
    }
  }
}

} // namespace

void round_floats_exactly(rapidjson::Value& root, std::string_view text,
                          bool nan_and_inf) {
  bool has_float = false;
  each_value(root, [&](rapidjson::Value& v) { has_float |= v.IsDouble(); });
  if (!has_float)
    return;
  number_texts numbers;
  bool read =
      nan_and_inf
          ? read_number_texts<rapidjson::kParseNanAndInfFlag>(text, numbers)
          : read_number_texts<0>(text, numbers);
  if (!read)
    return;
  size_t k = 0;
  each_value(root, [&](rapidjson::Value& v) {
    if (!v.IsNumber() || k >= numbers.spans.size())
      return;
    auto number = numbers.text(k++);
    if (!v.IsDouble())
      return;
    double exact = 0;
    auto [end, ec] =
        std::from_chars(number.data(), number.data() + number.size(), exact);
    // Out of range (an overflow or underflow) keeps RapidJSON's infinity
    // or zero; NaN and Infinity are read by from_chars too.
    if (ec == std::errc{} && end == number.data() + number.size())
      v.SetDouble(exact);
  });
}

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
