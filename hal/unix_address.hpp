// Unix socket addresses as sd_notify(3) writes them: "@name" for the
// abstract namespace, anything else a file system path. Shared by the jobs'
// notify sockets (process.cpp) and the node's own (service_manager.cpp).
#pragma once

#include <optional>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>

namespace signalbox::hal {

struct unix_address {
  sockaddr_un sa{};
  socklen_t length = 0;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&sa); }
};

/// The address for `text`, or nullopt when it is empty or does not fit
/// sun_path.
std::optional<unix_address> parse_unix_address(const std::string& text);

} // namespace signalbox::hal
