#include "protocols/http/ws_handshake.hpp"

#include <boost/beast/websocket/detail/hybi13.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "protocols/http/rest_json.hpp"

namespace signalbox::http::ws {

namespace {

/// Whether the comma-separated header `value` lists `token` (any case).
bool has_token(beast::string_view value, beast::string_view token) {
  return bhttp::token_list{value}.exists(token);
}

} // namespace

std::string accept_key(std::string_view sec_websocket_key) {
  beast::websocket::detail::sec_ws_accept_type accept;
  beast::websocket::detail::make_sec_ws_accept(
      accept, {sec_websocket_key.data(), sec_websocket_key.size()});
  return {accept.data(), accept.size()};
}

std::variant<std::string, handshake_refusal>
check_upgrade(const request_type& req) {
  auto refuse = [](const char* text) { return handshake_refusal{400, text}; };
  if (req.version() != 11)
    return refuse("The WebSocket handshake was not HTTP/1.1");
  if (req.method() != bhttp::verb::get)
    return refuse("The WebSocket handshake method was not GET");
  if (req.count(bhttp::field::host) == 0)
    return refuse("The WebSocket handshake Host field is missing");
  auto connection = req.find(bhttp::field::connection);
  if (connection == req.end())
    return refuse("The WebSocket handshake Connection field is missing");
  if (!has_token(connection->value(), "upgrade"))
    return refuse("The WebSocket handshake Connection field is missing the "
                  "upgrade token");
  auto upgrade = req.find(bhttp::field::upgrade);
  if (upgrade == req.end())
    return refuse("The WebSocket handshake Upgrade field is missing");
  if (!has_token(upgrade->value(), "websocket"))
    return refuse("The WebSocket handshake Upgrade field is missing the "
                  "websocket token");
  auto key = req.find(bhttp::field::sec_websocket_key);
  if (key == req.end())
    return refuse("The WebSocket handshake Sec-WebSocket-Key field is missing");
  // A base64-encoded 16-byte nonce is exactly 24 characters.
  if (key->value().size() != 24)
    return refuse("The WebSocket handshake Sec-WebSocket-Key field is invalid");
  auto version = req.find(bhttp::field::sec_websocket_version);
  if (version == req.end())
    return refuse(
        "The WebSocket handshake Sec-WebSocket-Version field is missing");
  if (version->value() != "13")
    return handshake_refusal{
        426, "The WebSocket handshake Sec-WebSocket-Version field is invalid"};
  return accept_key({key->value().data(), key->value().size()});
}

response_type refusal_response(const handshake_refusal& refusal,
                               unsigned version) {
  auto res = make_json_response(
      refusal.status, rest::encode_error(refusal.text), version, false);
  if (refusal.status == 426)
    res.set(bhttp::field::sec_websocket_version, "13");
  return res;
}

std::string switching_protocols(std::string_view accept,
                                std::string_view subprotocol) {
  std::string out;
  out.reserve(160 + subprotocol.size());
  out += "HTTP/1.1 101 Switching Protocols\r\n"
         "Server: signalbox\r\n"
         "Upgrade: websocket\r\n"
         "Connection: Upgrade\r\n"
         "Sec-WebSocket-Accept: ";
  out += accept;
  out += "\r\n";
  if (!subprotocol.empty()) {
    out += "Sec-WebSocket-Protocol: ";
    out += subprotocol;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

std::string offered_subprotocols(const request_type& req) {
  std::string offered;
  auto range = req.equal_range(bhttp::field::sec_websocket_protocol);
  for (auto i = range.first; i != range.second; ++i) {
    if (!offered.empty())
      offered += ",";
    offered += std::string{i->value()};
  }
  return offered;
}

} // namespace signalbox::http::ws
