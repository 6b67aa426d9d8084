#include "hal/service_manager.hpp"

#include <cstdlib>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace signalbox::hal {

namespace {

std::optional<std::string> take_variable(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr)
    return std::nullopt;
  std::string result{value};
  ::unsetenv(name);
  return result;
}

std::optional<uint64_t> positive_number(const std::optional<std::string>& s) {
  if (!s || s->empty())
    return std::nullopt;
  char* end = nullptr;
  auto n = std::strtoull(s->c_str(), &end, 10);
  if (*end != '\0' || n == 0)
    return std::nullopt;
  return n;
}

} // namespace

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (stream == nullptr || ::fstat(STDERR_FILENO, &st) != 0)
    return false;
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) == stream;
}

service_manager service_manager::from_environment() {
  service_manager result;
  auto socket_path = take_variable("NOTIFY_SOCKET");
  auto usec = positive_number(take_variable("WATCHDOG_USEC"));
  auto pid = positive_number(take_variable("WATCHDOG_PID"));
  if (!socket_path)
    return result;
  auto address = parse_unix_address(*socket_path);
  if (!address)
    return result;
  unique_fd fd{::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (!fd)
    return result;
  result.fd_ = std::move(fd);
  result.address_ = *address;
  // The watchdog is meant for the main process only (WATCHDOG_PID).
  if (usec && (!pid || *pid == static_cast<uint64_t>(::getpid())))
    result.watchdog_ = std::chrono::microseconds{*usec};
  return result;
}

void service_manager::notify(std::string_view assignments) const {
  if (!enabled())
    return;
  ::sendto(fd_.get(), assignments.data(), assignments.size(), MSG_NOSIGNAL,
           address_.get(), address_.length);
}

} // namespace signalbox::hal
