// How a persistent shared value is kept in the store's "values" table: the
// key is the value's key, the record a small versioned JSON object. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/messages.hpp"

namespace signalbox::value_records {

/// `{"v":1,"value":"..","notify":true,"provider":".."}`.
std::string encode(const value_info& x);

/// Decodes a record of `key`; nullopt when the record is not one this
/// version understands.
std::optional<value_info> decode(const std::string& key,
                                 std::string_view record);

} // namespace signalbox::value_records
