// Test program: speaks the sd_notify protocol to $NOTIFY_SOCKET like
// sd_notify(3), step by step as told on the command line:
//   send:<payload>       one datagram; '|' in <payload> stands for '\n'
//   ping:<n>:<ms>        n datagrams WATCHDOG=1, one every <ms> milliseconds
//   barrier              BARRIER=1 with a pipe's write end attached (like
//                        sd_notify_barrier): waits until the receiver closed
//                        it; exits 70 when that takes longer than 5 s
//   print:<text>         a line on stdout
//   sleep:<ms>           waits
//   hang                 waits forever
//   exit:<code>          exits with <code>
// Exits 0 after the last step; 71 when NOTIFY_SOCKET is unset or unusable.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace {

int notify_fd = -1;
sockaddr_un notify_addr{};
socklen_t notify_len = 0;

bool open_notify_socket() {
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (env == nullptr || env[0] == '\0' ||
      std::strlen(env) >= sizeof(notify_addr.sun_path))
    return false;
  notify_addr.sun_family = AF_UNIX;
  std::string path = env;
  if (path[0] == '@') {
    notify_addr.sun_path[0] = '\0';
    std::memcpy(notify_addr.sun_path + 1, path.data() + 1, path.size() - 1);
    notify_len = offsetof(sockaddr_un, sun_path) + path.size();
  } else {
    std::memcpy(notify_addr.sun_path, path.data(), path.size());
    notify_len = offsetof(sockaddr_un, sun_path) + path.size() + 1;
  }
  notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  return notify_fd >= 0;
}

bool send_datagram(const std::string& payload, int fd_to_pass = -1) {
  iovec iov{const_cast<char*>(payload.data()), payload.size()};
  msghdr msg{};
  msg.msg_name = &notify_addr;
  msg.msg_namelen = notify_len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd_to_pass >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    auto* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
  }
  return sendmsg(notify_fd, &msg, MSG_NOSIGNAL) >= 0;
}

void sleep_ms(long ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds{ms});
}

// Like sd_notify_barrier(): the receiver has processed everything sent
// before once it has closed the write end we passed.
bool barrier() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return false;
  if (!send_datagram("BARRIER=1", fds[1]))
    return false;
  close(fds[1]);
  pollfd p{fds[0], 0, 0};
  int rc = poll(&p, 1, 5000);
  close(fds[0]);
  return rc == 1 && (p.revents & POLLHUP) != 0;
}

} // namespace

int main(int argc, char** argv) {
  if (!open_notify_socket())
    return 71;
  for (int i = 1; i < argc; ++i) {
    std::string step = argv[i];
    auto arg = step.substr(step.find(':') + 1);
    if (step.rfind("send:", 0) == 0) {
      for (auto& c : arg)
        if (c == '|')
          c = '\n';
      if (!send_datagram(arg))
        return 71;
    } else if (step.rfind("ping:", 0) == 0) {
      auto n = std::atoi(arg.c_str());
      auto ms = std::atol(arg.substr(arg.find(':') + 1).c_str());
      for (int k = 0; k < n; ++k) {
        if (!send_datagram("WATCHDOG=1"))
          return 71;
        sleep_ms(ms);
      }
    } else if (step == "barrier") {
      if (!barrier())
        return 70;
    } else if (step.rfind("print:", 0) == 0) {
      std::printf("%s\n", arg.c_str());
      std::fflush(stdout);
    } else if (step.rfind("sleep:", 0) == 0) {
      sleep_ms(std::atol(arg.c_str()));
    } else if (step == "hang") {
      for (;;)
        pause();
    } else if (step.rfind("exit:", 0) == 0) {
      return std::atoi(arg.c_str());
    } else {
      std::fprintf(stderr, "notify_client: unknown step '%s'\n", argv[i]);
      return 2;
    }
  }
  return 0;
}
