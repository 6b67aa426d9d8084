#include "protocols/realdds/mirror.hpp"

#include <algorithm>

#include <caf/send.hpp>

#include "protocols/http/listener.hpp"
#include "protocols/http/rest_json.hpp"
#include "protocols/http/subprotocol_codec.hpp"
#include "protocols/http/ws_frame_codec.hpp"
#include "protocols/http/ws_handshake.hpp"
#include "protocols/realdds/cbor_codec.hpp"
#include "protocols/toolkit/ask.hpp"
#include "protocols/toolkit/request_queue.hpp"

namespace signalbox::realdds {

namespace {

constexpr const char* json_subprotocol = "realdds-json";
constexpr const char* cbor_subprotocol = "realdds-cbor";

/// One mirror client: joins the hub once open, hands its controls on, one
/// at a time and in order; a client writing faster is read more slowly.
class mirror_session : public http::ws_session {
public:
  mirror_session(http::wire&& stream, net_options limits,
                 std::shared_ptr<http::session_registry> sessions,
                 std::shared_ptr<mirror_hub> hub, mirror_format format)
      : ws_session(std::move(stream), limits, std::move(sessions)),
        hub_(std::move(hub)), format_(format),
        controls_(
            limits.max_waiting_requests, limits.max_frame_bytes,
            [this](std::string& json) { return hand_on(json); },
            [this](bool paused) {
              paused ? pause_reading() : resume_reading();
            }) {
    // nop
  }

  ~mirror_session() override {
    // A session destroyed without finishing (its io_context stopped first)
    // must not stay in the hub.
    hub_->leave(this);
  }

protected:
  void on_open() override { id_ = hub_->join(this, format_); }

  void on_message(std::string_view text) override {
    controls_.push(std::string{text});
  }

  void on_binary_message(std::string_view data) override {
    // A realdds-cbor client may write its controls in CBOR too.
    auto json =
        format_ == mirror_format::cbor ? json_of_cbor(data) : std::nullopt;
    if (!json) {
      close_now(http::ws::close_code::bad_payload,
                format_ == mirror_format::cbor
                    ? "a control is one CBOR data item JSON can express"
                    : "realdds-json controls are text frames");
      return;
    }
    controls_.push(std::move(*json));
  }

  void on_closed() override {
    controls_.stop();
    hub_->leave(this);
  }

private:
  /// Sends one control to the server; the queue waits for its answer.
  bool hand_on(std::string& json) {
    auto weak = weak_from_this();
    auto strand = executor();
    hub_->control(id_, std::move(json), ++sequence_, [weak, strand] {
      boost::asio::post(strand, [weak] {
        if (auto s = weak.lock())
          static_cast<mirror_session&>(*s).controls_.resume();
      });
    });
    return false;
  }

  std::shared_ptr<mirror_hub> hub_;
  mirror_format format_;
  uint64_t id_ = 0;
  int64_t sequence_ = 0; // the sequence of the client's controls
  request_queue<std::string> controls_;
};

/// What the mirror's port serves: the WebSocket at `/`.
class mirror_site : public http::site {
public:
  mirror_site(std::shared_ptr<mirror_hub> hub, net_options limits)
      : hub_(std::move(hub)), limits_(std::move(limits)) {
    // nop
  }

  void handle(http::request_type&& req,
              http::response_callback respond) override {
    auto target = std::string{req.target()};
    auto path = target.substr(0, target.find('?'));
    if (path != "/") {
      respond(http::make_json_response(404,
                                       rest::encode_error("nothing at " + path),
                                       req.version(), req.keep_alive()));
      return;
    }
    respond(http::make_upgrade_required(
        "this is the realdds WebSocket mirror (subprotocols realdds-json, "
        "realdds-cbor)",
        req.version(), req.keep_alive()));
  }

