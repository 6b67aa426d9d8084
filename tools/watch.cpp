// signalbox-watch: prints every ttmnotify notification of a node, one JSON
// object per line. A small WebSocket client for people and shell scripts:
//
//   signalbox-watch [ws://HOST:PORT/]        (default ws://127.0.0.1:1777/)
//
// Exits 0 when the node closes the connection, 1 on errors.
#include <iostream>
#include <regex>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

int main(int argc, char** argv) {
  std::string url = argc > 1 ? argv[1] : "ws://127.0.0.1:1777/";
  std::smatch m;
  static const std::regex pattern{R"(^ws://([^/:]+)(?::(\d+))?(/.*)?$)"};
  if (!std::regex_match(url, m, pattern)) {
    std::cerr << "usage: signalbox-watch [ws://HOST:PORT/PATH]" << std::endl;
    return 2;
  }
  std::string host = m[1];
  std::string port = m[2].matched ? std::string{m[2]} : "1777";
  std::string path = m[3].matched ? std::string{m[3]} : "/";
  try {
    boost::asio::io_context io;
    tcp::resolver resolver{io};
    websocket::stream<tcp::socket> ws{io};
    boost::asio::connect(ws.next_layer(), resolver.resolve(host, port));
    ws.set_option(
        websocket::stream_base::decorator([](websocket::request_type& req) {
          req.set(beast::http::field::sec_websocket_protocol, "ttmnotify");
        }));
    ws.handshake(host + ":" + port, path);
    std::cerr << "connected to " << url << std::endl;
    for (;;) {
      beast::flat_buffer buffer;
      beast::error_code ec;
      ws.read(buffer, ec);
      if (ec == websocket::error::closed) {
        std::cerr << "closed by the node: " << ws.reason().code << " "
                  << ws.reason().reason << std::endl;
        return 0;
      }
      if (ec)
        throw beast::system_error{ec};
      std::cout << beast::buffers_to_string(buffer.data()) << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "signalbox-watch: " << e.what() << std::endl;
    return 1;
  }
}
