#include "protocols/socketio/socketio_codec.hpp"

#include <array>
#include <cmath>
#include <limits>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/utf8.hpp"
#include "protocols/json/strict_json.hpp"

namespace signalbox::socketio {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

using json::nesting_depth;
using json::to_json;

/// The deepest nesting of arrays and objects we accept. Parsing is
/// iterative, but whoever writes a value back with RapidJSON's Accept()
/// recurses once per level; no real payload comes anywhere near this.
constexpr size_t max_json_depth = 1000;

/// An ack id has at most this many digits: the reference reads it into a
/// JavaScript Number, which is exact only up to 2^53 (16 digits).
constexpr size_t max_ack_id_digits = 15;

constexpr std::array<std::string_view, 6> reserved_events = {
    "connect",       "connect_error", "disconnect",
    "disconnecting", "newListener",   "removeListener",
};

bool is_digit(char ch) {
  return ch >= '0' && ch <= '9';
}

/// Parses one complete JSON text, as JSON.parse would accept it (minus
/// lone surrogate escapes, which have no UTF-8 form, and numbers beyond
/// double, which RapidJSON refuses), within max_json_depth.
bool parse_json(std::string_view text, rapidjson::Document& doc) {
  // RapidJSON's memory stream reads a NUL byte as the end of the input, so
  // `["x"]\0garbage` would pass. A raw NUL is never valid JSON text (in a
  // string it must be escaped), so refuse it outright.
  if (text.find('\0') != std::string_view::npos)
    return false;
  if (nesting_depth(text) > max_json_depth)
    return false;
  json::parse(doc, text);
  return !doc.HasParseError() && !json::has_lone_low_surrogate(text);
}

void put_string(json_writer& w, std::string_view str) {
  w.String(str.data(), static_cast<rapidjson::SizeType>(str.size()));
}

std::string_view view_of(const rapidjson::Value& str) {
  return {str.GetString(), str.GetStringLength()};
}

/// socket.io-parser's test on the first element of an event array.
bool is_event_name(const rapidjson::Value& first) {
  return first.IsNumber() ||
         (first.IsString() && !is_reserved_event(view_of(first)));
}

/// socket.io-parser's Decoder.isPayloadValid for a parsed payload.
bool is_payload_valid(packet_type type, const rapidjson::Value& payload) {
  switch (type) {
  case packet_type::connect:
    return payload.IsObject();
  case packet_type::disconnect:
    return false; // only valid without any payload
  case packet_type::connect_error:
    return payload.IsString() || payload.IsObject();
  case packet_type::event:
  case packet_type::binary_event:
    return payload.IsArray() && !payload.Empty() && is_event_name(payload[0]);
  case packet_type::ack:
  case packet_type::binary_ack:
    return payload.IsArray();
  }
  return false;
}

bool is_binary(packet_type type) {
  return type == packet_type::binary_event || type == packet_type::binary_ack;
}

bool is_event(packet_type type) {
  return type == packet_type::event || type == packet_type::binary_event;
}

/// The event name of a number, in the text JavaScript gives it when it
/// becomes an event-emitter key: integers without a fraction.
std::string number_name(const rapidjson::Value& number) {
  if (number.IsInt64())
    return std::to_string(number.GetInt64());
  if (number.IsUint64())
    return std::to_string(number.GetUint64());
  auto value = number.GetDouble();
  // 2^53: every integral double below it prints exactly as an integer.
  if (std::floor(value) == value && std::fabs(value) < 9007199254740992.0)
    return std::to_string(static_cast<int64_t>(value));
  return to_json(number);
}

/// The last member named `key` of `object` (JSON.parse and Python's json
/// keep the last of duplicate keys; RapidJSON's FindMember the first).
const rapidjson::Value* last_member(const rapidjson::Value& object,
                                    std::string_view key) {
  const rapidjson::Value* found = nullptr;
  for (auto i = object.MemberBegin(); i != object.MemberEnd(); ++i)
    if (view_of(i->name) == key)
      found = &i->value;
  return found;
}

/// The first argument of an arguments array, if the text is one and it has
/// one.
const rapidjson::Value* first_arg(std::string_view args_json,
                                  rapidjson::Document& doc) {
  if (!parse_json(args_json, doc) || !doc.IsArray() || doc.Empty())
    return nullptr;
  return &doc[0];
}

bool is_json_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

size_t skip_space(std::string_view text, size_t pos) {
  while (pos < text.size() && is_json_space(text[pos]))
    ++pos;
  return pos;
}

/// The elements after the first of the valid, non-empty JSON array `data`,
/// as an array text sliced from `data`: `["x", {"a":1},2]` gives
/// `[{"a":1},2]`. Slicing instead of writing the DOM back keeps every
/// argument exactly as the client wrote it (numbers too).
std::string args_after_name(std::string_view data) {
  auto pos = skip_space(data, data.find('[') + 1);
  // The name is a string or a number (is_event_name), so it holds no
  // brackets or commas outside of a string.
  if (data[pos] == '"') {
    for (++pos; data[pos] != '"'; ++pos)
      if (data[pos] == '\\')
        ++pos; // the escaped character cannot end the string
    ++pos;
  } else {
    while (pos < data.size() && !is_json_space(data[pos]) && data[pos] != ',' &&
           data[pos] != ']')
      ++pos;
  }
  pos = skip_space(data, pos);
  if (data[pos] == ']')
    return "[]";
  // data[pos] is the ',' before the second element.
  auto begin = skip_space(data, pos + 1);
  auto end = data.size();
  while (end > begin && is_json_space(data[end - 1]))
    --end;
  return "[" + std::string{data.substr(begin, end - begin)};
}

decode_result fail(std::string error) {
  decode_result result;
  result.error = std::move(error);
  return result;
}

} // namespace

