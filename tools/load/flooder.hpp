// A flooder (scenario.hpp): one connection that sends a cheap request as
// fast as the node's socket takes it during the publishing phase, to see
// what the node does with clients that send faster than it reads, and
// whether the other clients keep their latency meanwhile.
//
// It writes from a buffer of requests built once (flood_frames.hpp) with
// async_write_some on the non-blocking socket, and writes again as soon as
// a write completes: the socket's send buffer stays full and no request is
// built while flooding. When the phase ends it finishes the request it is
// in the middle of and stops. With `reads` it reads all along and counts
// the replies (by how they begin) and every message; without, it never
// reads its socket, and learns that the node closed it from a failed
// write, or at the end from the socket's TCP state.
//
// A flooder takes part in no delivery, latency or failure figure: the
// node closing it is an outcome it reports (flooder_outcome), not a
// dropped connection. It answers no WebSocket ping: its requests keep the
// connection from being idle. Everything runs on the client's strand.
#pragma once

#include <array>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "tools/load/client.hpp"
#include "tools/load/flood_frames.hpp"
#include "tools/load/json_stream_splitter.hpp"
#include "tools/load/stats.hpp"

namespace signalbox::load {

struct flooder_config {
  flooder_interface interface = flooder_interface::jmri_tcp;
  bool reads = true;
  /// host:port, the WebSocket upgrade's Host.
  std::string host;
  /// The requests to write, shared by every flooder of the interface.
  std::shared_ptr<const flood_buffer> requests;
};

/// What one flooder did; read after the io threads have stopped.
struct flooder_outcome {
  bool set_up = false;
  uint64_t bytes_written = 0;
  uint64_t requests_written = 0; ///< whole ones, on the wire
  uint64_t bytes_read = 0;
  uint64_t messages = 0; ///< frames (WebSocket) or JSON values (raw TCP)
  uint64_t replies = 0;  ///< of them, replies to its requests
  bool closed_by_node = false;
  /// "ws <code> <reason>", "eof", "reset" or what else ended it.
  std::string close_reason;
  uint64_t bytes_written_at_close = 0;
};

class flooder : public client, public std::enable_shared_from_this<flooder> {
public:
  flooder(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
          flooder_config config, run_stats& stats);

  void connect() override;
  void start(clock::time_point until) override;
  void close() override;

  const flooder_config& config() const { return cfg_; }
  /// After the run (io threads joined).
  flooder_outcome outcome() const;

private:
  void on_connect(boost::beast::error_code ec);
  void write_upgrade();
  void read_upgrade();
  void on_upgrade_read(size_t bytes);
  void opened();
  void write();
  void on_written(boost::beast::error_code ec, size_t bytes);
  void read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  /// Counts what one read brought; false when the stream cannot be read
  /// on (or the node closed the WebSocket).
  bool scan(std::string_view bytes);
  void count_message(std::string_view head);
  /// Bytes to the end of the request being written (0 at a boundary).
  size_t rest_of_request() const;
  /// The node ended the connection (`why`), unless we were closing it.
  void ended_by_node(const std::string& why);
  /// A non-reading flooder: whether the node has closed, from the TCP
  /// state (without reading).
  void check_closed_quietly();
  void polite_close();
  /// Closes the socket, counted out of run_stats::open once.
  void end();

  boost::beast::tcp_stream stream_;
  boost::asio::ip::tcp::endpoint endpoint_;
  flooder_config cfg_;
  run_stats& stats_;
  boost::asio::steady_timer stop_timer_;
  std::string handshake_; // the upgrade request, then its key
  std::string key_;
  std::string goodbye_; // the polite close's bytes
  std::string_view reply_prefix_;
  size_t pos_ = 0; // the offset in the request buffer of the next write
  ws_frame_scanner frames_;
  json_stream_splitter values_;
  std::array<char, 64 * 1024> in_;
  size_t in_used_ = 0; // during the upgrade only
  flooder_outcome out_;
  bool open_ = false;
  bool flooding_ = false; // between start and the phase's end
  bool writing_ = false;
  bool closing_ = false;
};

} // namespace signalbox::load
