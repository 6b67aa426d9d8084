// An encoded frame, built once and shared by every recipient: JMRI message
// frames, the Socket.IO relay's packets, and whatever a later protocol
// encodes once for many connections.
#pragma once

#include <memory>
#include <string>

namespace signalbox {

using shared_frame = std::shared_ptr<const std::string>;

/// Wraps an encoded frame for sharing.
inline shared_frame make_shared_frame(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

} // namespace signalbox
