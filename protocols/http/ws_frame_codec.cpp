#include "protocols/http/ws_frame_codec.hpp"

#include <cstring>

namespace signalbox::http::ws {

namespace {

constexpr uint8_t fin_bit = 0x80;
constexpr uint8_t rsv_bits = 0x70;
constexpr uint8_t opcode_bits = 0x0F;
constexpr uint8_t mask_bit = 0x80;
constexpr uint8_t length_bits = 0x7F;

bool is_control(opcode op) noexcept {
  return (static_cast<uint8_t>(op) & 0x8) != 0;
}

bool known_opcode(uint8_t op) noexcept {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

/// Unmasks the `size` bytes of a payload in place.
void unmask(char* data, size_t size, const uint8_t key[4]) noexcept {
  // Word at a time: payloads of notifications and commands are small, but
  // a 64 KiB message should not cost a branch per byte.
  uint32_t word;
  std::memcpy(&word, key, 4);
  uint64_t wide = (uint64_t{word} << 32) | word;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, data + i, 8);
    chunk ^= wide;
    std::memcpy(data + i, &chunk, 8);
  }
  for (; i < size; ++i)
    data[i] = static_cast<char>(data[i] ^ key[i % 4]);
}

} // namespace

size_t write_header(char* out, opcode op, uint64_t payload_size) noexcept {
  out[0] = static_cast<char>(fin_bit | static_cast<uint8_t>(op));
  if (payload_size <= 125) {
    out[1] = static_cast<char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<char>(payload_size >> 8);
    out[3] = static_cast<char>(payload_size & 0xFF);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<char>((payload_size >> (56 - 8 * i)) & 0xFF);
  return 10;
}

std::string make_frame(opcode op, std::string_view payload) {
  char header[max_header_bytes];
  auto n = write_header(header, op, payload.size());
  std::string frame;
  frame.reserve(n + payload.size());
  frame.append(header, n);
  frame.append(payload);
  return frame;
}

std::string make_close_frame(uint16_t code, std::string_view reason) {
  if (code == close_code::no_status)
    return make_frame(opcode::close, {});
  constexpr size_t max_reason = max_control_payload - 2;
  if (reason.size() > max_reason) {
    auto cut = max_reason;
    // Back up over continuation bytes so the reason stays valid UTF-8.
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80)
      --cut;
    reason = reason.substr(0, cut);
  }
  std::string body;
  body.reserve(2 + reason.size());
  body.push_back(static_cast<char>(code >> 8));
  body.push_back(static_cast<char>(code & 0xFF));
  body.append(reason);
  return make_frame(opcode::close, body);
}

bool valid_close_code(uint16_t code) noexcept {
  if (code >= 3000 && code <= 4999)
    return true;
  switch (code) {
  case 1000:
  case 1001:
  case 1002:
  case 1003:
  case 1007:
  case 1008:
  case 1009:
  case 1010:
  case 1011:
  case 1012:
  case 1013:
  case 1014:
    return true;
  default:
    return false;
  }
}

