#include "hal/unix_address.hpp"

#include <algorithm>
#include <cstddef>

namespace signalbox::hal {

std::optional<unix_address> parse_unix_address(const std::string& text) {
  unix_address a;
  a.sa.sun_family = AF_UNIX;
  if (text.size() < 2 || text.size() > sizeof(a.sa.sun_path) - 1)
    return std::nullopt;
  if (text[0] == '@') {
    // Abstract namespace: a leading NUL, then the name without terminator.
    a.sa.sun_path[0] = '\0';
    std::copy(text.begin() + 1, text.end(), a.sa.sun_path + 1);
    a.length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + text.size());
  } else {
    std::copy(text.begin(), text.end(), a.sa.sun_path);
    a.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) +
                                      text.size() + 1);
  }
  return a;
}

} // namespace signalbox::hal
