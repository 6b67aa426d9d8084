// Reads GPIO edge events on the node's Asio io_context. The reader wraps a
// dup() of a port's event fd (the kernel's line-event fd, or the simulated
// backend's pipe), waits for it to become readable, decodes the kernel's
// `struct gpioevent_data` records with libgpiod's own
// gpiod_line_event_read_fd_multiple, and hands each edge to a callback
// (which forwards it to the line actor as a message).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/messages.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace signalbox::hal {

class gpio_event_reader {
public:
  /// Called on an io_context thread for every edge, in fd order. Must not
  /// block (it typically anon_sends to an actor).
  using edge_handler = std::function<void(const gpio_edge&)>;

  /// Called at most once, on an io_context thread, when reading failed for
  /// good (the fd reported an error, end of file or a truncated record);
  /// no edge follows.
  using failure_handler = std::function<void(const std::string&)>;

  /// Starts reading edges from a dup() of `fd`; the caller keeps `fd` and
  /// may close it at any time. The dup is switched to O_NONBLOCK (a file
  /// status flag, so `fd` becomes non-blocking too), which turns spurious
  /// wake-ups into EAGAIN instead of a blocked io_context thread. Throws
  /// gpio_error if the fd cannot be duplicated.
  gpio_event_reader(boost::asio::io_context& io, int fd, edge_handler on_edge,
                    failure_handler on_failure);

  /// Closes the reader (see close()).
  ~gpio_event_reader();

  gpio_event_reader(const gpio_event_reader&) = delete;
  gpio_event_reader& operator=(const gpio_event_reader&) = delete;

  /// Stops reading. Thread-safe and idempotent. Once close() has returned,
  /// no handler is called any more; the duplicated fd is closed on the
  /// io_context shortly after.
  void close();

private:
  class impl;
  std::shared_ptr<impl> impl_;
};

} // namespace signalbox::hal
