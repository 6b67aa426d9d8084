#include "protocols/socketio/sio_connection.hpp"

#include <boost/asio/post.hpp>

#include "protocols/socketio/engineio_codec.hpp"

namespace signalbox::socketio {

namespace {

engineio::outbound_frame text_frame(std::string text) {
  auto owner = std::make_shared<const std::string>(std::move(text));
  std::string_view bytes{*owner};
  return {std::move(owner), bytes, false};
}

engineio::outbound_frame binary_frame(std::string bytes) {
  auto owner = std::make_shared<const std::string>(std::move(bytes));
  std::string_view view{*owner};
  return {std::move(owner), view, true};
}

} // namespace

// -- namespace_socket
// -----------------------------------------------------------

namespace_socket::namespace_socket(
    std::weak_ptr<engineio::engine_socket> engine,
    std::weak_ptr<sio_connection> conn, std::string nsp, std::string sid)
    : engine_(std::move(engine)), conn_(std::move(conn)), nsp_(std::move(nsp)),
      sid_(std::move(sid)) {
  // nop
}

void namespace_socket::send_packet(const packet& p,
                                   std::vector<std::string> attachments) {
  auto engine = engine_.lock();
  if (!engine)
    return;
  engine->send_on_strand(text_frame(encode_message(p)));
  for (auto& bytes : attachments)
    engine->send_on_strand(binary_frame(std::move(bytes)));
}

void namespace_socket::emit(std::string data,
                            std::vector<std::string> attachments) {
  packet p;
  p.type = attachments.empty() ? packet_type::event : packet_type::binary_event;
  p.nsp = nsp_;
  p.attachments = attachments.size();
  p.data = std::move(data);
  send_packet(p, std::move(attachments));
}

void namespace_socket::ack(uint64_t id, std::string args_json,
                           std::vector<std::string> attachments) {
  packet p;
  p.type = attachments.empty() ? packet_type::ack : packet_type::binary_ack;
  p.nsp = nsp_;
  p.ack_id = id;
  p.attachments = attachments.size();
  p.data = std::move(args_json);
  send_packet(p, std::move(attachments));
}

void namespace_socket::send_frame(shared_frame frame) {
  if (auto engine = engine_.lock()) {
    std::string_view bytes{*frame};
    engine->send({std::move(frame), bytes, false});
  }
}

void namespace_socket::send_frame_on_strand(shared_frame frame) {
  if (auto engine = engine_.lock()) {
    std::string_view bytes{*frame};
    engine->send_on_strand({std::move(frame), bytes, false});
  }
}

void namespace_socket::disconnect(bool close_transport) {
  packet p;
  p.type = packet_type::disconnect;
  p.nsp = nsp_;
  send_packet(p, {});
  if (auto conn = conn_.lock())
    conn->drop_namespace(nsp_, "server namespace disconnect");
  if (close_transport)
    if (auto engine = engine_.lock())
      engine->close_after_flush();
}

void namespace_socket::hold_input(bool held) {
  if (auto engine = engine_.lock())
    engine->hold_input(held);
}

void namespace_socket::post(std::function<void()> fn) {
  if (auto engine = engine_.lock())
    boost::asio::post(engine->executor(), std::move(fn));
}

// -- sio_connection
// -------------------------------------------------------------

sio_connection::sio_connection(std::shared_ptr<engineio::engine_socket> engine,
                               std::shared_ptr<const namespace_map> namespaces,
                               sio_settings settings)
    : engine_(engine), namespaces_(std::move(namespaces)),
      settings_(std::move(settings)), connect_timer_(engine->executor()) {
  // nop
}

void sio_connection::on_open() {
  // As the Node server: a client that has joined no namespace when the
  // connect timeout passes is closed.
  connect_timer_.expires_after(settings_.connect_timeout);
  connect_timer_.async_wait(
      [weak = weak_from_this()](boost::system::error_code ec) {
        if (ec)
          return;
        if (auto self = weak.lock(); self && self->joined_.empty())
          self->protocol_error();
      });
}

void sio_connection::on_message(std::string_view data, bool binary) {
  if (closed_)
    return;
  if (binary) {
    // Attachments only follow a binary packet.
    if (!reassembling_) {
      protocol_error();
      return;
    }
    attachments_.emplace_back(data);
    if (attachments_.size() == reassembling_->attachments) {
      auto p = std::move(*reassembling_);
      reassembling_.reset();
      handle(std::move(p), std::move(attachments_));
      attachments_.clear();
    }
    return;
  }
  if (reassembling_) {
    // Text while attachments are due: socket.io-parser's "got plaintext
    // data when reconstructing a packet".
    protocol_error();
    return;
  }
  auto decoded = decode(data, settings_.max_attachments);
  if (!decoded.ok()) {
    protocol_error();
    return;
  }
  auto& p = *decoded.value;
  if ((p.type == packet_type::binary_event ||
       p.type == packet_type::binary_ack) &&
      p.attachments > 0) {
    reassembling_ = std::move(p);
    attachments_.clear();
    return;
  }
  handle(std::move(p), {});
}

void sio_connection::handle(packet&& p, std::vector<std::string> attachments) {
  auto joined = joined_.find(p.nsp);
  // socket.io's Client.ondecoded: CONNECT to a namespace not yet joined;
  // anything but CONNECT / CONNECT_ERROR to a joined one; everything else
  // closes the connection.
  if (joined == joined_.end()) {
    if (p.type == packet_type::connect)
      connect(p);
    else
      protocol_error();
    return;
  }
  switch (p.type) {
  case packet_type::event:
  case packet_type::binary_event: {
    auto event = read_event(p);
    if (!event) {
      protocol_error();
      return;
    }
    // The handler may leave the namespace: keep it alive for the call.
    auto handler = joined->second.handler;
    handler->on_event(*event, p.ack_id, std::move(attachments));
    return;
  }
  case packet_type::disconnect: {
    auto handler = joined->second.handler;
    joined_.erase(joined);
    // Leaving the last namespace does not close the connection (the
    // next thing the client sees is a ping).
    handler->on_disconnect("client namespace disconnect");
    return;
  }
  case packet_type::ack:
  case packet_type::binary_ack:
    // The server asks no acknowledgements: nothing waits for this one.
    return;
  case packet_type::connect:
  case packet_type::connect_error:
    protocol_error();
    return;
  }
}

void sio_connection::connect(const packet& p) {
  auto def = namespaces_->find(p.nsp);
  auto engine = engine_.lock();
  if (!engine)
    return;
  auto refuse = [&](std::string_view message) {
    packet refusal;
    refusal.type = packet_type::connect_error;
    refusal.nsp = p.nsp;
    refusal.data = connect_error_data(message);
    engine->send_on_strand(text_frame(encode_message(refusal)));
  };
  if (def == namespaces_->end()) {
    // The connection stays open: the client may try another namespace.
    refuse("Invalid namespace");
    return;
  }
  if (auto refusal = def->second->refuse(p.data)) {
    refuse(*refusal);
    return;
  }
  // A Socket.IO id of its own, not the Engine.IO sid (protocol 5).
  auto sid = engineio::make_session_id();
  packet answer;
  answer.type = packet_type::connect;
  answer.nsp = p.nsp;
  answer.data = connect_data(sid);
  engine->send_on_strand(text_frame(encode_message(answer)));
  auto socket = std::make_shared<namespace_socket>(engine, weak_from_this(),
                                                   p.nsp, std::move(sid));
  joined_[p.nsp].socket = socket;
  auto handler = def->second->open(socket, p.data);
  // open() may have left the namespace again (a refusal after the fact).
  if (auto i = joined_.find(p.nsp); i != joined_.end())
    i->second.handler = std::move(handler);
}

void sio_connection::drop_namespace(const std::string& nsp,
                                    std::string_view reason) {
  auto i = joined_.find(nsp);
  if (i == joined_.end())
    return;
  auto handler = i->second.handler;
  joined_.erase(i);
  // Null when the namespace left during its own open().
  if (handler)
    handler->on_disconnect(reason);
}

void sio_connection::protocol_error() {
  if (auto engine = engine_.lock())
    engine->close("parse error");
}

void sio_connection::on_close(std::string_view reason) {
  if (closed_)
    return;
  closed_ = true;
  connect_timer_.cancel();
  auto joined = std::move(joined_);
  joined_.clear();
  for (auto& [nsp, m] : joined)
    if (m.handler)
      m.handler->on_disconnect(reason);
}

} // namespace signalbox::socketio
