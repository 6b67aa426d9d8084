#include "tools/load/jmri_ws_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "tools/load/tcp_connect.hpp"

namespace signalbox::load {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

jmri_ws_client::jmri_ws_client(boost::asio::io_context& io,
                               boost::asio::ip::tcp::endpoint endpoint,
                               std::string host, std::string run_id,
                               std::string client_id, size_t publishers,
                               run_stats& stats)
    : jmri_client(io, std::move(run_id), std::move(client_id), publishers,
                  stats),
      ws_(strand()), endpoint_(endpoint), host_(std::move(host)) {}

void jmri_ws_client::connect() {
  connect_tcp(beast::get_lowest_layer(ws_), endpoint_, stats(),
              [self = self()](beast::error_code ec) { self->on_connect(ec); });
}

void jmri_ws_client::on_connect(beast::error_code ec) {
  if (ec || closing_) {
    open_failed();
    return;
  }
  beast::get_lowest_layer(ws_).expires_never();
  // The JMRI heartbeat (our pings) keeps the connection alive; the
  // WebSocket layer only needs the handshake timeout.
  ws_.set_option(
      websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.async_handshake(host_, "/json/", [self = self()](beast::error_code ec) {
    self->on_handshake(ec);
  });
}

void jmri_ws_client::on_handshake(beast::error_code ec) {
  if (ec) {
    open_failed();
    return;
  }
  opened();
  read();
}

void jmri_ws_client::read() {
  ws_.async_read(buffer_, [self = self()](beast::error_code ec, size_t) {
    if (ec) {
      self->ended();
      return;
    }
    auto data = self->buffer_.cdata();
    self->received({static_cast<const char*>(data.data()), data.size()});
    self->buffer_.consume(self->buffer_.size());
    self->read();
  });
}

void jmri_ws_client::write(std::string_view frame) {
  ws_.text(true);
  ws_.async_write(
      boost::asio::buffer(frame.data(), frame.size()),
      [self = self()](beast::error_code ec, size_t) { self->written(ec); });
}

void jmri_ws_client::drained_for_close() {
  // The node answers the close frame and the pending read ends.
  ws_.async_close(websocket::close_code::normal, [](beast::error_code) {});
}

void jmri_ws_client::abort() {
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

} // namespace signalbox::load
