#include "protocols/socketio/relay_codec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/socketio/socketio_codec.hpp"

namespace signalbox::relay {

namespace {

/// The number of code points of a UTF-8 string (the strings here come out
/// of validated JSON): Python's len() of the same text.
size_t code_points(std::string_view utf8) {
  size_t count = 0;
  for (char ch : utf8)
    if ((static_cast<unsigned char>(ch) & 0xc0) != 0x80)
      ++count;
  return count;
}

/// `42[<event>,{<key>:<value>}]`, JSON-escaped by RapidJSON's writer
/// (quotes, backslashes and control characters escaped, other text kept as
/// UTF-8). The texts are UTF-8: our constants, or strings read from
/// validated JSON.
std::string frame(std::string_view event, const char* key,
                  std::string_view value) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartArray();
  w.String(event.data(), static_cast<rapidjson::SizeType>(event.size()));
  w.StartObject();
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  w.EndObject();
  w.EndArray();
  socketio::packet p;
  p.type = socketio::packet_type::event;
  p.data.assign(buf.GetString(), buf.GetSize());
  return socketio::encode_message(p);
}

} // namespace

std::optional<std::string> monitor_id_of(std::string_view args_json) {
  auto id = socketio::string_member(args_json, "monitor_id");
  if (!id || code_points(*id) != monitor_id_length)
    return std::nullopt;
  return id;
}

std::optional<std::string> command_of(std::string_view args_json) {
  auto command = socketio::string_member(args_json, "command");
  if (!command || command->empty())
    return std::nullopt;
  return command;
}

std::string error_reason_of(std::string_view args_json) {
  auto reason = socketio::string_member(args_json, "reason");
  return reason ? std::move(*reason) : std::string{reason_unspecified_error};
}

std::string reason_frame(std::string_view event, std::string_view reason) {
  return frame(event, "reason", reason);
}

std::string command_do_frame(std::string_view command) {
  return frame(ev_command_do, "command", command);
}

} // namespace signalbox::relay
