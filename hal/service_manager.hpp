// The node's own side of sd_notify(3): under systemd (Type=notify, see
// deploy/systemd/signalbox.service) it says READY=1 once every listener is
// bound and the store is open, WATCHDOG=1 while its scheduler runs, and
// STOPPING=1 when the orderly shutdown begins. Without NOTIFY_SOCKET every
// call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "hal/process.hpp"
#include "hal/unix_address.hpp"

namespace signalbox::hal {

/// Whether stderr is systemd's journal stream (JOURNAL_STREAM names its
/// device and inode, systemd.exec(5)), so that log lines may carry their
/// priority for journald.
bool stderr_is_journal();

class service_manager {
public:
  /// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID and removes them
  /// from the environment (sd_notify's unset_environment), so that nothing
  /// the node starts can speak for it. Call once, before any thread starts.
  static service_manager from_environment();

  service_manager() = default;

  /// Whether a service manager listens (NOTIFY_SOCKET was usable).
  bool enabled() const { return fd_.get() >= 0; }

  /// The watchdog timeout systemd set for this process (WatchdogSec=), if
  /// any: WATCHDOG_USEC, when WATCHDOG_PID is unset or this process's pid.
  std::optional<std::chrono::microseconds> watchdog() const {
    return watchdog_;
  }

  /// Sends one datagram of newline-separated assignments ("READY=1"). Best
  /// effort: a service manager that went away is not the node's failure.
  /// Safe from any thread.
  void notify(std::string_view assignments) const;

private:
  unique_fd fd_;
  unix_address address_;
  std::optional<std::chrono::microseconds> watchdog_;
};

} // namespace signalbox::hal
