#include "protocols/socketio/engine_server.hpp"

#include <algorithm>

#include <boost/asio/strand.hpp>
#include <boost/beast/http/field.hpp>

#include "protocols/socketio/engine_ws.hpp"

namespace signalbox::engineio {

namespace bhttp = http::bhttp;

bool cors_policy::allows(std::string_view origin) const {
  if (origin.empty())
    return false;
  return std::any_of(origins.begin(), origins.end(),
                     [&](const auto& o) { return o == "*" || o == origin; });
}

engine_server::engine_server(boost::asio::io_context& io,
                             engine_settings settings, net_options limits,
                             cors_policy cors, handler_factory make_handler)
    : io_(io), settings_(std::move(settings)), limits_(std::move(limits)),
      cors_(std::move(cors)), make_handler_(std::move(make_handler)),
      table_(std::make_shared<socket_table>()) {
  // A WebSocket message is bounded by max-payload, as Node's
  // maxHttpBufferSize bounds both transports.
  limits_.max_frame_bytes = static_cast<size_t>(settings_.max_payload);
}

std::shared_ptr<engine_socket> engine_server::make_socket() {
  auto socket = std::make_shared<engine_socket>(
      boost::asio::make_strand(io_), make_session_id(), settings_, table_);
  socket->set_handler(make_handler_(socket));
  table_->add(socket->sid(), socket);
  return socket;
}

void engine_server::add_cors(const http::request_type& req,
                             http::response_type& res) const {
  auto origin = req[bhttp::field::origin];
  if (!cors_.allows({origin.data(), origin.size()}))
    return;
  res.set(bhttp::field::access_control_allow_origin, origin);
  res.set(bhttp::field::access_control_allow_credentials, "true");
  res.set(bhttp::field::vary, "Origin");
}

http::response_type engine_server::make_response(const http::request_type& req,
                                                 http_answer answer) const {
  http::response_type res{static_cast<bhttp::status>(answer.status),
                          req.version()};
  res.set(bhttp::field::server, "signalbox");
  switch (answer.kind) {
  case answer_kind::payload:
    // The JS client needs exactly this type on polling answers (§5.7).
    res.set(bhttp::field::content_type, "text/plain; charset=UTF-8");
    break;
  case answer_kind::ok:
    res.set(bhttp::field::content_type, "text/html");
    break;
  case answer_kind::error:
    res.set(bhttp::field::content_type, "application/json");
    break;
  }
  add_cors(req, res);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(answer.body);
  res.prepare_payload();
  return res;
}

void engine_server::handle(
    http::request_type&& req, http::response_callback respond,
    const std::shared_ptr<http::connection_watch>& watch) {
  // A CORS preflight from an allowed origin.
  auto origin = req[bhttp::field::origin];
  if (req.method() == bhttp::verb::options &&
      cors_.allows({origin.data(), origin.size()})) {
    auto res = make_response(req, {204, answer_kind::ok, ""});
    res.erase(bhttp::field::content_type);
    res.set(bhttp::field::access_control_allow_methods,
            "GET,HEAD,PUT,PATCH,POST,DELETE");
    if (auto h = req[bhttp::field::access_control_request_headers]; !h.empty())
      res.set(bhttp::field::access_control_allow_headers, h);
    res.prepare_payload();
    respond(std::move(res));
    return;
  }
  auto query = parse_query({req.target().data(), req.target().size()});
  // What is needed to answer, kept by the session while a GET waits.
  auto request = std::make_shared<http::request_type>();
  request->version(req.version());
  request->keep_alive(req.keep_alive());
  if (!origin.empty())
    request->set(bhttp::field::origin, origin);
  answer_callback answer = [self = shared_from_this(), request,
                            respond = std::move(respond)](http_answer a) {
    respond(self->make_response(*request, std::move(a)));
  };
  // The checks, in the order of the Node server's verify() and handshake().
  auto transport =
      query.transport ? parse_transport(*query.transport) : std::nullopt;
  if (!transport) {
    answer(error_answer(error_code::unknown_transport));
    return;
  }
  if (query.sid) {
    auto socket = table_->find(*query.sid);
    if (!socket) {
      answer(error_answer(error_code::unknown_sid));
      return;
    }
    if (*transport != transport_kind::polling) {
      answer(error_answer(error_code::bad_request));
      return;
    }
    if (req.method() == bhttp::verb::get) {
      socket->on_poll(std::move(answer), watch);
      return;
    }
    if (req.method() == bhttp::verb::post) {
      // Protocol 4 carries binary as base64 in text payloads; the Node
      // server refuses binary POST bodies.
      if (req[bhttp::field::content_type] == "application/octet-stream") {
        answer(error_answer(error_code::bad_request));
        socket->close("transport error");
        return;
      }
      socket->on_post(std::move(req.body()), std::move(answer));
      return;
    }
    answer(error_answer(error_code::bad_request));
    return;
  }
  if (req.method() != bhttp::verb::get) {
    answer(error_answer(error_code::bad_handshake_method));
    return;
  }
  if (*transport != transport_kind::polling) {
    // A WebSocket handshake that is not an upgrade request.
    answer(error_answer(error_code::bad_request));
    return;
  }
  if (query.eio != "4") {
    answer(error_answer(error_code::unsupported_protocol_version));
    return;
  }
  auto socket = make_socket();
  boost::asio::dispatch(socket->executor(),
                        [socket, answer = std::move(answer)]() mutable {
                          socket->open_polling(std::move(answer));
                        });
}

std::optional<http::response_type> engine_server::upgrade(
    http::wire& stream, http::request_type& req,
    const std::shared_ptr<http::session_registry>& sessions) {
  auto query = parse_query({req.target().data(), req.target().size()});
  auto refuse = [&](error_code code) {
    auto res = make_response(req, error_answer(code));
    res.keep_alive(false);
    return res;
  };
  auto transport =
      query.transport ? parse_transport(*query.transport) : std::nullopt;
  if (!transport)
    return refuse(error_code::unknown_transport);
  if (*transport != transport_kind::websocket)
    return refuse(error_code::bad_request);
  std::shared_ptr<engine_socket> socket;
  auto role = engine_ws::role::upgrade;
  if (query.sid) {
    socket = table_->find(*query.sid);
    if (!socket)
      return refuse(error_code::unknown_sid);
  } else {
    if (query.eio != "4")
      return refuse(error_code::unsupported_protocol_version);
    socket = make_socket();
    role = engine_ws::role::open_session;
  }
  auto ws = std::make_shared<engine_ws>(std::move(stream), limits_, sessions,
                                        socket, role);
  // No permessage-deflate: the Node server's default is off too.
  ws->accept(std::move(req), "");
  return std::nullopt;
}

void engine_server::body_too_large(const http::request_type& req) {
  auto query = parse_query({req.target().data(), req.target().size()});
  if (!query.sid)
    return;
  if (auto socket = table_->find(*query.sid))
    socket->on_oversized_post();
}

void engine_server::close_all() {
  for (auto& socket : table_->all())
    socket->close("server shutting down");
}

} // namespace signalbox::engineio
