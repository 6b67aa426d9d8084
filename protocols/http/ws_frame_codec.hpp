// RFC 6455 framing, as a pure codec (no sockets, no actors): the server's
// frame headers, whole pre-framed frames, and an incremental parser of the
// frames a client sends.
//
// Why signalbox frames WebSockets itself instead of using Beast's stream:
// Beast writes one message per operation and answers pings and closes from
// inside its read operation, so a connection can never gather the frames
// queued for it into one writev, and a second writer on the same socket
// would interleave with Beast's. Owning the framing lets one queue carry data
// and control frames alike and lets a notification be framed once for every
// subscriber (docs/design.md, "Encode once").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.hpp"

namespace signalbox::http::ws {

enum class opcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// Close codes signalbox sends (RFC 6455 section 7.4.1).
namespace close_code {
constexpr uint16_t normal = 1000;
constexpr uint16_t going_away = 1001;
constexpr uint16_t protocol_error = 1002;
constexpr uint16_t no_status = 1005; // received only: a close without a code
constexpr uint16_t bad_payload = 1007;
constexpr uint16_t policy_error = 1008;
constexpr uint16_t too_big = 1009;
constexpr uint16_t internal_error = 1011;
} // namespace close_code

/// The longest frame header a server writes (no mask).
constexpr size_t max_header_bytes = 10;

/// The longest payload of a control frame (ping, pong, close).
constexpr size_t max_control_payload = 125;

/// Writes the header of a final, unmasked frame carrying `payload_size`
/// bytes into `out`; returns its length (2, 4 or 10).
size_t write_header(char* out, opcode op, uint64_t payload_size) noexcept;

/// A whole final, unmasked frame: header and payload in one buffer, so that
/// a frame written to many connections is framed once.
std::string make_frame(opcode op, std::string_view payload);

/// A close frame with `code` and `reason` (cut to fit 125 bytes on a UTF-8
/// character boundary). `code` no_status makes a close without a body.
std::string make_close_frame(uint16_t code, std::string_view reason);

/// Whether `bytes` is well-formed UTF-8, as RFC 6455 requires of text
/// messages (core/utf8.hpp).
using signalbox::valid_utf8;

/// Whether a peer may send `code` in a close frame (section 7.4).
bool valid_close_code(uint16_t code) noexcept;

/// Reads the frames of a client (which must mask them) and reassembles
/// fragmented messages. Feed it the bytes received so far with `parse`; it
/// unmasks them in place, so a single-frame message is handed out without a
/// copy.
class frame_parser {
public:
  enum class kind {
    need_more, // no complete frame yet: read more and call again
    frame,     // a fragment was consumed; nothing to hand out yet
    message,   // a complete text or binary message
    ping,      // answer with a pong carrying `payload`
    pong,
    close, // the peer's close: `code` (no_status if none) and `payload`
    error, // the connection must be failed with `code` and `reason`
  };

  struct event {
    kind what = kind::need_more;
    /// Bytes of the input this event consumed (0 for need_more and error).
    size_t consumed = 0;
    /// message: text or binary.
    opcode type = opcode::text;
    /// message, ping, pong, close (the reason): valid until the next call to
    /// parse and only while the input bytes are kept.
    std::string_view payload;
    /// close: the peer's code; error: the code to fail the connection with.
    uint16_t code = 0;
    /// error: why, for the close frame's reason.
    const char* reason = "";
  };

  /// `max_message_bytes`: the largest message (all fragments together); a
  /// larger one fails with 1009 as soon as its header says so.
  explicit frame_parser(size_t max_message_bytes) noexcept
      : max_message_(max_message_bytes) {}

  /// Parses at most one frame from the start of `data`.
  event parse(char* data, size_t size);

  /// While parsing a frame's header said it needs this many bytes in all;
  /// a hint for how much to read (0 when unknown).
  size_t bytes_wanted() const noexcept { return wanted_; }

private:
  size_t max_message_;
  size_t wanted_ = 0;
  bool in_message_ = false; // a fragmented message has begun
  opcode message_type_ = opcode::text;
  std::string assembled_; // the fragments of a message so far
  // Text: the bytes of assembled_ already known to be complete UTF-8
  // sequences, so that each fragment is checked once, as it arrives.
  size_t checked_ = 0;
};

} // namespace signalbox::http::ws
