// The conformance server of the Socket.IO tests: signalbox's Engine.IO and
// Socket.IO layers with the setup the official protocol suites expect
// (docs/socketio.md), not the product's relay:
// - timings 300 ms / 200 ms, maxPayload 1000000, connect timeout 1000 ms;
// - /socket.io/: namespaces "/" and "/custom"; on connection each emits
//   `auth` with the CONNECT payload, echoes `message` as `message-back` and
//   acknowledges `message-with-ack` with the same arguments (binary
//   attachments included);
// - /engine.io/: a bare Engine.IO echo (text as text, binary as binary).
//
// Usage: signalbox-sio-conformance [--port=N] [--address=A]
// Prints `listening socketio <address>:<port>` once bound; SIGTERM or
// SIGINT stops it.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "protocols/http/bound_listener.hpp"
#include "protocols/socketio/engine_site.hpp"
#include "protocols/socketio/sio_connection.hpp"

namespace {

using namespace signalbox;

/// The official suites' namespace: auth, message-back, ack echo.
class echo_handler : public socketio::namespace_handler {
public:
  explicit echo_handler(std::shared_ptr<socketio::namespace_socket> socket)
      : socket_(std::move(socket)) {
    // nop
  }

  void on_event(const socketio::event_view& event,
                std::optional<uint64_t> ack_id,
                std::vector<std::string> attachments) override {
    if (event.name == "message") {
      socket_->emit(socketio::event_data("message-back", event.args_json),
                    std::move(attachments));
      return;
    }
    if (event.name == "message-with-ack" && ack_id)
      socket_->ack(*ack_id, event.args_json, std::move(attachments));
  }

  void on_disconnect(std::string_view) override {
    // nop
  }

private:
  std::shared_ptr<socketio::namespace_socket> socket_;
};

class echo_namespace : public socketio::namespace_def {
public:
  std::shared_ptr<socketio::namespace_handler>
  open(std::shared_ptr<socketio::namespace_socket> socket,
       std::string_view auth) override {
    // socket.handshake.auth is {} when the CONNECT carried no payload.
    auto args = "[" + std::string{auth.empty() ? "{}" : auth} + "]";
    socket->emit(socketio::event_data("auth", args));
    return std::make_shared<echo_handler>(std::move(socket));
  }
};

/// The Engine.IO suite's endpoint: every message back as it came.
class engine_echo : public engineio::socket_handler {
public:
  explicit engine_echo(std::weak_ptr<engineio::engine_socket> socket)
      : socket_(std::move(socket)) {
    // nop
  }

  void on_message(std::string_view data, bool binary) override {
    auto socket = socket_.lock();
    if (!socket)
      return;
    auto owner = std::make_shared<const std::string>(
        binary ? std::string{data} : "4" + std::string{data});
    std::string_view bytes{*owner};
    socket->send_on_strand({std::move(owner), bytes, binary});
  }

  void on_close(std::string_view) override {
    // nop
  }

private:
  std::weak_ptr<engineio::engine_socket> socket_;
};

std::string option(int argc, char** argv, std::string_view name,
                   std::string fallback) {
  auto prefix = "--" + std::string{name} + "=";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg{argv[i]};
    if (arg.substr(0, prefix.size()) == prefix)
      return std::string{arg.substr(prefix.size())};
  }
  return fallback;
}

} // namespace

int main(int argc, char** argv) {
  boost::asio::io_context io;
  net_options net;
  net.address = option(argc, argv, "address", "127.0.0.1");
  auto port = static_cast<uint16_t>(
      std::strtoul(option(argc, argv, "port", "0").c_str(), nullptr, 10));
  engineio::engine_settings settings;
  settings.ping_interval = std::chrono::milliseconds{300};
  settings.ping_timeout = std::chrono::milliseconds{200};
  settings.max_payload = 1000000;
  net.max_body_bytes = settings.max_payload;
  socketio::sio_settings sio;
  sio.connect_timeout = std::chrono::milliseconds{1000};
  auto listener = http::bind_listener(io, net, "socketio", port);
  if (!listener) {
    std::cerr << "signalbox-sio-conformance: " << to_string(listener.error())
              << std::endl;
    return 2;
  }
  auto namespaces = std::make_shared<socketio::namespace_map>();
  namespaces->emplace("/", std::make_shared<echo_namespace>());
  namespaces->emplace("/custom", std::make_shared<echo_namespace>());
  auto sio_server = std::make_shared<engineio::engine_server>(
      io, settings, net, engineio::cors_policy{{"*"}},
      [namespaces, sio](const std::shared_ptr<engineio::engine_socket>& s) {
        return std::make_shared<socketio::sio_connection>(s, namespaces, sio);
      });
  auto eio_server = std::make_shared<engineio::engine_server>(
      io, settings, net, engineio::cors_policy{{"*"}},
      [](const std::shared_ptr<engineio::engine_socket>& s) {
        return std::make_shared<engine_echo>(s);
      });
  auto site = std::make_shared<engineio::engine_site>(
      std::map<std::string, std::shared_ptr<engineio::engine_server>>{
          {"/socket.io/", sio_server}, {"/engine.io/", eio_server}});
  (*listener)->impl().run(http::http_connections(site, net));
  std::cout << "listening socketio " << (*listener)->address() << ":"
            << (*listener)->port() << std::endl;
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](boost::system::error_code, int) {
    site->close_all();
    (*listener)->stop();
    // Let the closes go out, then end.
    auto timer = std::make_shared<boost::asio::steady_timer>(
        io, std::chrono::milliseconds{200});
    timer->async_wait([&io, timer](boost::system::error_code) { io.stop(); });
  });
  io.run();
  return 0;
}
