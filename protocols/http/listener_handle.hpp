// A running listener, as the node sees it: where it is bound, and how to
// stop it. Beast-free, so app/ and actors/ can hold one.
#pragma once

#include <cstdint>
#include <string>

namespace signalbox {

class listener_handle {
public:
  virtual ~listener_handle() = default;

  /// The service name of the listening line ("ttm", "jmri", ...).
  virtual std::string service() const = 0;

  /// The bound address and port (the real port when configured as 0).
  virtual std::string address() const = 0;
  virtual uint16_t port() const = 0;

  /// Stops accepting and closes every connection (WebSockets with 1001).
  /// Thread-safe.
  virtual void stop() = 0;

  /// Open connections right now.
  virtual size_t connections() const = 0;
};

} // namespace signalbox
