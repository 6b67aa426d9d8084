// Shared pieces of the GPIO unit tests: an io_context on its own thread (as
// the node runs it), pipes that stand in for the kernel's line-event fd, the
// kernel's `struct gpioevent_data` records, and a thread-safe log of what an
// edge reader delivered.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fcntl.h>
#include <linux/gpio.h>
#include <mutex>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gpiod.h>

#include "core/messages.hpp"
#include "hal/gpio_backend.hpp"

namespace signalbox::test {

/// A configured line with just the fields these tests vary.
inline gpio_line_spec line_spec(std::string name, gpio_direction direction,
                                uint32_t debounce_ms = 0) {
  gpio_line_spec spec;
  spec.name = std::move(name);
  spec.direction = direction;
  spec.debounce_ms = debounce_ms;
  return spec;
}

/// An io_context run by one thread. Destruction waits until the context ran
/// out of work: a reader that was not closed keeps it busy and shows up as a
/// hanging test rather than a silent leak.
class io_thread {
public:
  io_thread() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}

  ~io_thread() {
    work_.reset();
    thread_.join();
  }

  boost::asio::io_context& io() { return io_; }

private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  std::thread thread_;
};

/// A pipe whose read end plays a line-event fd.
class test_pipe {
public:
  test_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe2 failed");
    read_fd = fds[0];
    write_fd = fds[1];
  }

  ~test_pipe() {
    close_read();
    close_write();
  }

  test_pipe(const test_pipe&) = delete;
  test_pipe& operator=(const test_pipe&) = delete;

  void close_read() {
    if (read_fd >= 0)
      ::close(read_fd);
    read_fd = -1;
  }

  void close_write() {
    if (write_fd >= 0)
      ::close(write_fd);
    write_fd = -1;
  }

  /// Waits until no read end of the pipe is open any more (poll reports
  /// POLLERR on the write end), i.e. every dup of the read end was closed.
  bool wait_readers_gone(
      std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
    pollfd pfd{write_fd, POLLOUT, 0};
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return false;
      pfd.revents = 0;
      if (::poll(&pfd, 1, static_cast<int>(left.count())) > 0 &&
          (pfd.revents & POLLERR) != 0)
        return true;
      // POLLOUT alone: the pipe is writable but still has a reader. Block
      // until the next state change instead of spinning.
      pfd.events = 0;
    }
  }

  int read_fd = -1;
  int write_fd = -1;
};

/// The kernel's record for one edge.
inline gpioevent_data edge_record(uint64_t timestamp_ns, bool rising) {
  gpioevent_data record{};
  record.timestamp = timestamp_ns;
  record.id =
      rising ? GPIOEVENT_EVENT_RISING_EDGE : GPIOEVENT_EVENT_FALLING_EDGE;
  return record;
}

/// Writes `records` with one write() call (atomic below PIPE_BUF).
inline void write_records(int fd, const std::vector<gpioevent_data>& records) {
  auto bytes = records.size() * sizeof(gpioevent_data);
  if (::write(fd, records.data(), bytes) != static_cast<ssize_t>(bytes))
    throw std::runtime_error("writing edge records failed");
}

/// Reads every edge queued in a non-blocking event fd with libgpiod's own
/// decoder, converted like the reader does.
inline std::vector<gpio_edge> read_queued_edges(int fd) {
  std::vector<gpio_edge> result;
  gpiod_line_event events[16];
  for (;;) {
    auto n = gpiod_line_event_read_fd_multiple(fd, events, 16);
    if (n <= 0)
      return result;
    for (int i = 0; i < n; ++i) {
      gpio_edge edge;
      edge.timestamp_ns =
          static_cast<uint64_t>(events[i].ts.tv_sec) * 1'000'000'000u +
          static_cast<uint64_t>(events[i].ts.tv_nsec);
      edge.value = events[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
      result.push_back(edge);
    }
  }
}

/// What a gpio_event_reader delivered, filled on the io thread and awaited
/// (with a timeout) on the test thread.
class edge_log {
public:
  void add(const gpio_edge& edge) {
    std::lock_guard<std::mutex> guard{mtx_};
    edges_.push_back(edge);
    cv_.notify_all();
  }

  void fail(const std::string& reason) {
    std::lock_guard<std::mutex> guard{mtx_};
    failures_.push_back(reason);
    cv_.notify_all();
  }

  bool wait_edges(size_t n) {
    std::unique_lock<std::mutex> guard{mtx_};
    return cv_.wait_for(guard, std::chrono::seconds{10},
                        [&] { return edges_.size() >= n; });
  }

  bool wait_failure() {
    std::unique_lock<std::mutex> guard{mtx_};
    return cv_.wait_for(guard, std::chrono::seconds{10},
                        [&] { return !failures_.empty(); });
  }

  std::vector<gpio_edge> edges() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return edges_;
  }

  std::vector<std::string> failures() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return failures_;
  }

private:
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<gpio_edge> edges_;
  std::vector<std::string> failures_;
};

/// Stands in for a libgpiod line on a machine without GPIO chips: like a
/// gpiod port it is not simulated, its level is whatever the "hardware"
/// (the test) says, and its event fd (a dup of `event_source`, owned by the
/// port) yields whatever kernel records the test writes.
class hardware_double_port : public hal::gpio_port {
public:
  explicit hardware_double_port(int event_source = -1)
      : fd_(event_source >= 0 ? ::fcntl(event_source, F_DUPFD_CLOEXEC, 0)
                              : -1) {}

  ~hardware_double_port() override {
    if (fd_ >= 0)
      ::close(fd_);
  }

  int32_t read_value() override { return level; }
  void write_value(int32_t value) override { level = value; }
  int event_fd() const override { return fd_; }
  std::string chip() const override { return "gpiochip0"; }
  int32_t offset() const override { return 17; }

  std::atomic<int32_t> level{0}; // the pin as the hardware sees it

private:
  int fd_;
};

} // namespace signalbox::test
