// Test program: ignores SIGTERM, so that only the SIGKILL after the stop
// grace period ends it. Once SIGTERM is ignored it prints "ignoring SIGTERM"
// and, when $NOTIFY_SOCKET is set, sends READY=1 there (a minimal
// sd_notify), so that a notify job is "running" only when stopping it is
// meaningful.
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

void notify_ready() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  sockaddr_un sa{};
  if (path == nullptr || path[0] == '\0' ||
      std::strlen(path) >= sizeof(sa.sun_path))
    return;
  sa.sun_family = AF_UNIX;
  std::strcpy(sa.sun_path, path);
  auto len = offsetof(sockaddr_un, sun_path) + std::strlen(path) + 1;
  if (path[0] == '@') {
    sa.sun_path[0] = '\0'; // abstract: no terminating NUL in the length
    --len;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  sendto(fd, "READY=1", 7, 0, reinterpret_cast<sockaddr*>(&sa),
         static_cast<socklen_t>(len));
  close(fd);
}

} // namespace

int main() {
  std::signal(SIGTERM, SIG_IGN);
  std::puts("ignoring SIGTERM");
  std::fflush(stdout);
  notify_ready();
  for (;;)
    pause();
}
