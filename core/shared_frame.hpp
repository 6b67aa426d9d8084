// An encoded frame, built once and shared by every recipient: JMRI message
// frames, the Socket.IO relay's packets, and whatever a later protocol
// encodes once for many connections.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace signalbox {

using shared_frame = std::shared_ptr<const std::string>;

/// Frames for one recipient, sent as one message: a producer that has
/// several frames for a connection at once (an RTOC request's samples)
/// wakes it once, and the connection writes them with one system call.
using shared_frames = std::vector<shared_frame>;

/// Wraps an encoded frame for sharing.
inline shared_frame make_shared_frame(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

} // namespace signalbox
