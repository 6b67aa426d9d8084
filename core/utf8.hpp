// UTF-8 text for formats that must carry valid UTF-8 (JSON for strict
// parsers, CBOR text strings) when the bytes come from elsewhere, such as a
// job's output. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace signalbox {

/// The length of the well-formed UTF-8 sequence at the start of `bytes`
/// (1 to 4; no overlong forms, no surrogates, nothing above U+10FFFF), or
/// 0 when `bytes` does not start with one (or is empty).
size_t utf8_sequence_length(std::string_view bytes) noexcept;

/// Whether `bytes` is well-formed UTF-8 throughout (RFC 3629; what RFC 6455
/// requires of WebSocket text and RapidJSON's validation accepts).
bool valid_utf8(std::string_view bytes) noexcept;

/// For text that arrives in pieces (WebSocket fragments): the number of
/// leading bytes of `bytes` that form complete well-formed sequences, when
/// what follows them (at most 3 bytes) is the start of a sequence that more
/// bytes could still complete; nullopt when some byte can begin no
/// well-formed text whatever follows, so the text can be refused at once.
std::optional<size_t> utf8_complete_prefix(std::string_view bytes) noexcept;

/// `bytes` with each byte that starts no well-formed sequence replaced by
/// U+FFFD, the replacement character (one per byte); well-formed text
/// comes back unchanged.
std::string repaired_utf8(std::string_view bytes);

/// The largest n <= max such that `text` (well-formed UTF-8) cut after n
/// bytes still is: never inside a sequence.
size_t utf8_floor(std::string_view text, size_t max) noexcept;

} // namespace signalbox
