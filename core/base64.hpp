// Base64 (RFC 4648, standard alphabet, with padding): Engine.IO's binary
// packets and ids, RTOC's AES frames and password hash. Pure; strict on
// input, so that decoding is the exact inverse of encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace signalbox {

std::string base64_encode(std::string_view bytes);

/// Decodes canonical base64: whole groups of four, '=' only as the padding
/// of the last group, the unused bits of a padded group zero; nothing on
/// anything else (whitespace included).
std::optional<std::string> base64_decode(std::string_view text);

} // namespace signalbox
