// The WebSocket client side every frame-heavy simulated client shares
// (ttmnotify subscribers, RTOC writers and subscribers): it frames the
// WebSocket itself (ws_frames.hpp), so that one read takes every frame the
// node has sent so far and each message is handed over in place, with no
// copy and no allocation once the buffers have grown. A generator core then
// keeps up with far more frames than with Beast's one-message-per-read
// stream, and its own cost does not hide the server's. It answers pings,
// echoes the node's close, and writes masked text frames for the derived
// client.
//
// Everything runs on the client's strand. The derived client sees the
// connection open (on_open), every text or binary message (on_message) and
// calls send_text.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include "tools/load/client.hpp"
#include "tools/load/client_stream.hpp"
#include "tools/load/stats.hpp"

namespace signalbox::load {

class raw_ws_client : public client,
                      public std::enable_shared_from_this<raw_ws_client> {
public:
  /// Opens `ws://host<target>` (`wss://` in a TLS scenario), offering
  /// `protocol` ("" for none).
  raw_ws_client(boost::asio::io_context& io,
                boost::asio::ip::tcp::endpoint endpoint, std::string host,
                std::string target, std::string protocol, run_stats& stats);

  void connect() override;
  void close() override;

protected:
  /// The upgrade succeeded (counted in connects_made and open).
  virtual void on_open() = 0;
  /// One complete text or binary message; `payload` is valid for the call.
  virtual void on_message(std::string_view payload) = 0;

  /// Queues a masked text frame (nothing once closing).
  void send_text(std::string_view payload);
  /// Ends the connection now (counted as dropped unless closing).
  void drop();
  /// Ends a connection whose set-up failed (the node refused a password or
  /// a subscription): counted in connects_failed instead.
  void abandon_setup();

  run_stats& stats() { return stats_; }
  bool closing() const { return closing_; }
  client_stream::executor_type executor() { return tcp_.get_executor(); }

private:
  void on_connect(boost::beast::error_code ec);
  void on_handshake_written(boost::beast::error_code ec);
  void read_handshake();
  void on_handshake(std::string_view head);
  void read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  /// Handles every complete frame in the buffer; false when the connection
  /// ended (a frame no server sends).
  bool handle_frames();
  void write_frame(uint8_t opcode, std::string_view payload);
  /// Closes an open connection (the counting is the caller's).
  void end();
  void flush_out();

  client_stream tcp_; // plain or TLS
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_;
  std::string target_;
  std::string protocol_;
  run_stats& stats_;
  std::string key_;
  std::string in_;             // bytes read and not yet parsed
  size_t in_used_ = 0;         // how many of in_ hold data
  std::string message_;        // a fragmented message being assembled
  std::string out_;            // frames waiting to be written
  std::string writing_buffer_; // frames being written
  bool writing_ = false;
  bool close_sent_ = false;
  bool open_ = false;
  bool closing_ = false;
};

} // namespace signalbox::load
