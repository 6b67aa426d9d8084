// A JMRI JSON client over raw TCP (port 2056, JMRI's JsonServer): the peer
// sends a stream of concatenated JSON values (whitespace between them
// optional), the node writes its frames back to back with no delimiter. The
// write queue is bounded like a WebSocket's; a connection silent for longer
// than the heartbeat interval x 1.1 is closed. While too many of its
// requests wait for the node, the socket is not read (request_queue.hpp).
#pragma once

#include <array>
#include <atomic>
#include <deque>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "config/options.hpp"
#include "protocols/http/session_registry.hpp"
#include "protocols/http/wire.hpp"
#include "protocols/jmri/connection.hpp"
#include "protocols/jmri/stream_splitter.hpp"

namespace signalbox::jmri {

class tcp_session : public std::enable_shared_from_this<tcp_session>,
                    public http::connection {
public:
  tcp_session(http::wire&& socket, net_options limits,
              std::shared_ptr<http::session_registry> sessions,
              caf::actor_system& sys, jmri_directory_actor directory,
              connection_settings settings);
  ~tcp_session() override;

  void start() override;

  /// Says goodbye and closes (node shutdown); thread-safe.
  void shutdown() override;

  size_t queued_bytes() const override;

private:
  class adapter;
  /// Stops reading while the connection's requests wait (request_queue).
  void pause_reading();
  void resume_reading();
  void do_read();
  /// Hands what the last read held to the connection, a few values per
  /// turn, then reads again.
  void hand_on_values();
  void write_frame(std::shared_ptr<const std::string> frame);
  void do_write();
  void close_when_drained();
  void arm_idle_timer();
  void finish();

  http::wire socket_; // plain or TLS
  net_options limits_;
  std::shared_ptr<http::session_registry> sessions_;
  caf::actor_system& sys_;
  jmri_directory_actor directory_;
  connection_settings settings_;
  stream_splitter splitter_;
  std::shared_ptr<jmri::connection> conn_;
  boost::asio::steady_timer idle_timer_;
  std::array<char, 8192> read_buffer_;
  std::vector<std::string> values_; // the last read's, from next_value_ on
  size_t next_value_ = 0;
  std::deque<std::shared_ptr<const std::string>> queue_;
  size_t batch_size_ = 0;    // the first entries of queue_, being written
  std::string write_buffer_; // their bytes, gathered
  // Written on the strand only; atomic so that a scrape may read it.
  std::atomic<size_t> queued_bytes_{0};
  bool writing_ = false;
  bool draining_ = false;
  bool paused_ = false;       // the node is behind: the socket is not read
  bool read_pending_ = false; // a read is under way
  std::shared_ptr<tcp_session> paused_self_; // alive while paused
  bool finished_ = false;
};

} // namespace signalbox::jmri
