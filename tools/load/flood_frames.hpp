// The bytes of the load generator's flooders (scenario.hpp: a client that
// sends one cheap request as fast as the connection takes it) and the
// reading of what the node answers. Pure.
//
// A flooder writes from one buffer built before the run: its request, as it
// goes on the wire (a masked WebSocket frame, or the bare JSON on raw TCP),
// repeated back to back to 64 KiB, so that every write offers the kernel a
// full buffer and no request is built or allocated while flooding. A
// flooder that reads looks at only the first bytes of each reply: it tells
// replies from pushes by how they begin, and keeps a close frame's code and
// reason.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/load/scenario.hpp"

namespace signalbox::load {

/// The masking key of a flooder's frames. Masking protects proxies from
/// cache poisoning; against our own node a fixed key is as good, and it
/// lets one buffer of frames serve every flooder.
constexpr uint32_t flood_mask = 0x5a5a5a5a;

/// The JSON request a flooder of `interface` repeats.
std::string_view flood_request(flooder_interface interface);

/// How a reply to that request begins (pushes and other messages do not).
std::string_view flood_reply_prefix(flooder_interface interface);

/// Whether `interface` is a WebSocket one (its requests are frames).
bool flood_over_websocket(flooder_interface interface);

/// One request, as it goes on the wire, repeated.
struct flood_buffer {
  std::string bytes;       ///< whole requests back to back
  size_t request_size = 0; ///< bytes of one of them
};

/// `request` (as on the wire) repeated back to back to at least `min_bytes`
/// (at least once): the buffer holds whole requests only, so a writer
/// cycling through it is at a request boundary whenever its offset is a
/// multiple of request_size.
flood_buffer repeat_request(std::string_view request, size_t min_bytes);

/// The buffer a flooder of `interface` writes from: for WebSocket, the
/// request as a text frame masked with flood_mask.
flood_buffer make_flood_buffer(flooder_interface interface, size_t min_bytes);

/// Why the node ended a WebSocket: "ws <code> <reason>" from a close
/// frame's payload ("ws" alone when it has none).
std::string ws_close_reason(std::string_view close_payload);

/// Cuts a stream of server WebSocket frames, split anywhere across reads,
/// into frames, keeping only the first `kept` bytes of each payload (a
/// control frame's payload whole): a flooder reads megabytes of replies and
/// looks only at how each one begins, so nothing is assembled or copied
/// but those bytes.
class ws_frame_scanner {
public:
  static constexpr size_t kept = 125;

  struct frame {
    uint8_t opcode = 0;
    bool fin = false;
    uint64_t length = 0;   ///< of the whole payload
    std::string_view head; ///< its first min(length, kept) bytes
  };

  /// Consumes `bytes`, calling `on_frame(const frame&)` for every frame they
  /// complete, in order; the head is valid during the call only. Returns
  /// false (and ignores its input from then on) once a frame no server may
  /// send (masked, or with extension bits) broke the stream.
  template <class OnFrame>
  bool feed(std::string_view bytes, OnFrame&& on_frame) {
    while (!failed_ && !bytes.empty()) {
      bool done = false;
      bytes.remove_prefix(step(bytes, done));
      if (done)
        on_frame(frame{opcode_, fin_, length_, {head_.data(), head_used_}});
    }
    return !failed_;
  }

  bool failed() const { return failed_; }

private:
  /// Consumes bytes of the frame being read, up to its end; `done` when it
  /// ended. Returns how many bytes it took.
  size_t step(std::string_view bytes, bool& done);
  /// Header bytes needed, as far as the ones read so far tell.
  size_t header_size() const;
  void begin_payload();

  std::array<uint8_t, 10> header_{};
  size_t header_used_ = 0;
  bool in_payload_ = false;
  uint64_t remaining_ = 0;
  uint8_t opcode_ = 0;
  bool fin_ = false;
  uint64_t length_ = 0;
  std::array<char, kept> head_{};
  size_t head_used_ = 0;
  bool failed_ = false;
};

} // namespace signalbox::load
