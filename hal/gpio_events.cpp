#include "hal/gpio_events.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <gpiod.h>

#include "hal/gpio_backend.hpp"

namespace signalbox::hal {

namespace {

/// The kernel keeps at most 16 events per line (uAPI v1), and libgpiod reads
/// at most 16 per call.
constexpr unsigned max_events_per_read = 16;

/// Reads per wake-up before the reader re-arms and lets other handlers run:
/// a flood of edges on one line must not starve the io_context.
constexpr int max_reads_per_wakeup = 4;

gpio_edge to_edge(const gpiod_line_event& event) {
  gpio_edge edge;
  edge.timestamp_ns = static_cast<uint64_t>(event.ts.tv_sec) * 1'000'000'000u +
                      static_cast<uint64_t>(event.ts.tv_nsec);
  // For both-edge requests the kernel reports the logical level (active-low
  // applied) after the edge; simulated edges are written logical, too.
  edge.value = event.event_type == GPIOD_LINE_EVENT_RISING_EDGE ? 1 : 0;
  return edge;
}

int duplicate_nonblocking(int fd) {
  auto copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0)
    throw gpio_error(gpio_fault::system,
                     std::string{"cannot duplicate the GPIO event fd: "} +
                         std::strerror(errno));
  auto flags = ::fcntl(copy, F_GETFL);
  if (flags < 0 || ::fcntl(copy, F_SETFL, flags | O_NONBLOCK) < 0) {
    auto err = errno;
    ::close(copy);
    throw gpio_error(gpio_fault::system,
                     std::string{"cannot make the GPIO event fd "
                                 "non-blocking: "} +
                         std::strerror(err));
  }
  return copy;
}

} // namespace

// Lives as long as the owner's handle or a pending handler holds it; every
// handler runs on the strand, so the descriptor is only touched there even
// with several io_context threads.
class gpio_event_reader::impl : public std::enable_shared_from_this<impl> {
public:
  impl(boost::asio::io_context& io, int fd, edge_handler on_edge,
       failure_handler on_failure)
      : strand_(boost::asio::make_strand(io)), descriptor_(strand_),
        on_edge_(std::move(on_edge)), on_failure_(std::move(on_failure)) {
    auto copy = duplicate_nonblocking(fd);
    boost::system::error_code ec;
    descriptor_.assign(copy, ec);
    if (ec) {
      ::close(copy);
      throw gpio_error(gpio_fault::system,
                       "cannot watch the GPIO event fd: " + ec.message());
    }
  }

  void start() {
    boost::asio::post(strand_, [self = shared_from_this()] { self->arm(); });
  }

  void close() {
    {
      // Waits for a delivery in progress: after this block no handler runs.
      std::lock_guard<std::mutex> guard{mtx_};
      if (closed_)
        return;
      closed_ = true;
    }
    boost::asio::post(strand_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->descriptor_.close(ignored); // cancels the pending wait
    });
  }

private:
  void arm() {
    if (closed_)
      return;
    descriptor_.async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [self = shared_from_this()](const boost::system::error_code& ec) {
          self->on_readable(ec);
        });
  }

  void on_readable(const boost::system::error_code& ec) {
    if (closed_ || ec == boost::asio::error::operation_aborted)
      return;
    if (ec) {
      fail("waiting for edge events failed: " + ec.message());
      return;
    }
    std::array<gpiod_line_event, max_events_per_read> events;
    for (int round = 0; round < max_reads_per_wakeup; ++round) {
      auto n = gpiod_line_event_read_fd_multiple(
          descriptor_.native_handle(), events.data(), max_events_per_read);
      if (n < 0) {
        auto err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK)
          break; // drained, or a spurious wake-up
        if (err == EINTR)
          continue;
        // libgpiod maps end of file and reads shorter than one record to
        // EIO: the stream is over or out of step, and cannot recover.
        fail(std::string{"reading edge events failed: "} + std::strerror(err) +
             (err == EIO ? " (end of stream or a truncated record)" : ""));
        return;
      }
      for (int i = 0; i < n; ++i)
        if (!deliver(to_edge(events[static_cast<size_t>(i)])))
          return;
      if (static_cast<unsigned>(n) < max_events_per_read)
        break; // the fd had fewer than a full buffer: it is drained
    }
    arm();
  }

  bool deliver(const gpio_edge& edge) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_)
      return false;
    on_edge_(edge);
    return true;
  }

  void fail(const std::string& reason) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (closed_)
        return;
      closed_ = true;
      on_failure_(reason);
    }
    boost::system::error_code ignored;
    descriptor_.close(ignored);
  }

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::posix::stream_descriptor descriptor_;
  std::mutex mtx_; // serializes handler calls with close()
  std::atomic<bool> closed_{false};
  edge_handler on_edge_;
  failure_handler on_failure_;
};

gpio_event_reader::gpio_event_reader(boost::asio::io_context& io, int fd,
                                     edge_handler on_edge,
                                     failure_handler on_failure)
    : impl_(std::make_shared<impl>(io, fd, std::move(on_edge),
                                   std::move(on_failure))) {
  impl_->start();
}

gpio_event_reader::~gpio_event_reader() {
  close();
}

void gpio_event_reader::close() {
  impl_->close();
}

} // namespace signalbox::hal