frame_parser::event frame_parser::parse(char* data, size_t size) {
  auto fail = [](uint16_t code, const char* reason) {
    event e;
    e.what = kind::error;
    e.code = code;
    e.reason = reason;
    return e;
  };
  auto need = [this](size_t total) {
    wanted_ = total;
    return event{};
  };
  if (!in_message_ && !assembled_.empty()) {
    // The last fragmented message was handed out by the previous call: let
    // its memory go, so that an idle connection does not keep the largest
    // message it ever sent.
    if (assembled_.capacity() > 4096)
      std::string{}.swap(assembled_);
    else
      assembled_.clear();
  }
  if (size < 2)
    return need(0);
  auto b0 = static_cast<uint8_t>(data[0]);
  auto b1 = static_cast<uint8_t>(data[1]);
  bool fin = (b0 & fin_bit) != 0;
  auto raw_op = static_cast<uint8_t>(b0 & opcode_bits);
  // No extension is ever negotiated, so no reserved bit may be set.
  if ((b0 & rsv_bits) != 0)
    return fail(close_code::protocol_error, "reserved bits set");
  if (!known_opcode(raw_op))
    return fail(close_code::protocol_error, "unknown opcode");
  auto op = static_cast<opcode>(raw_op);
  if ((b1 & mask_bit) == 0)
    return fail(close_code::protocol_error, "client frame not masked");
  size_t header = 2;
  uint64_t length = b1 & length_bits;
  // RFC 6455 5.2: "the minimal number of bytes MUST be used to encode the
  // length"; a longer form is refused like any other protocol error.
  if (length == 126) {
    if (size < 4)
      return need(0);
    length = (uint64_t{static_cast<uint8_t>(data[2])} << 8) |
             static_cast<uint8_t>(data[3]);
    if (length < 126)
      return fail(close_code::protocol_error, "non-minimal frame length");
    header = 4;
  } else if (length == 127) {
    if (size < 10)
      return need(0);
    length = 0;
    for (int i = 0; i < 8; ++i)
      length = (length << 8) | static_cast<uint8_t>(data[2 + i]);
    if (length >> 63)
      return fail(close_code::protocol_error, "frame length out of range");
    if (length <= 0xFFFF)
      return fail(close_code::protocol_error, "non-minimal frame length");
    header = 10;
  }
  header += 4; // the masking key
  if (is_control(op)) {
    if (!fin)
      return fail(close_code::protocol_error, "fragmented control frame");
    if (length > max_control_payload)
      return fail(close_code::protocol_error, "control frame too long");
  } else if (op == opcode::continuation) {
    if (!in_message_)
      return fail(close_code::protocol_error, "continuation without message");
  } else if (in_message_) {
    return fail(close_code::protocol_error, "message interrupted");
  }
  if (!is_control(op)) {
    // Checked before the payload arrives: a peer announcing a huge message
    // is refused without the node buffering any of it.
    auto so_far = op == opcode::continuation ? assembled_.size() : 0;
    if (length > max_message_ || so_far + length > max_message_)
      return fail(close_code::too_big, "message too big");
  }
  if (size < header + length)
    return need(header + length);
  wanted_ = 0;
  uint8_t key[4];
  std::memcpy(key, data + header - 4, 4);
  char* payload = data + header;
  auto n = static_cast<size_t>(length);
  unmask(payload, n, key);
  event e;
  e.consumed = header + n;
  std::string_view body{payload, n};
  switch (op) {
  case opcode::ping:
    e.what = kind::ping;
    e.payload = body;
    return e;
  case opcode::pong:
    e.what = kind::pong;
    e.payload = body;
    return e;
  case opcode::close:
    e.what = kind::close;
    if (n == 0) {
      e.code = close_code::no_status;
      return e;
    }
    if (n == 1)
      return fail(close_code::protocol_error, "close frame body of 1 byte");
    e.code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                   static_cast<uint8_t>(payload[1]));
    if (!valid_close_code(e.code))
      return fail(close_code::protocol_error, "invalid close code");
    e.payload = body.substr(2);
    if (!valid_utf8(e.payload))
      return fail(close_code::bad_payload, "close reason not UTF-8");
    return e;
  default:
    break;
  }
  // A data frame.
  if (op != opcode::continuation)
    message_type_ = op;
  if (!fin) {
    if (op != opcode::continuation) {
      assembled_.clear();
      checked_ = 0;
    }
    assembled_.append(body);
    in_message_ = true;
    // Text fails on the fragment that breaks it, not at the end of a
    // message that may be long (Autobahn 6.4): only a sequence cut by the
    // fragment boundary waits for the next fragment.
    if (message_type_ == opcode::text) {
      auto complete =
          utf8_complete_prefix(std::string_view{assembled_}.substr(checked_));
      if (!complete)
        return fail(close_code::bad_payload, "text message not UTF-8");
      checked_ += *complete;
    }
    e.what = kind::frame;
    return e;
  }
  std::string_view message = body;
  size_t unchecked_from = 0;
  if (op == opcode::continuation) {
    assembled_.append(body);
    message = assembled_;
    unchecked_from = checked_;
    in_message_ = false;
  }
  if (message_type_ == opcode::text &&
      !valid_utf8(message.substr(unchecked_from)))
    return fail(close_code::bad_payload, "text message not UTF-8");
  e.what = kind::message;
  e.type = message_type_;
  e.payload = message;
  return e;
}

} // namespace signalbox::http::ws
