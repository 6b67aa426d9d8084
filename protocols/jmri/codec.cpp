#include "protocols/jmri/codec.hpp"

#include <cmath>
#include <limits>

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/json/strict_json.hpp"

namespace signalbox::jmri {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

using json::nesting_depth;
using json::to_json;

void put_string(json_writer& w, std::string_view str) {
  w.String(str.data(), static_cast<rapidjson::SizeType>(str.size()));
}

/// Parses `text` into `doc`; returns the error detail, or "" on success.
std::string parse_json(std::string_view text, rapidjson::Document& doc) {
  // What RapidJSON would wrongly accept (strict_json.hpp).
  if (auto problem = json::unparsable_for_rapidjson(text); !problem.empty())
    return "Invalid JSON text: " + problem;
  json::parse(doc, text);
  if (doc.HasParseError()) {
    std::string detail = rapidjson::GetParseError_En(doc.GetParseError());
    // RapidJSON's texts end with '.', and the Bundle text adds one.
    if (!detail.empty() && detail.back() == '.')
      detail.pop_back();
    return detail + " at offset " + std::to_string(doc.GetErrorOffset());
  }
  if (nesting_depth(text) > max_nesting_depth)
    return "Document nesting depth exceeds the maximum allowed (" +
           std::to_string(max_nesting_depth) + ")";
  return {};
}

/// Jackson's JsonNode.asText() for a present node.
std::string as_text(const rapidjson::Value& value) {
  switch (value.GetType()) {
  case rapidjson::kStringType:
    return {value.GetString(), value.GetStringLength()};
  case rapidjson::kNullType:
    return "null";
  case rapidjson::kObjectType:
  case rapidjson::kArrayType:
    return {};
  default: // numbers and booleans: their JSON text
    return to_json(value);
  }
}

/// Jackson's `node.path(key)`: the member, or nullptr when `node` is not an
/// object or lacks it.
const rapidjson::Value* member(const rapidjson::Value* node, const char* key) {
  if (node == nullptr || !node->IsObject())
    return nullptr;
  auto i = node->FindMember(key);
  return i == node->MemberEnd() ? nullptr : &i->value;
}

/// Jackson's isValueNode(): present and not a container (null counts).
bool is_value_node(const rapidjson::Value* node) {
  return node != nullptr && !node->IsObject() && !node->IsArray();
}

/// Jackson's asText(fallback): absent or null gives `fallback`.
std::string text_or(const rapidjson::Value* node, std::string fallback) {
  if (node == nullptr || node->IsNull())
    return fallback;
  return as_text(*node);
}

/// root.id as an integer; anything else (absent, string, fraction, out of
/// range) is 0, i.e. "no id".
int64_t read_id(const rapidjson::Value* node) {
  if (node != nullptr && node->IsInt64())
    return node->GetInt64();
  return 0;
}

parse_result fail(int code, std::string message, int64_t id) {
  parse_result result;
  result.error_code = code;
  result.error_message = std::move(message);
  result.error_id = id;
  return result;
}

/// Starts {"type":"<type>","data": and leaves the writer inside the root.
void begin_frame(json_writer& w, const char* type) {
  w.StartObject();
  w.Key("type");
  w.String(type);
  w.Key("data");
}

void put_id_if_positive(json_writer& w, int64_t id) {
  if (id > 0) {
    w.Key("id");
    w.Int64(id);
  }
}

void write_client(json_writer& w, std::string_view client) {
  begin_frame(w, "client");
  w.StartObject();
  w.Key("client");
  put_string(w, client);
  w.EndObject();
  w.EndObject();
}

std::string str(const rapidjson::StringBuffer& buf) {
  return {buf.GetString(), buf.GetSize()};
}

} // namespace

// -- request ------------------------------------------------------------------

const rapidjson::Value* request::data() const {
  return doc ? member(doc.get(), "data") : nullptr;
}

bool request::data_has(const char* key) const {
  return member(data(), key) != nullptr;
}

std::optional<std::string> request::data_string(const char* key) const {
  auto node = member(data(), key);
  if (node == nullptr || !node->IsString())
    return std::nullopt;
  return std::string{node->GetString(), node->GetStringLength()};
}

std::optional<std::string> request::data_text(const char* key) const {
  auto node = member(data(), key);
  if (node == nullptr)
    return std::nullopt;
  return as_text(*node);
}

std::string request::data_text_or(const char* key, std::string fallback) const {
  return text_or(member(data(), key), std::move(fallback));
}

std::optional<std::string> request::data_member_json(const char* key) const {
  auto node = member(data(), key);
  if (node == nullptr)
    return std::nullopt;
  return to_json(*node);
}

std::string request::data_json() const {
  auto node = data();
  return node == nullptr ? "{}" : to_json(*node);
}

// -- parsing ------------------------------------------------------------------

