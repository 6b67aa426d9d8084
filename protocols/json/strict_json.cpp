#include "protocols/json/strict_json.hpp"

#include <charconv>
#include <cstdint>
#include <utility>
#include <vector>

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

/// Whether RapidJSON 1.1's normal-precision parser reads number `token`
/// exactly. It gathers the digits into an integer S while S stays below
/// 2^53, turns S into a double and multiplies or divides that once by
/// 10^|p| from a table. That is correctly rounded when every digit went
/// into S, S is a double exactly and 10^|p| is (|p| <= 22): Clinger's fast
/// path. NaN and Infinity are exact too. Anything else may be off.
bool read_exactly_by_rapidjson(std::string_view token) {
  constexpr uint64_t fast_path_limit = (uint64_t{1} << 53) - 1;
  size_t i = 0;
  if (i < token.size() && token[i] == '-')
    ++i;
  if (i < token.size() && (token[i] == 'N' || token[i] == 'I'))
    return true;
  uint64_t significand = 0;
  long fraction = 0; // digits after the point
  bool after_point = false;
  for (; i < token.size(); ++i) {
    char c = token[i];
    if (c == '.') {
      after_point = true;
      continue;
    }
    if (c < '0' || c > '9')
      break; // 'e' or 'E'
    if (significand > fast_path_limit)
      return false; // this digit would not go into S
    significand = significand * 10 + static_cast<uint64_t>(c - '0');
    if (after_point)
      ++fraction;
  }
  long exponent = 0;
  if (i < token.size()) {
    ++i;
    bool negative = i < token.size() && token[i] == '-';
    if (i < token.size() && (token[i] == '-' || token[i] == '+'))
      ++i;
    for (; i < token.size() && exponent < 100000; ++i)
      exponent = exponent * 10 + (token[i] - '0');
    if (negative)
      exponent = -exponent;
  }
  auto power = exponent - fraction;
  // S < 2^57 here, so the round trip through double is defined.
  bool exact_double =
      static_cast<uint64_t>(static_cast<double>(significand)) == significand;
  return exact_double && power >= -22 && power <= 22;
}

/// Calls `visit(k, token)` for the k-th number token of valid JSON `text`
/// (NaN and Infinity included), in document order: a lexical scan, which
/// is all valid JSON needs (strings are skipped, escapes and all).
template <class Visit>
void each_number_token(std::string_view text, Visit&& visit) {
  size_t k = 0;
  size_t i = 0;
  auto n = text.size();
  while (i < n) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < n && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      ++i;
    } else if (c == '-' || (c >= '0' && c <= '9') || c == 'N' || c == 'I') {
      auto start = i;
      // A number ends at whitespace, ',', ']' or '}'; only NaN, Infinity
      // and exponents have letters.
      while (++i < n && text[i] != ',' && text[i] != ']' && text[i] != '}' &&
             text[i] != ' ' && text[i] != '\n' && text[i] != '\r' &&
             text[i] != '\t') {
      }
      visit(k++, text.substr(start, i - start));
    } else {
      ++i;
    }
  }
}

/// Calls `visit` on the values of `root` in document order (the order a
/// SAX reader meets them) until it answers false, without recursion:
/// documents may nest deeply.
template <class Visit>
void each_value(rapidjson::Value& root, Visit&& visit) {
  std::vector<rapidjson::Value*> todo{&root};
  while (!todo.empty()) {
    auto* v = todo.back();
    todo.pop_back();
    if (!visit(*v))
      return;
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

void round_floats_exactly(rapidjson::Value& root, std::string_view text) {
  bool has_float = false;
  each_value(root, [&](rapidjson::Value& v) {
    has_float = v.IsDouble();
    return !has_float; // the first float is enough
  });
  if (!has_float)
    return; // integers, as RTOC writers of counters send: RapidJSON's exact
  // The number tokens RapidJSON may have read inexactly, by their index
  // among all numbers; usually none, and then the document is not walked.
  std::vector<std::pair<size_t, std::string_view>> inexact;
  each_number_token(text, [&](size_t k, std::string_view token) {
    if (!read_exactly_by_rapidjson(token))
      inexact.emplace_back(k, token);
  });
  if (inexact.empty())
    return;
  size_t k = 0;
  auto next = inexact.begin();
  each_value(root, [&](rapidjson::Value& v) {
    if (!v.IsNumber())
      return true;
    if (k++ != next->first)
      return true;
    auto token = (next++)->second;
    if (!v.IsDouble())
      return next != inexact.end(); // an integer: RapidJSON's exact one
    double exact = 0;
    auto end = token.data() + token.size();
    auto [stop, ec] = std::from_chars(token.data(), end, exact);
    // Out of range (an underflow) keeps RapidJSON's zero.
    if (ec == std::errc{} && stop == end)
      v.SetDouble(exact);
    return next != inexact.end(); // the walk ends with the last to set
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