// -- packets ------------------------------------------------------------------

decode_result decode(std::string_view text, size_t max_attachments) {
  if (text.empty() || text.front() < '0' || text.front() > '6')
    return fail("unknown packet type");
  // Engine.IO text is UTF-8; checking it here covers the namespace too,
  // which the server may echo in a CONNECT_ERROR.
  if (!valid_utf8(text))
    return fail("invalid UTF-8");
  packet p;
  p.type = static_cast<packet_type>(text.front() - '0');
  size_t i = 1;
  if (is_binary(p.type)) {
    auto dash = text.find('-', i);
    if (dash == std::string_view::npos || dash == i)
      return fail("illegal attachments");
    size_t count = 0;
    for (auto k = i; k < dash; ++k) {
      if (!is_digit(text[k]))
        return fail("illegal attachments");
      // Saturate instead of overflowing: a count that large is refused
      // below anyway.
      constexpr auto limit = std::numeric_limits<size_t>::max();
      count = count > (limit - 9) / 10
                  ? limit
                  : count * 10 + static_cast<size_t>(text[k] - '0');
    }
    if (count > max_attachments)
      return fail("too many attachments");
    p.attachments = count;
    i = dash + 1;
  }
  if (i < text.size() && text[i] == '/') {
    auto comma = text.find(',', i);
    p.nsp = std::string{text.substr(i, comma - i)};
    i = comma == std::string_view::npos ? text.size() : comma + 1;
  }
  auto digits = i;
  while (digits < text.size() && is_digit(text[digits]))
    ++digits;
  if (digits > i) {
    if (digits - i > max_ack_id_digits)
      return fail("invalid ack id");
    uint64_t id = 0;
    for (auto k = i; k < digits; ++k)
      id = id * 10 + static_cast<uint64_t>(text[k] - '0');
    p.ack_id = id;
    i = digits;
  }
  auto data = text.substr(i);
  if (data.empty()) {
    // The reference accepts an EVENT without data and then dispatches an
    // event with no name; refuse it like an invalid payload.
    if (is_event(p.type))
      return fail("invalid payload");
  } else {
    rapidjson::Document doc;
    if (!parse_json(data, doc) || !is_payload_valid(p.type, doc))
      return fail("invalid payload");
    p.data = std::string{data};
  }
  decode_result result;
  result.value = std::move(p);
  return result;
}

std::string encode(const packet& p) {
  std::string out;
  out.reserve(p.nsp.size() + p.data.size() + 24);
  out += static_cast<char>('0' + static_cast<int>(p.type));
  if (is_binary(p.type)) {
    out += std::to_string(p.attachments);
    out += '-';
  }
  // As socket.io-parser's Encoder: an empty namespace counts as "/".
  if (!p.nsp.empty() && p.nsp != "/") {
    out += p.nsp;
    out += ',';
  }
  if (p.ack_id)
    out += std::to_string(*p.ack_id);
  out += p.data;
  return out;
}

std::string encode_message(const packet& p) {
  return "4" + encode(p);
}

bool is_reserved_event(std::string_view name) {
  for (auto reserved : reserved_events)
    if (name == reserved)
      return true;
  return false;
}

// -- events -------------------------------------------------------------------

std::optional<event_view> read_event(const packet& p) {
  if (!is_event(p.type))
    return std::nullopt;
  rapidjson::Document doc;
  if (!parse_json(p.data, doc) || !is_payload_valid(p.type, doc))
    return std::nullopt;
  event_view result;
  auto& first = doc[0];
  result.name =
      first.IsString() ? std::string{view_of(first)} : number_name(first);
  result.args_json = args_after_name(p.data);
  return result;
}

std::string event_data(std::string_view name, std::string_view args_json) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartArray();
  put_string(w, name);
  w.EndArray(); // `["name"]`: the arguments go in before the ']'
  std::string out{buf.GetString(), buf.GetSize() - 1};
  // The arguments are spliced in as written. Text that is no JSON array
  // (a caller's bug) adds nothing rather than corrupting the frame.
  rapidjson::Document doc;
  if (parse_json(args_json, doc) && doc.IsArray() && !doc.Empty()) {
    auto open = args_json.find('[');
    auto close = args_json.rfind(']');
    out += ',';
    out += args_json.substr(open + 1, close - open - 1);
  }
  out += ']';
  return out;
}

std::string connect_data(std::string_view sid) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("sid");
  put_string(w, sid);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string connect_error_data(std::string_view message) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("message");
  put_string(w, message);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::optional<std::string> string_member(std::string_view args_json,
                                         std::string_view key) {
  rapidjson::Document doc;
  auto* first = first_arg(args_json, doc);
  if (first == nullptr || !first->IsObject())
    return std::nullopt;
  auto* value = last_member(*first, key);
  if (value == nullptr || !value->IsString())
    return std::nullopt;
  return std::string{view_of(*value)};
}

bool first_arg_is_object(std::string_view args_json) {
  rapidjson::Document doc;
  auto* first = first_arg(args_json, doc);
  return first != nullptr && first->IsObject();
}

} // namespace signalbox::socketio
