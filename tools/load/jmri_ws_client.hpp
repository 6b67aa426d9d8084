// The WebSocket transport of a JMRI client: `ws://HOST:<jmri_port>/json/`,
// one JSON object per text frame either way.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "tools/load/jmri_client.hpp"

namespace signalbox::load {

class jmri_ws_client : public jmri_client {
public:
  jmri_ws_client(boost::asio::io_context& io,
                 boost::asio::ip::tcp::endpoint endpoint, std::string host,
                 std::string run_id, std::string client_id, size_t publishers,
                 run_stats& stats);

  void connect() override;

protected:
  void write(std::string_view frame) override;
  std::string_view farewell() const override { return {}; }
  void drained_for_close() override;
  void abort() override;

private:
  std::shared_ptr<jmri_ws_client> self() {
    return std::static_pointer_cast<jmri_ws_client>(shared_from_this());
  }
  void on_connect(boost::beast::error_code ec);
  void on_handshake(boost::beast::error_code ec);
  void read();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_;
  boost::beast::flat_buffer buffer_;
};

} // namespace signalbox::load
