// The raw TCP transport of a JMRI client (port jmri_tcp_port): the node
// writes its JSON objects back to back with no delimiter, which
// json_stream_splitter cuts apart; the client closes with a goodbye, which
// the node answers and then closes.
#pragma once

#include <array>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "tools/load/jmri_client.hpp"
#include "tools/load/json_stream_splitter.hpp"

namespace signalbox::load {

class jmri_tcp_client : public jmri_client {
public:
  jmri_tcp_client(boost::asio::io_context& io,
                  boost::asio::ip::tcp::endpoint endpoint, std::string run_id,
                  std::string client_id, size_t publishers, run_stats& stats);

  void connect() override;

protected:
  void write(std::string_view frame) override;
  std::string_view farewell() const override;
  void drained_for_close() override {}
  void abort() override;

private:
  std::shared_ptr<jmri_tcp_client> self() {
    return std::static_pointer_cast<jmri_tcp_client>(shared_from_this());
  }
  void on_connect(boost::beast::error_code ec);
  void read();

  boost::beast::tcp_stream stream_;
  boost::asio::ip::tcp::endpoint endpoint_;
  json_stream_splitter splitter_;
  /// One read's worth; values split across reads are assembled by the
  /// splitter.
  std::array<char, 4096> read_buffer_;
};

} // namespace signalbox::load
