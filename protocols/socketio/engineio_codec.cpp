#include "protocols/socketio/engineio_codec.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <sys/random.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/base64.hpp"

namespace signalbox::engineio {

namespace {

/// The record separator between the packets of a polling payload.
constexpr char record_separator = '\x1e';

/// The packet type of a type digit, if it is one.
std::optional<packet_type> type_of(char digit) {
  if (digit < '0' || digit > '6')
    return std::nullopt;
  return static_cast<packet_type>(digit);
}

/// The value of a hex digit, or -1.
int hex_value(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

/// Decodes one query component as Node's querystring.unescape does for
/// url.parse(target, true): '+' is a space, %XX is a byte, and a '%' that
/// does not start a valid escape stays as it is (Node never rejects a
/// query, it just leaves malformed escapes alone).
std::string query_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '+') {
      out += ' ';
    } else if (ch == '%' && i + 2 < text.size() &&
               hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 +
                               hex_value(text[i + 2]));
      i += 2;
    } else {
      out += ch;
    }
  }
  return out;
}

/// Fills `out` from the operating system's random source: getrandom(2),
/// which blocks only until the kernel's pool is initialised at boot.
void random_bytes(unsigned char* out, size_t size) {
  size_t filled = 0;
  while (filled < size) {
    auto n = ::getrandom(out + filled, size - filled, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      break; // e.g. ENOSYS on an old kernel: fall back to /dev/urandom
    }
    filled += static_cast<size_t>(n);
  }
  if (filled == size)
    return;
  auto* file = std::fopen("/dev/urandom", "rb");
  if (file == nullptr)
    throw std::runtime_error("no random source for session ids");
  auto n = std::fread(out + filled, 1, size - filled, file);
  std::fclose(file);
  if (n != size - filled)
    throw std::runtime_error("short read from /dev/urandom");
}

} // namespace

// -- packets ------------------------------------------------------------------

std::optional<packet> decode_packet(std::string_view text, bool allow_base64) {
  if (text.empty())
    return std::nullopt;
  if (text.front() == 'b') {
    if (!allow_base64)
      return std::nullopt;
    auto bytes = base64_decode(text.substr(1));
    if (!bytes)
      return std::nullopt;
    return packet{packet_type::message, true, std::move(*bytes)};
  }
  auto type = type_of(text.front());
  if (!type)
    return std::nullopt;
  return packet{*type, false, std::string{text.substr(1)}};
}

packet decode_binary_frame(std::string_view bytes) {
  return packet{packet_type::message, true, std::string{bytes}};
}

std::optional<std::vector<packet>> decode_payload(std::string_view body) {
  // As engine.io-parser's decodePayload: split on every separator (so an
  // empty body or an empty record is an empty packet, which is invalid).
  std::vector<packet> packets;
  size_t start = 0;
  for (;;) {
    auto end = body.find(record_separator, start);
    auto record = body.substr(start, end == std::string_view::npos
                                         ? std::string_view::npos
                                         : end - start);
    auto decoded = decode_packet(record, true);
    if (!decoded)
      return std::nullopt;
    packets.push_back(std::move(*decoded));
    if (end == std::string_view::npos)
      return packets;
    start = end + 1;
  }
}

std::string encode_packet(const packet& p) {
  if (p.binary)
    return "b" + base64_encode(p.data);
  std::string out;
  out.reserve(1 + p.data.size());
  out += static_cast<char>(p.type);
  out += p.data;
  return out;
}

void append_to_payload(std::string& payload, std::string_view bytes,
                       bool binary) {
  if (!payload.empty())
    payload += record_separator;
  if (binary) {
    payload += 'b';
    payload += base64_encode(bytes);
  } else {
    payload += bytes;
  }
}

// -- handshake ----------------------------------------------------------------

std::string open_packet(const handshake& h) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  // The key order of the Node server, which clients and tests may compare
  // textually.
  w.StartObject();
  w.Key("sid");
  w.String(h.sid.data(), static_cast<rapidjson::SizeType>(h.sid.size()));
  w.Key("upgrades");
  w.StartArray();
  if (h.can_upgrade)
    w.String("websocket");
  w.EndArray();
  w.Key("pingInterval");
  w.Int64(h.ping_interval.count());
  w.Key("pingTimeout");
  w.Int64(h.ping_timeout.count());
  w.Key("maxPayload");
  w.Uint64(h.max_payload);
  w.EndObject();
  return "0" + std::string{buf.GetString(), buf.GetSize()};
}

// -- errors -------------------------------------------------------------------

std::string_view error_message(error_code code) {
  switch (code) {
  case error_code::unknown_transport:
    return "Transport unknown";
  case error_code::unknown_sid:
    return "Session ID unknown";
  case error_code::bad_handshake_method:
    return "Bad handshake method";
  case error_code::bad_request:
    return "Bad request";
  case error_code::forbidden:
    return "Forbidden";
  case error_code::unsupported_protocol_version:
    return "Unsupported protocol version";
  }
  return "Bad request";
}

unsigned error_status(error_code code) {
  return code == error_code::forbidden ? 403 : 400;
}

std::string error_body(error_code code) {
  // The messages are plain ASCII without quotes: no escaping needed.
  return R"({"code":)" + std::to_string(static_cast<int>(code)) +
         R"(,"message":")" + std::string{error_message(code)} + R"("})";
}

// -- request targets ----------------------------------------------------------

request_query parse_query(std::string_view target) {
  request_query result;
  auto question = target.find('?');
  if (question == std::string_view::npos)
    return result;
  auto query = target.substr(question + 1);
  // url.parse drops a fragment; request targets should not carry one, but a
  // stray '#' must not end up inside a value.
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    auto amp = query.find('&');
    auto field = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{}
                                          : query.substr(amp + 1);
    if (field.empty())
      continue;
    auto eq = field.find('=');
    auto name = query_unescape(field.substr(0, eq));
    // A parameter without '=' has the empty value, as in querystring.parse.
    auto value = eq == std::string_view::npos
                     ? std::string{}
                     : query_unescape(field.substr(eq + 1));
    std::optional<std::string>* slot = nullptr;
    if (name == "EIO")
      slot = &result.eio;
    else if (name == "transport")
      slot = &result.transport;
    else if (name == "sid")
      slot = &result.sid;
    if (slot != nullptr && !slot->has_value())
      *slot = std::move(value);
  }
  return result;
}

std::optional<transport_kind> parse_transport(std::string_view name) {
  if (name == "polling")
    return transport_kind::polling;
  if (name == "websocket")
    return transport_kind::websocket;
  return std::nullopt;
}

std::string_view target_path(std::string_view target) {
  return target.substr(0, target.find('?'));
}

std::string make_session_id() {
  // 15 bytes are exactly 20 base64 digits, without padding; the URL-safe
  // alphabet keeps the id free of characters a query needs escaped.
  std::array<unsigned char, 15> bytes{};
  random_bytes(bytes.data(), bytes.size());
  auto id = base64_encode(std::string_view{
      reinterpret_cast<const char*>(bytes.data()), bytes.size()});
  for (auto& ch : id) {
    if (ch == '+')
      ch = '-';
    else if (ch == '/')
      ch = '_';
  }
  return id;
}

} // namespace signalbox::engineio
