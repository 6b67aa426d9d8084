// The Engine.IO 4 / Socket.IO 5 client part the relay clients share, over
// a WebSocket opened directly (`/socket.io/?EIO=4&transport=websocket`, no
// polling, as docs/socketio.md describes): wait for the open packet
// `0{...}`, send the namespace CONNECT `40`, wait for `40{"sid":..}`, answer
// every server ping `2` with a pong `3`, and hand EVENT packets (`42[...]`)
// to the derived class. Outgoing packets are queued: a Beast WebSocket
// allows one write in flight.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <rapidjson/document.h>

#include "tools/load/client.hpp"
#include "tools/load/stats.hpp"

namespace signalbox::load {

class sio_client : public client,
                   public std::enable_shared_from_this<sio_client> {
public:
  sio_client(boost::asio::io_context& io,
             boost::asio::ip::tcp::endpoint endpoint, std::string host,
             run_stats& stats);

  void connect() override;
  void close() override;

protected:
  using json_value = rapidjson::Value;

  /// The namespace is connected: send the first event.
  virtual void on_connected() = 0;

  /// An event `42["name", arg]`; `arg` is null when there is none.
  virtual void on_event(std::string_view name, const json_value* arg) = 0;

  /// Queues `42["name",<arg_json>]` (arg_json: a JSON text).
  void emit(std::string_view name, std::string_view arg_json);

  /// The server refused us or left: count it and stop.
  void fail();

  /// Stops without counting (the caller counted already).
  void abandon();

  boost::asio::strand<boost::asio::io_context::executor_type> strand() {
    return strand_;
  }

  run_stats& stats_;
  bool closing_ = false;

private:
  void on_connect(boost::beast::error_code ec);
  void on_handshake(boost::beast::error_code ec);
  void read();
  void on_read(boost::beast::error_code ec);
  void handle(std::string_view packet);
  void send(std::string packet);
  void write_next();

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> out_;
  bool writing_ = false;
  bool open_ = false;
  bool connected_ = false;
};

/// A JSON string literal for `text` (quotes and escapes included).
std::string json_string(std::string_view text);

} // namespace signalbox::load
