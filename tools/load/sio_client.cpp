#include "tools/load/sio_client.hpp"

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include "tools/load/tcp_connect.hpp"

namespace signalbox::load {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

std::string json_string(std::string_view text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return {buf.GetString(), buf.GetSize()};
}

sio_client::sio_client(boost::asio::io_context& io,
                       boost::asio::ip::tcp::endpoint endpoint,
                       std::string host, run_stats& stats)
    : stats_(stats), strand_(boost::asio::make_strand(io)), ws_(strand_),
      endpoint_(endpoint), host_(std::move(host)) {}

void sio_client::connect() {
  connect_tcp(beast::get_lowest_layer(ws_), endpoint_, stats_,
              [self = shared_from_this()](beast::error_code ec) {
                self->on_connect(ec);
              });
}

void sio_client::on_connect(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  beast::get_lowest_layer(ws_).expires_never();
  // Engine.IO has its own heartbeat (the server's pings); the WebSocket
  // layer only needs the handshake timeout.
  auto opt =
      websocket::stream_base::timeout::suggested(beast::role_type::client);
  ws_.set_option(opt);
  ws_.async_handshake(host_, "/socket.io/?EIO=4&transport=websocket",
                      [self = shared_from_this()](beast::error_code ec) {
                        self->on_handshake(ec);
                      });
}

void sio_client::on_handshake(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    return;
  }
  open_ = true;
  stats_.connects_made++;
  stats_.open++;
  read();
}

void sio_client::read() {
  ws_.async_read(buffer_,
                 [self = shared_from_this()](beast::error_code ec, size_t) {
                   self->on_read(ec);
                 });
}

void sio_client::on_read(beast::error_code ec) {
  if (ec) {
    if (!closing_)
      stats_.dropped++;
    open_ = false;
    stats_.open--;
    return;
  }
  auto data = buffer_.cdata();
  std::string packet{static_cast<const char*>(data.data()), data.size()};
  buffer_.consume(buffer_.size());
  handle(packet);
  if (open_)
    read();
}

void sio_client::handle(std::string_view packet) {
  if (packet.empty())
    return;
  switch (packet[0]) {
  case '0': // open: join the default namespace
    send("40");
    return;
  case '2': // server ping (Engine.IO 4: the server pings)
    send("3");
    return;
  case '1': // close
    fail();
    return;
  case '4':
    break;
  default:
    return;
  }
  auto sio = packet.substr(1);
  if (sio.size() >= 1 && sio[0] == '0') {
    // CONNECT answer `0{"sid":..}` (the leading Engine.IO `4` stripped).
    if (!connected_) {
      connected_ = true;
      on_connected();
    }
    return;
  }
  if (sio.size() >= 1 && (sio[0] == '1' || sio[0] == '4')) {
    // DISCONNECT or CONNECT_ERROR from the server.
    fail();
    return;
  }
  if (sio.size() < 2 || sio[0] != '2')
    return;
  rapidjson::Document doc;
  doc.Parse(sio.data() + 1, sio.size() - 1);
  if (doc.HasParseError() || !doc.IsArray() || doc.Empty() ||
      !doc[0].IsString())
    return;
  std::string_view name{doc[0].GetString(), doc[0].GetStringLength()};
  on_event(name, doc.Size() > 1 ? &doc[1] : nullptr);
}

void sio_client::emit(std::string_view name, std::string_view arg_json) {
  std::string packet = "42[";
  packet += json_string(name);
  packet += ',';
  packet += arg_json;
  packet += ']';
  send(std::move(packet));
}

void sio_client::send(std::string packet) {
  if (!open_ || closing_)
    return;
  out_.push_back(std::move(packet));
  if (!writing_)
    write_next();
}

void sio_client::write_next() {
  if (out_.empty() || !open_) {
    writing_ = false;
    // The close frame goes after everything queued (the `41` last).
    if (closing_ && open_)
      ws_.async_close(websocket::close_code::normal,
                      [self = shared_from_this()](beast::error_code) {});
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(out_.front()),
                  [self = shared_from_this()](beast::error_code ec, size_t) {
                    self->out_.pop_front();
                    if (ec) {
                      self->writing_ = false;
                      return;
                    }
                    self->write_next();
                  });
}

void sio_client::fail() {
  if (!closing_) {
    // Refused before the namespace was joined: a connection that failed;
    // after: one that dropped.
    if (connected_)
      stats_.dropped++;
    else
      stats_.connects_failed++;
  }
  abandon();
}

void sio_client::abandon() {
  closing_ = true;
  // The pending read then fails, which ends the connection (on_read).
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

void sio_client::close() {
  boost::asio::dispatch(strand_, [self = shared_from_this()] {
    if (self->closing_)
      return;
    self->closing_ = true;
    if (!self->open_) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
      return;
    }
    // `41` leaves the namespace first, so the relay sees an orderly
    // disconnect; the close frame follows on the same queue.
    self->out_.push_back("41");
    if (!self->writing_)
      self->write_next();
  });
}

} // namespace signalbox::load
