#include "protocols/ttmnotify/formats.hpp"

#include "protocols/http/ws_frame_codec.hpp"
#include "protocols/ttmnotify/codec.hpp"

namespace signalbox::ttmnotify {

namespace {

std::string encode_ws(const domain_event& event) {
  // Framed once. The bare JSON is not cached beside it: sessions only ever
  // write the frame, so a second copy would just live as long as the event.
  auto json = encode(event);
  if (json.empty())
    return json;
  return http::ws::make_frame(http::ws::opcode::text, json);
}

} // namespace

wire_format json_format() {
  static const wire_format format = wire_format::add("ttmnotify", encode);
  return format;
}

wire_format ws_format() {
  static const wire_format format = wire_format::add("ttmnotify-ws", encode_ws);
  return format;
}

} // namespace signalbox::ttmnotify
