// A realdds message in both of the node's formats, encoded once: JSON (the
// flexible default, the mirror's text frames) and CBOR (data_format CBOR,
// the mirror's binary frames). Pure.
#pragma once

#include <cstddef>
#include <string>

#include <rapidjson/document.h>

#include "core/utf8.hpp"

namespace signalbox::realdds {

/// realdds' flexible messages carry at most this many bytes of data
/// (flexible.idl: sequence<octet, 4096>).
constexpr size_t max_message_bytes = 4096;

/// One message (a notification object or an array of them) in both
/// formats; `cbor` is always the CBOR of the value `json` names.
struct encoded {
  std::string json;
  std::string cbor;

  /// The larger of the two sizes: what a bound must hold for.
  size_t size() const {
    return json.size() > cbor.size() ? json.size() : cbor.size();
  }
};

/// `value` in both formats.
encoded encode(const rapidjson::Value& value);

/// The longest prefix of UTF-8 `text`, cut at a sequence boundary, for
/// which `fits(prefix)` holds (the empty one when none does), by bisection:
/// JSON escapes make a byte take one to six, so a message's size is no
/// fixed multiple of a text's length. For `text` itself not fitting.
template <class Fits>
std::string longest_fitting_prefix(const std::string& text, Fits fits) {
  auto prefix = [&text](size_t n) {
    return text.substr(0, utf8_floor(text, n));
  };
  size_t lo = 0;           // fits (or nothing does)
  size_t hi = text.size(); // does not fit
  while (hi - lo > 1) {
    auto mid = lo + (hi - lo) / 2;
    if (fits(prefix(mid)))
      lo = mid;
    else
      hi = mid;
  }
  return prefix(lo);
}

} // namespace signalbox::realdds
