// The Asio side of one run of a job: watches the child's pidfd, reads its
// stdout/stderr pipes line by line and its sd_notify socket, and hands
// everything to callbacks (the job actor's callbacks `anon_send` to it).
// All of it runs on one strand of the node's io_context; nothing here ever
// blocks.
//
// Order guarantee: when the process has ended, the monitor first reads what
// is still queued on the notify socket and in the pipes (everything the
// process wrote before it died is there), flushes partial lines, and only
// then reports the exit. So the log is complete and a READY=1 sent just
// before exiting is seen when the job learns that the process ended.
//
// Like systemd's KillMode=control-group (as far as a process group reaches),
// a run ends with its main process: members of its process group that are
// still alive when it has ended are killed with SIGKILL before it is reaped.
// Processes that left the group (setsid, setpgid) are out of reach; they
// lose their output pipes when the run ends.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>

#include "hal/process.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox::hal {

/// Where a monitor delivers what it sees. Called on the monitor's strand,
/// one at a time, in the order things happened on each channel. The receiver
/// of `output` reports what it has handled with process_monitor::consumed.
struct process_sinks {
  /// A line the process wrote to "stdout" or "stderr".
  std::function<void(const std::string& stream, std::string line)> output;
  /// One datagram received on the run's notify socket.
  std::function<void(std::string datagram)> notify;
  /// The process ended with this waitpid status; called exactly once, last.
  std::function<void(int wait_status)> exited;
};

/// A handle to the monitor of one running process. Copies share the monitor.
/// The monitor keeps itself alive until the process has been reaped (or the
/// io_context is destroyed, which SIGKILLs the process group).
class process_monitor {
public:
  /// Bytes of datagram a notify socket accepts; longer ones are dropped
  /// (systemd's limit as well).
  static constexpr size_t max_datagram_bytes = 4096;

  process_monitor() = default;

  /// Takes over `proc` and the run's `notify_socket` (may be empty) and
  /// starts watching them on `io`.
  static process_monitor start(boost::asio::io_context& io,
                               spawned_process proc, unique_fd notify_socket,
                               size_t max_line_bytes, process_sinks sinks);

  explicit operator bool() const noexcept { return impl_ != nullptr; }

  /// The process id (which is also its process group id).
  pid_t pid() const noexcept;

  /// Sends `sig` to the process group, unless the process has already been
  /// reaped (then its id may belong to someone else by now) or the group is
  /// gone. Thread-safe and non-blocking. Answers whether a signal was sent.
  bool signal_group(int sig) const;

  // -- flow control -----------------------------------------------------------
  // A job that writes faster than its actor stores the lines must not fill
  // the node's memory with messages: the monitor stops reading the pipes
  // while output worth `max_output_in_flight` is handed out but not yet
  // reported consumed, and reads on once less than half of it is. Then the
  // pipe fills and the job blocks in write(2), as it would with any slow
  // reader.

  /// The output (see output_cost) handed out and not yet consumed at which
  /// the monitor pauses reading.
  static constexpr size_t max_output_in_flight = 256 * 1024;

  /// What one delivered line counts against max_output_in_flight: its bytes
  /// and the overhead of a message.
  static size_t output_cost(const std::string& line) noexcept {
    return line.size() + 64;
  }

  /// Reports that the receiver has handled lines worth `cost`. Thread-safe.
  void consumed(size_t cost) const;

  struct impl;

private:
  explicit process_monitor(std::shared_ptr<impl> ptr) : impl_(std::move(ptr)) {}

  std::shared_ptr<impl> impl_;
};

} // namespace signalbox::hal
