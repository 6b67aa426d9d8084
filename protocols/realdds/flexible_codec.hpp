// realdds' `flexible` message (flexible.idl) as it travels in a DDS sample:
// its CDR encoding, and the GUID text realdds prints in a reply's `sample`.
// Pure: the DDS type support (dds_link.cpp) and the tests use it.
//
//   enum flexible_data_format { JSON, CBOR, CUSTOM };      // uint32 in CDR
//   struct flexible { flexible_data_format data_format;
//                     octet version[4];
//                     sequence<octet, 4096> data; };
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signalbox::realdds {

/// The type name realdds registers; a reader matches only this name.
constexpr const char* flexible_type_name = "realdds::topics::raw::flexible";

enum class data_format : uint32_t { json = 0, cbor = 1, custom = 2 };

/// A decoded sample: views into the serialized bytes.
struct flexible_view {
  data_format format = data_format::json;
  std::array<uint8_t, 4> version = {};
  std::string_view data;
};

/// CDR bytes of a flexible sample, encapsulation header included (4 bytes
/// of header, 4 of format, 4 of version, 4 of length, then the data).
constexpr size_t flexible_overhead = 16;

/// Writes the sample (little-endian CDR, version 0) into `out`, which must
/// hold flexible_overhead + data.size() bytes; returns the bytes written.
size_t write_flexible(data_format format, std::string_view data, char* out);

/// Reads a sample (either endianness); nothing when the bytes are no valid
/// flexible sample (short, an unknown encapsulation, a length past the end
/// or past `max_data`).
std::optional<flexible_view> read_flexible(std::string_view bytes,
                                           size_t max_data);

/// A DDS GUID as realdds prints it (dds-guid.cpp, print_raw_guid): for
/// eProsima's vendor id, "<prefix bytes 2..7 in hex>.<bytes 8..11 as a
/// little-endian number in hex>", else the 24 hex digits of the prefix;
/// then "." and the entity id in hex.
std::string guid_text(const std::array<uint8_t, 12>& prefix,
                      const std::array<uint8_t, 4>& entity);

} // namespace signalbox::realdds