parse_result parse_request(std::string_view text) {
  auto doc = std::make_shared<rapidjson::Document>();
  if (auto detail = parse_json(text, *doc); !detail.empty())
    return fail(code::internal_error, error_processing_json(detail), 0);
  if (!doc->IsObject())
    return fail(code::internal_error,
                error_processing_json("the message is not a JSON object"), 0);
  // The order below is JsonClientHandler.onMessage's.
  const rapidjson::Value* root = doc.get();
  request req;
  auto root_method = member(root, "method");
  auto root_type = member(root, "type");
  req.method = text_or(root_method, "get");
  req.type = root_type != nullptr ? as_text(*root_type) : std::string{};
  req.id = read_id(member(root, "id"));
  auto list = member(root, "list");
  if ((root_type == nullptr || req.type == "list") && is_value_node(list)) {
    req.type = as_text(*list);
    req.method = "list";
  }
  auto data = member(root, "data");
  req.has_data = data != nullptr;
  if (!req.has_data) {
    bool data_optional = req.type == "hello" || req.type == "ping" ||
                         req.type == "goodbye" || req.method == "list" ||
                         req.method == "get";
    if (!data_optional)
      return fail(code::bad_request, error_missing_data(), req.id);
  }
  // Legacy clients put the method inside data.
  if (root_method == nullptr) {
    if (auto legacy = member(data, "method"); is_value_node(legacy))
      req.method = text_or(legacy, "get");
  }
  req.doc = std::move(doc);
  parse_result result;
  result.req = std::move(req);
  return result;
}

bool is_known_version(std::string_view version) {
  return version == current_version;
}

std::optional<std::string> check_version(std::string_view version) {
  if (is_known_version(version))
    return std::nullopt;
  return error_unknown_type(version);
}

int advertised_heartbeat_ms(int heartbeat_interval_ms) {
  // Java: Math.round(heartbeatInterval * 0.9f), float arithmetic.
  return static_cast<int>(
      std::floor(static_cast<float>(heartbeat_interval_ms) * 0.9f + 0.5f));
}

// -- server frames
// --------------------------------------------------------------

std::string hello_frame(const hello_info& info, int64_t id) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  begin_frame(w, "hello");
  w.StartObject();
  w.Key("JMRI");
  put_string(w, info.jmri_version);
  w.Key("json");
  put_string(w, info.json_version);
  w.Key("heartbeat");
  w.Int(info.heartbeat_ms);
  w.Key("railroad");
  put_string(w, info.railroad);
  w.Key("node");
  put_string(w, info.node);
  w.Key("activeProfile");
  if (info.active_profile)
    put_string(w, *info.active_profile);
  else
    w.Null();
  w.EndObject();
  put_id_if_positive(w, id);
  w.EndObject();
  return str(buf);
}

std::string pong_frame() {
  return R"({"type":"pong"})";
}

std::string goodbye_frame() {
  return R"({"type":"goodbye"})";
}

std::string error_frame(int code, std::string_view message, int64_t id) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  begin_frame(w, "error");
  w.StartObject();
  w.Key("code");
  w.Int(code);
  w.Key("message");
  put_string(w, message);
  w.EndObject();
  // INT64_MIN has no absolute value in int64_t: such an id is dropped.
  if (id != std::numeric_limits<int64_t>::min())
    put_id_if_positive(w, id < 0 ? -id : id);
  w.EndObject();
  return str(buf);
}

std::string client_frame(std::string_view client) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  write_client(w, client);
  return str(buf);
}

std::string client_list_frame(const std::vector<std::string>& clients,
                              int64_t id) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  if (id > 0)
    begin_frame(w, "list");
  w.StartArray();
  for (auto& client : clients)
    write_client(w, client);
  w.EndArray();
  if (id > 0) {
    put_id_if_positive(w, id);
    w.EndObject();
  }
  return str(buf);
}

bool is_message_type(std::string_view type) {
  return type == "info" || type == "success" || type == "warning" ||
         type == "error";
}

std::string message_frame(const jmri_message& msg) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  begin_frame(w, "message");
  w.StartObject();
  w.Key("message");
  put_string(w, msg.message);
  w.Key("context");
  // JsonMessage keeps a context only if it is an object.
  rapidjson::Document context;
  if (!msg.context_json.empty() &&
      parse_json(msg.context_json, context).empty() && context.IsObject())
    context.Accept(w);
  else
    w.Null();
  w.Key("type");
  put_string(w, msg.type);
  w.Key("locale");
  put_string(w, msg.locale);
  w.EndObject();
  w.EndObject();
  return str(buf);
}

// -- error texts
// ----------------------------------------------------------------

namespace {

std::string concat(std::initializer_list<std::string_view> parts) {
  std::string result;
  for (auto part : parts)
    result.append(part.data(), part.size());
  return result;
}

} // namespace

std::string error_empty_attribute(std::string_view attribute,
                                  std::string_view type) {
  return concat(
      {"Property \"", attribute, "\" must not be empty for type ", type, "."});
}

std::string error_missing_attribute(std::string_view attribute,
                                    std::string_view type) {
  return concat(
      {"Property \"", attribute, "\" is required for type ", type, "."});
}

std::string error_client_conflict() {
  return "Client \"client\" is in use by another connection.";
}

std::string error_unlistable_service(std::string_view type) {
  return concat({type, " cannot be listed."});
}

std::string error_client_not_for_this_connection(std::string_view client) {
  return concat({"No client \"", client, "\" found for with this connection."});
}

std::string error_no_client_for_this_connection() {
  return "No client found for with this connection.";
}

std::string error_missing_data() {
  return "Data property of JSON message missing.";
}

std::string error_unknown_type(std::string_view type) {
  return concat({"Unknown object type ", type, " was requested."});
}

std::string error_processing_json(std::string_view detail) {
  return concat({"Unable to process JSON message with error: ", detail, "."});
}

std::string error_unsupported_operation(std::string_view detail) {
  return concat({"Unsupported operation attempted: ", detail, "."});
}

} // namespace signalbox::jmri
