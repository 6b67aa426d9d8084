#include "tools/load/jmri_tcp_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "tools/load/tcp_connect.hpp"

namespace signalbox::load {

namespace beast = boost::beast;

jmri_tcp_client::jmri_tcp_client(boost::asio::io_context& io,
                                 boost::asio::ip::tcp::endpoint endpoint,
                                 std::string run_id, std::string client_id,
                                 size_t publishers, run_stats& stats)
    : jmri_client(io, std::move(run_id), std::move(client_id), publishers,
                  stats),
      stream_(strand()), endpoint_(endpoint) {}

void jmri_tcp_client::connect() {
  connect_tcp(stream_, endpoint_, stats(),
              [self = self()](beast::error_code ec) { self->on_connect(ec); });
}

void jmri_tcp_client::on_connect(beast::error_code ec) {
  if (ec) {
    open_failed();
    return;
  }
  stream_.expires_never();
  opened();
  read();
}

void jmri_tcp_client::read() {
  stream_.async_read_some(
      boost::asio::buffer(read_buffer_),
      [self = self()](beast::error_code ec, size_t n) {
        if (ec) {
          self->ended();
          return;
        }
        bool intact = self->splitter_.feed(
            {self->read_buffer_.data(), n},
            [&self](std::string_view value) { self->received(value); });
        if (!intact) {
          // Not a stream of JSON values: nothing after this can be read.
          self->abort();
        }
        self->read();
      });
}

void jmri_tcp_client::write(std::string_view frame) {
  boost::asio::async_write(
      stream_, boost::asio::buffer(frame.data(), frame.size()),
      [self = self()](beast::error_code ec, size_t) { self->written(ec); });
}

std::string_view jmri_tcp_client::farewell() const {
  return R"({"type":"goodbye"})";
}

void jmri_tcp_client::abort() {
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

} // namespace signalbox::load
