// The realdds mirror's binary format: the same values as its JSON, in CBOR
// (RFC 8949), encoded with Debian's libcbor. realdds picks CBOR only by the
// `data_format` of a flexible message and writes it with nlohmann's
// to_cbor; this writes what a CBOR decoder (nlohmann's, npm's cbor-x)
// reads back as the same JSON value. Pure: no sockets, no actors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace signalbox::realdds {

/// Appends the CBOR encoding of `value`: definite lengths, map keys in
/// their JSON order, integers in their shortest form, a float in the
/// shortest of half, single or double that holds it exactly (half only
/// for normal halves: libcbor 0.8 rounds subnormal ones, so those go as
/// single).
void append_cbor(std::string& out, const rapidjson::Value& value);

/// CBOR heads and scalars, for messages composed from parts already
/// encoded (a `log` notification from its entries, an array of
/// notifications).
void append_cbor_array_head(std::string& out, size_t n);
void append_cbor_map_head(std::string& out, size_t n);
void append_cbor_uint(std::string& out, uint64_t u);
void append_cbor_text(std::string& out, std::string_view text);

/// The deepest nesting cbor_of_json takes.
constexpr size_t max_cbor_depth = 64;

/// The CBOR encoding of JSON text `json`; nullopt when it is not JSON (as
/// the node parses it: protocols/json) or nests deeper than
/// max_cbor_depth.
std::optional<std::string> cbor_of_json(std::string_view json);

/// The JSON text of one CBOR data item `cbor` (a control from a
/// realdds-cbor client); nullopt when the bytes are not exactly one item,
/// nest deeper than max_cbor_depth, or hold what JSON cannot say: byte
/// strings, tags, undefined, non-finite floats, non-text map keys, text
/// that is not UTF-8, or a negative integer below INT64_MIN.
std::optional<std::string> json_of_cbor(std::string_view cbor);

} // namespace signalbox::realdds
