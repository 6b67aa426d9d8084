#include "hal/process_monitor.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "hal/line_splitter.hpp"

namespace asio = boost::asio;

namespace signalbox::hal {

namespace {

// At most this many bytes per pipe are read after the process ended: a
// process that escaped the group could otherwise keep the drain busy.
constexpr size_t max_drain_bytes = 1024 * 1024;

// Output bytes read per wake-up before yielding to other work on the loop.
constexpr size_t max_bytes_per_wakeup = 64 * 1024;

// Datagrams handled per wake-up before yielding to other work on the loop.
constexpr int max_datagrams_per_wakeup = 64;

// The largest number of descriptors one SCM_RIGHTS message can carry
// (the kernel's SCM_MAX_FD).
constexpr size_t max_fds_per_message = 253;

using descriptor = asio::posix::stream_descriptor;
using strand_type = asio::strand<asio::io_context::executor_type>;

// One output pipe: its descriptor, read buffer and line splitter.
struct output_channel {
  output_channel(const strand_type& strand, unique_fd fd, std::string name,
                 size_t max_line_bytes)
      : desc(strand, fd.release()), name(std::move(name)),
        splitter(max_line_bytes) {}

  descriptor desc;
  std::string name; // "stdout" or "stderr"
  line_splitter splitter;
  std::array<char, 4096> buf;
  bool open = true;
  bool paused = false; // not read for now: too much output in flight
};

} // namespace

struct process_monitor::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, spawned_process proc, unique_fd notify_socket,
       size_t max_line_bytes, process_sinks sinks)
      : strand(asio::make_strand(io)), pid(proc.pid),
        pidfd(strand, proc.pidfd.release()),
        out(strand, std::move(proc.stdout_fd), "stdout", max_line_bytes),
        err(strand, std::move(proc.stderr_fd), "stderr", max_line_bytes),
        notify(strand), sinks(std::move(sinks)) {
    if (notify_socket)
      notify.assign(notify_socket.release());
  }

  ~impl() {
    // Only reached without a reap when the io_context dropped our handlers
    // (the node is going away): take the run down with us rather than
    // leave an unsupervised process behind.
    if (!reaped)
      ::kill(-pid, SIGKILL);
  }

  void begin() {
    wait_for_exit();
    read(out);
    read(err);
    if (notify.is_open())
      wait_for_datagrams();
  }

  void wait_for_exit() {
    pidfd.async_wait(descriptor::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       if (!ec)
                         self->on_exit();
                       // operation_aborted: only at io_context shutdown.
                     });
  }

  // Waits until the pipe is readable, then reads on the strand. (Waiting
  // instead of async_read_some keeps every read on the strand: a reactor
  // thread never reads concurrently with the drain at exit.)
  void read(output_channel& ch) {
    ch.desc.async_wait(
        descriptor::wait_read,
        [self = shared_from_this(), &ch](boost::system::error_code ec) {
          if (self->finished)
            return; // the exit drained and closed everything already
          if (ec) {
            self->close(ch);
            return;
          }
          switch (self->pump(ch, max_bytes_per_wakeup, true)) {
          case pump_result::more:
            self->read(ch);
            break;
          case pump_result::paused:
            self->pause(ch);
            break;
          case pump_result::end:
            self->close(ch);
            break;
          }
        });
  }

  enum class pump_result { more, paused, end };

  // Reads what the pipe holds right now, at most `limit` bytes, one buffer
  // at a time. With `flow_control`, stops (`paused`) while too much output
  // is in flight. Answers `end` at EOF or on an error, `more` otherwise.
  pump_result pump(output_channel& ch, size_t limit, bool flow_control) {
    size_t total = 0;
    while (total < limit) {
      if (flow_control && in_flight.load() >= max_output_in_flight)
        return pump_result::paused;
      auto n = ::read(ch.desc.native_handle(), ch.buf.data(), ch.buf.size());
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return pump_result::more;
      if (n <= 0)
        return pump_result::end;
      total += static_cast<size_t>(n);
      deliver(ch, std::string_view{ch.buf.data(), static_cast<size_t>(n)});
    }
    return pump_result::more;
  }

  void deliver(output_channel& ch, std::string_view bytes) {
    for (auto& line : ch.splitter.feed(bytes))
      emit(ch, std::move(line));
  }

  void emit(output_channel& ch, std::string line) {
    in_flight += output_cost(line);
    sinks.output(ch.name, std::move(line));
  }

  // Stops reading `ch` until enough output has been consumed. The flag is
  // set before in_flight is looked at again, and consumed() lowers in_flight
  // before it looks at the flag: one of the two sees the other, so a resume
  // is never lost.
  void pause(output_channel& ch) {
    ch.paused = true;
    paused.store(true);
    if (in_flight.load() < max_output_in_flight / 2)
      resume();
  }

  void resume() {
    paused.store(false);
    for (auto* ch : {&out, &err}) {
      if (ch->paused && ch->open && !finished) {
        ch->paused = false;
        read(*ch);
      }
    }
  }

  void consumed(size_t cost) {
    auto now = in_flight.fetch_sub(cost) - cost;
    if (now < max_output_in_flight / 2 && paused.exchange(false))
      asio::post(strand, [self = shared_from_this()] { self->resume(); });
  }

  // At EOF (or a read error): the last line without '\n' still counts.
  void close(output_channel& ch) {
    if (!ch.open)
      return;
    ch.open = false;
    if (auto line = ch.splitter.finish())
      emit(ch, std::move(*line));
    boost::system::error_code ignored;
    ch.desc.close(ignored);
  }

  // At exit: reads what the pipe still holds (bounded: a writer that left
  // the process group could keep it busy), then closes it.
  void drain(output_channel& ch) {
    if (ch.open)
      pump(ch, max_drain_bytes, false);
    close(ch);
  }

  void wait_for_datagrams() {
    notify.async_wait(descriptor::wait_read, [self = shared_from_this()](
                                                 boost::system::error_code ec) {
      if (ec || self->finished)
        return;
      self->receive_datagrams(max_datagrams_per_wakeup);
      self->wait_for_datagrams();
    });
  }

  // Receives up to `limit` queued datagrams. Every descriptor that comes
  // with one is closed at once: systemd-notify sends BARRIER=1 with the
  // write end of a pipe and waits until every copy of it is closed.
  void receive_datagrams(int limit) {
    std::array<char, max_datagram_bytes> data;
    constexpr size_t control_size =
        CMSG_SPACE(sizeof(int) * max_fds_per_message) +
        CMSG_SPACE(sizeof(struct ucred));
    alignas(cmsghdr) std::array<char, control_size> control;
    for (int i = 0; i < limit; ++i) {
      iovec iov{data.data(), data.size()};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      auto n = ::recvmsg(notify.native_handle(), &msg,
                         MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return; // EAGAIN: nothing queued
      close_passed_descriptors(msg);
      // MSG_TRUNC (as a flag to recvmsg) makes n the datagram's real size.
      if (static_cast<size_t>(n) > data.size() || (msg.msg_flags & MSG_TRUNC))
        continue; // over the limit: dropped, like systemd does
      sinks.notify(std::string{data.data(), static_cast<size_t>(n)});
    }
  }

  static void close_passed_descriptors(msghdr& msg) {
    for (auto* c = CMSG_FIRSTHDR(&msg); c != nullptr;
         c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      auto count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      auto* fds = reinterpret_cast<const unsigned char*>(CMSG_DATA(c));
      for (size_t k = 0; k < count; ++k) {
        int fd;
        std::memcpy(&fd, fds + k * sizeof(int), sizeof(int));
        ::close(fd);
      }
    }
  }

  void on_exit() {
    int status = 0;
    {
      std::lock_guard<std::mutex> guard{mtx};
      // The main process is a zombie, so its id (and the group's) cannot
      // have been reused yet: clean up the group, then reap.
      ::kill(-pid, SIGKILL);
      pid_t rc;
      do {
        rc = ::waitpid(pid, &status, WNOHANG);
      } while (rc < 0 && errno == EINTR);
      if (rc == 0) {
        // A pidfd is readable only once the process has exited; a zero
        // here would be a kernel oddity: look again on the next wake-up.
        wait_for_exit();
        return;
      }
      if (rc < 0) {
        // ECHILD: someone else reaped our child (a SIGCHLD handler set to
        // SIG_IGN). The status is lost; report a failure, exit code 255.
        status = 255 << 8;
      }
      reaped = true;
    }
    finished = true;
    if (notify.is_open()) {
      receive_datagrams(max_datagrams_per_wakeup * 16);
      boost::system::error_code ignored;
      notify.close(ignored);
    }
    drain(out);
    drain(err);
    boost::system::error_code ignored;
    pidfd.close(ignored);
    auto exited = std::move(sinks.exited);
    sinks = process_sinks{}; // drop whatever the callbacks hold
    exited(status);
  }

  bool signal_group(int sig) {
    std::lock_guard<std::mutex> guard{mtx};
    if (reaped)
      return false;
    return ::kill(-pid, sig) == 0;
  }

  strand_type strand;
  const pid_t pid;
  descriptor pidfd;
  output_channel out;
  output_channel err;
  descriptor notify;
  process_sinks sinks;
  bool finished = false;            // the exit was handled (strand only)
  std::atomic<size_t> in_flight{0}; // output handed out, not yet consumed
  std::atomic<bool> paused{false};  // a channel waits for consumed()
  std::mutex mtx;                   // guards `reaped` against signal_group
  bool reaped = false;
};

process_monitor process_monitor::start(asio::io_context& io,
                                       spawned_process proc,
                                       unique_fd notify_socket,
                                       size_t max_line_bytes,
                                       process_sinks sinks) {
  auto ptr =
      std::make_shared<impl>(io, std::move(proc), std::move(notify_socket),
                             max_line_bytes, std::move(sinks));
  asio::post(ptr->strand, [ptr] { ptr->begin(); });
  return process_monitor{ptr};
}

pid_t process_monitor::pid() const noexcept {
  return impl_ ? impl_->pid : 0;
}

bool process_monitor::signal_group(int sig) const {
  return impl_ && impl_->signal_group(sig);
}

void process_monitor::consumed(size_t cost) const {
  if (impl_)
    impl_->consumed(cost);
}

} // namespace signalbox::hal
