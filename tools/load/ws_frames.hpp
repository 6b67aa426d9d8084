// The client's side of RFC 6455 framing, for the load generator's ttmnotify
// subscribers: the upgrade request, the server's (unmasked) frames, and the
// masked frames a client answers with. A subscriber reads many frames per
// read and parses them in place, so that the generator can take several
// times the frames per second Beast's one-message-per-read client stream
// manages on one core, and its own cost does not hide the server's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace signalbox::load::ws {

/// The GET request that opens a WebSocket at `target` on `host`, offering
/// `protocol`, with `key` as Sec-WebSocket-Key.
std::string upgrade_request(std::string_view host, std::string_view target,
                            std::string_view protocol, std::string_view key);

/// What the server must answer in Sec-WebSocket-Accept for `key`.
std::string expected_accept(std::string_view key);

/// Checks a complete response head (up to and including the blank line):
/// empty when it is a 101 with the expected accept value, else why not.
std::string check_upgrade_response(std::string_view head, std::string_view key);

struct server_frame {
  enum class status { incomplete, complete, invalid };
  status state = status::incomplete;
  uint8_t opcode = 0;
  bool fin = false;
  std::string_view payload;
  size_t consumed = 0;
};

/// Parses one server frame from the start of `data` (servers never mask).
server_frame parse_server_frame(std::string_view data);

/// Appends a masked client frame (FIN set) to `out`: a client queueing
/// many frames allocates only while `out` grows.
void append_masked_frame(std::string& out, uint8_t opcode,
                         std::string_view payload, uint32_t mask);

/// A masked client frame (FIN set) with `mask` as its masking key.
std::string masked_frame(uint8_t opcode, std::string_view payload,
                         uint32_t mask);

} // namespace signalbox::load::ws
