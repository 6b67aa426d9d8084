#include "tools/load/flood_frames.hpp"

#include <algorithm>
#include <cstring>

#include "tools/load/ws_frames.hpp"

namespace signalbox::load {

std::string_view flood_request(flooder_interface interface) {
  switch (interface) {
  case flooder_interface::jmri_tcp:
  case flooder_interface::jmri_ws:
    // Answered {"type":"pong"} (protocols/jmri/connection.cpp).
    return R"({"type":"ping"})";
  case flooder_interface::rtoc:
    // Answered {"error":false,"pluginList":{}} (docs/rtoc.md): a reply of
    // constant size, whatever the node stores, so that runs compare.
    return R"({"getPluginList":true})";
  case flooder_interface::realdds:
    // protocols/realdds/control_codec.cpp, query_options: with a
    // sensor-name (and no stream-name) the reply is `option-values: {}`,
    // the cheapest valid control (no option is listed or set).
    return R"({"id":"query-options","sensor-name":"flood"})";
  }
  return {};
}

std::string_view flood_reply_prefix(flooder_interface interface) {
  switch (interface) {
  case flooder_interface::jmri_tcp:
  case flooder_interface::jmri_ws:
    return R"({"type":"pong")";
  case flooder_interface::rtoc:
    // The node writes "error" first in every reply; pushes have none.
    return R"({"error")";
  case flooder_interface::realdds:
    // A reply's members come in name order: the echoed control first.
    return R"({"control")";
  }
  return {};
}

bool flood_over_websocket(flooder_interface interface) {
  return interface != flooder_interface::jmri_tcp;
}

flood_buffer repeat_request(std::string_view request, size_t min_bytes) {
  flood_buffer out;
  out.request_size = request.size();
  if (request.empty())
    return out;
  size_t copies =
      std::max<size_t>(1, (min_bytes + request.size() - 1) / request.size());
  out.bytes.reserve(copies * request.size());
  for (size_t i = 0; i < copies; ++i)
    out.bytes.append(request);
  return out;
}

flood_buffer make_flood_buffer(flooder_interface interface, size_t min_bytes) {
  auto json = flood_request(interface);
  if (!flood_over_websocket(interface))
    return repeat_request(json, min_bytes);
  return repeat_request(ws::masked_frame(0x1, json, flood_mask), min_bytes);
}

std::string ws_close_reason(std::string_view close_payload) {
  if (close_payload.size() < 2)
    return "ws";
  auto code =
      (static_cast<unsigned>(static_cast<uint8_t>(close_payload[0])) << 8) |
      static_cast<uint8_t>(close_payload[1]);
  auto out = "ws " + std::to_string(code);
  if (close_payload.size() > 2)
    out.append(" ").append(close_payload.substr(2));
  return out;
}

size_t ws_frame_scanner::header_size() const {
  if (header_used_ < 2)
    return 2;
  switch (header_[1] & 0x7F) {
  case 126:
    return 4;
  case 127:
    return 10;
  default:
    return 2;
  }
}

void ws_frame_scanner::begin_payload() {
  auto b0 = header_[0];
  auto b1 = header_[1];
  if ((b1 & 0x80) != 0 || (b0 & 0x70) != 0) {
    failed_ = true; // masked, or extension bits: no server frame
    return;
  }
  opcode_ = b0 & 0x0F;
  fin_ = (b0 & 0x80) != 0;
  length_ = b1 & 0x7F;
  if (header_used_ > 2) {
    length_ = 0;
    for (size_t i = 2; i < header_used_; ++i)
      length_ = (length_ << 8) | header_[i];
  }
  remaining_ = length_;
  head_used_ = 0;
  in_payload_ = true;
}

size_t ws_frame_scanner::step(std::string_view bytes, bool& done) {
  size_t used = 0;
  if (!in_payload_) {
    while (used < bytes.size() && header_used_ < header_size())
      header_[header_used_++] = static_cast<uint8_t>(bytes[used++]);
    if (header_used_ < header_size())
      return used; // the header goes on in the next read
    begin_payload();
    if (failed_)
      return used;
  }
  auto take =
      static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size() - used));
  auto keep = std::min(take, kept - head_used_);
  std::memcpy(head_.data() + head_used_, bytes.data() + used, keep);
  head_used_ += keep;
  used += take;
  remaining_ -= take;
  if (remaining_ == 0) {
    done = true;
    in_payload_ = false;
    header_used_ = 0;
  }
  return used;
}

} // namespace signalbox::load
