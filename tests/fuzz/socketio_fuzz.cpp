// Fuzz target: the Engine.IO, Socket.IO and relay codecs.
// - The input as a polling body: every decoded packet encodes to a record
//   that decodes back to it, and the records re-joined decode to the same
//   packets.
// - The input (and every text record) as a Socket.IO packet: a decoded
//   packet survives encode and decode; its data is valid JSON of the kind
//   its type requires; events split into a name and an arguments array
//   that event_data joins back into an event with the same name and
//   arguments; the relay's checks on those arguments hold what they
//   promise, and the frames they lead to decode as events again.
// - base64: decoding is the exact inverse of encoding.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/base64.hpp"
#include "protocols/socketio/engineio_codec.hpp"
#include "protocols/socketio/relay_codec.hpp"
#include "protocols/socketio/socketio_codec.hpp"

namespace {

namespace eio = signalbox::engineio;
namespace sio = signalbox::socketio;
namespace relay = signalbox::relay;

void require(bool condition) {
  if (!condition)
    std::abort();
}

/// Parses `json` (which the codecs produced or accepted) and requires
/// success.
rapidjson::Document require_json(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag |
            rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  require(!doc.HasParseError());
  return doc;
}

/// A frame the relay built: `42[...]`, an event on the main namespace
/// named `name`; returns its arguments.
std::string require_frame(const std::string& frame, std::string_view name) {
  require(frame.size() > 2 && frame.compare(0, 2, "42") == 0);
  auto decoded = sio::decode(std::string_view{frame}.substr(1));
  require(decoded.ok());
  require(decoded.value->type == sio::packet_type::event);
  require(decoded.value->nsp == "/" && !decoded.value->ack_id);
  auto ev = sio::read_event(*decoded.value);
  require(ev && ev->name == name);
  return ev->args_json;
}

void check_relay(std::string_view args_json) {
  if (auto id = relay::monitor_id_of(args_json)) {
    require(sio::first_arg_is_object(args_json));
    require(sio::string_member(args_json, "monitor_id") == id);
    require(!id->empty() && id->size() <= 4 * relay::monitor_id_length);
  }
  if (auto command = relay::command_of(args_json)) {
    require(!command->empty());
    require(sio::first_arg_is_object(args_json));
    auto args =
        require_frame(relay::command_do_frame(*command), relay::ev_command_do);
    require(relay::command_of(args) == command);
  }
  auto reason = relay::error_reason_of(args_json);
  auto args =
      require_frame(relay::reason_frame(relay::ev_command_failed, reason),
                    relay::ev_command_failed);
  require(relay::error_reason_of(args) == reason);
}

void check_event(const sio::packet& p) {
  auto ev = sio::read_event(p);
  bool is_event = p.type == sio::packet_type::event ||
                  p.type == sio::packet_type::binary_event;
  // Decode accepted it, so it is a valid event exactly when it is one.
  require(ev.has_value() == is_event);
  if (!ev)
    return;
  require(!sio::is_reserved_event(ev->name));
  auto args = require_json(ev->args_json);
  require(args.IsArray());
  // Joining name and arguments again gives an event with the same parts.
  sio::packet joined;
  joined.data = sio::event_data(ev->name, ev->args_json);
  auto again = sio::read_event(joined);
  require(again.has_value());
  require(again->args_json == ev->args_json);
  // A numeric name comes back as its text, now a string.
  require(again->name == ev->name);
  check_relay(ev->args_json);
}

void check_socketio(std::string_view text) {
  auto decoded = sio::decode(text);
  require(decoded.ok() == decoded.error.empty());
  if (!decoded.ok())
    return;
  auto& p = *decoded.value;
  require(!p.nsp.empty() && p.nsp.front() == '/');
  require(p.nsp.find(',') == std::string::npos);
  require(p.attachments <= 10);
  if (p.type != sio::packet_type::binary_event &&
      p.type != sio::packet_type::binary_ack)
    require(p.attachments == 0);
  if (p.ack_id)
    require(*p.ack_id <= 999999999999999ull);
  if (!p.data.empty()) {
    auto doc = require_json(p.data);
    switch (p.type) {
    case sio::packet_type::connect:
      require(doc.IsObject());
      break;
    case sio::packet_type::disconnect:
      require(false);
      break;
    case sio::packet_type::connect_error:
      require(doc.IsObject() || doc.IsString());
      break;
    case sio::packet_type::event:
    case sio::packet_type::binary_event:
    case sio::packet_type::ack:
    case sio::packet_type::binary_ack:
      require(doc.IsArray());
      break;
    }
  }
  auto encoded = sio::encode(p);
  auto redecoded = sio::decode(encoded);
  require(redecoded.ok() && *redecoded.value == p);
  require(sio::encode(*redecoded.value) == encoded);
  require(sio::encode_message(p) == "4" + encoded);
  check_event(p);
}

void check_engineio(std::string_view input) {
  if (auto packets = eio::decode_payload(input)) {
    require(!packets->empty());
    std::string body;
    for (auto& p : *packets) {
      auto record = eio::encode_packet(p);
      auto back = eio::decode_packet(record, true);
      require(back && *back == p);
      eio::append_to_payload(body, p.binary ? p.data : record, p.binary);
      if (!p.binary && p.type == eio::packet_type::message)
        check_socketio(p.data);
    }
    auto again = eio::decode_payload(body);
    require(again && *again == *packets);
  }
  // Over WebSocket: one packet, no base64.
  if (auto ws = eio::decode_packet(input)) {
    require(!ws->binary);
    require(eio::encode_packet(*ws) == input);
  }
  require(eio::decode_binary_frame(input).data == input);
  // The query parser takes anything.
  auto q = eio::parse_query(input);
  if (q.transport)
    eio::parse_transport(*q.transport);
  require(input.substr(0, eio::target_path(input).size()) ==
          eio::target_path(input));
}

void check_base64(std::string_view input) {
  auto text = signalbox::base64_encode(input);
  require(text.size() % 4 == 0);
  auto back = signalbox::base64_decode(text);
  require(back && *back == input);
  if (auto bytes = signalbox::base64_decode(input))
    require(signalbox::base64_encode(*bytes) == input);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};
  check_engineio(input);
  check_socketio(input);
  // The input as the arguments of an event (which read_event would have
  // produced in compact form, but the checks must hold for any text).
  check_relay(input);
  check_base64(input);
  return 0;
}