  std::optional<http::response_type>
  upgrade(http::wire& stream, http::request_type& req,
          const std::shared_ptr<http::session_registry>& sessions) override {
    auto target = std::string{req.target()};
    auto path = target.substr(0, target.find('?'));
    if (path != "/")
      return http::make_json_response(
          404, rest::encode_error("no WebSocket endpoint at " + path),
          req.version(), false);
    auto offered = http::ws::offered_subprotocols(req);
    auto choice =
        http::choose_subprotocol(offered, {json_subprotocol, cbor_subprotocol});
    if (choice.outcome == http::subprotocol_choice::rejected)
      return http::make_json_response(
          400,
          rest::encode_error("unsupported WebSocket subprotocol '" + offered +
                             "'; this endpoint speaks realdds-json and "
                             "realdds-cbor"),
          req.version(), false);
    auto format = choice.protocol == cbor_subprotocol ? mirror_format::cbor
                                                      : mirror_format::json;
    auto ws = std::make_shared<mirror_session>(std::move(stream), limits_,
                                               sessions, hub_, format);
    ws->accept(std::move(req), choice.protocol);
    return std::nullopt;
  }

private:
  std::shared_ptr<mirror_hub> hub_;
  net_options limits_;
};

} // namespace

mirror_frames frames_of(const encoded& message) {
  return {make_shared_frame(
              http::ws::make_frame(http::ws::opcode::text, message.json)),
          make_shared_frame(
              http::ws::make_frame(http::ws::opcode::binary, message.cbor))};
}

mirror_hub::mirror_hub(boost::asio::any_io_executor io)
    : io_(io), json_(io), cbor_(io) {
  // nop
}

void mirror_hub::set_server(realdds_server_actor server,
                            caf::timespan timeout) {
  server_ = std::move(server);
  control_timeout_ = timeout;
}

uint64_t mirror_hub::join(http::ws_session* s, mirror_format format) {
  uint64_t id;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    id = next_id_++;
    waiting_.push_back({s, format, id});
  }
  caf::anon_send(server_, realdds_join_atom_v);
  return id;
}

void mirror_hub::leave(http::ws_session* s) {
  // Under the hub's lock, so that admit cannot add `s` to an audience after
  // it left; once this returns, nothing is delivered to `s`.
  std::lock_guard<std::mutex> guard{mutex_};
  auto gone = [s](const client& c) { return c.session == s; };
  waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(), gone),
                 waiting_.end());
  admitted_.erase(std::remove_if(admitted_.begin(), admitted_.end(), gone),
                  admitted_.end());
  json_.remove(s);
  cbor_.remove(s);
}

void mirror_hub::control(uint64_t id, std::string json, int64_t sequence,
                         std::function<void()> handled) {
  ask<ok_atom>(
      server_->home_system(), server_, control_timeout_,
      [handled](ok_atom) { handled(); }, [handled](caf::error&) { handled(); },
      realdds_control_atom_v, std::move(json), std::string{"websocket"},
      sequence, id);
}

bool mirror_hub::has_waiting() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return !waiting_.empty();
}

http::outbound_frame mirror_hub::frame_for(const mirror_frames& m,
                                           mirror_format format) {
  auto& frame = format == mirror_format::json ? m.json : m.cbor;
  return {frame, *frame, format == mirror_format::cbor, true};
}

void mirror_hub::admit(const std::vector<mirror_frames>& init) {
  std::vector<std::shared_ptr<http::ws_session>> due;
  {
    // Under the lock a waiting client cannot leave; it joins its audience
    // before the lock is released, so the next broadcast reaches it, after
    // its initialization.
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& c : waiting_) {
      for (auto& m : init)
        if (auto d = c.session->queue_frame(frame_for(m, c.format)))
          due.push_back(std::move(d));
      (c.format == mirror_format::json ? json_ : cbor_).add(c.session);
      admitted_.push_back(c);
    }
    waiting_.clear();
  }
  flush_all(io_, std::move(due));
}

void mirror_hub::broadcast(const mirror_frames& message) {
  json_.send(frame_for(message, mirror_format::json));
  cbor_.send(frame_for(message, mirror_format::cbor));
}

void mirror_hub::send_to(uint64_t id, const mirror_frames& message) {
  std::vector<std::shared_ptr<http::ws_session>> due;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& c : admitted_)
      if (c.id == id)
        if (auto d = c.session->queue_frame(frame_for(message, c.format)))
          due.push_back(std::move(d));
  }
  flush_all(io_, std::move(due));
}

size_t mirror_hub::size() const {
  return json_.size() + cbor_.size();
}

void serve_mirror(http::bound_listener& listener,
                  std::shared_ptr<mirror_hub> hub, net_options limits) {
  // realdds' own bound: a control is one flexible message.
  limits.max_frame_bytes = max_message_bytes;
  listener.impl().run(http::http_connections(
      std::make_shared<mirror_site>(std::move(hub), limits), limits));
}

} // namespace signalbox::realdds
