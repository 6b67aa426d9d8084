// A realdds message in both of the node's formats, encoded once: JSON (the
// flexible default, the mirror's text frames) and CBOR (data_format CBOR,
// the mirror's binary frames). Pure.
#pragma once

#include <cstddef>
#include <string>

#include <rapidjson/document.h>

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

} // namespace signalbox::realdds
