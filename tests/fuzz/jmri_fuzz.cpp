// Fuzz target: the JMRI JSON codec and the TCP stream splitter.
// - Splitting must not depend on chunk boundaries: the whole input and the
//   input cut at a position taken from its first byte give the same values
//   and the same failure state.
// - Every value and the whole input go through parse_request; requests are
//   echoed into server frames, which must parse back as JSON objects.
// - The input as a message context gives a frame whose context is null or
//   an object.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "protocols/jmri/codec.hpp"
#include "protocols/jmri/stream_splitter.hpp"

namespace {

using namespace signalbox::jmri;

constexpr size_t value_limit = 4096;

void require(bool condition) {
  if (!condition)
    std::abort();
}

/// Parses `frame` (which the codec wrote) and requires a JSON object.
rapidjson::Document require_object(const std::string& frame) {
  rapidjson::Document doc;
  doc.Parse(frame.data(), frame.size());
  require(!doc.HasParseError() && doc.IsObject());
  return doc;
}

void check_splitting(std::string_view input, size_t cut) {
  stream_splitter whole{value_limit};
  auto expected = whole.feed(input);
  stream_splitter chunked{value_limit};
  auto first = chunked.feed(input.substr(0, cut));
  auto second = chunked.feed(input.substr(cut));
  first.insert(first.end(), second.begin(), second.end());
  require(first == expected);
  require(whole.failed() == chunked.failed());
  for (auto& value : expected) {
    require(!value.empty() && value.size() <= value_limit);
    require(value.front() != ' ' && value.front() != '\n');
  }
}

void check_request(std::string_view text) {
  auto result = parse_request(text);
  if (!result.ok()) {
    require(result.error_code == code::internal_error ||
            result.error_code == code::bad_request);
    // Parse errors never echo an id.
    if (result.error_code == code::internal_error)
      require(result.error_id == 0);
    require_object(
        error_frame(result.error_code, result.error_message, result.error_id));
    return;
  }
  auto& req = *result.req;
  require(req.doc != nullptr && req.doc->IsObject());
  require(!req.method.empty() || req.doc->HasMember("method") ||
          (req.data() != nullptr && req.data()->IsObject() &&
           req.data()->HasMember("method")));
  // The parser validated UTF-8, so everything read from the request is safe
  // to echo.
  require_object(error_frame(404, error_unknown_type(req.type), req.id));
  if (auto client = req.data_text("client")) {
    require_object(client_frame(*client));
    // A bare array without an id, a "list" message with one.
    rapidjson::Document list;
    auto frame = client_list_frame({*client, *client}, req.id);
    list.Parse(frame.data(), frame.size());
    require(!list.HasParseError());
    require(req.id > 0 ? list.IsObject() : list.IsArray());
  }
  rapidjson::Document data;
  auto data_json = req.data_json();
  data.Parse(data_json.data(), data_json.size());
  require(!data.HasParseError());
  if (auto context = req.data_member_json("context")) {
    jmri_message msg;
    msg.message = req.type;
    msg.context_json = *context;
    auto doc = require_object(message_frame(msg));
    auto& ctx = doc["data"]["context"];
    require(ctx.IsNull() || ctx.IsObject());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};
  check_splitting(input, size == 0 ? 0 : data[0] % (size + 1));
  stream_splitter splitter{value_limit};
  for (auto& value : splitter.feed(input))
    check_request(value);
  check_request(input);
  jmri_message msg;
  msg.message = "m";
  msg.context_json = std::string{input};
  auto doc = require_object(message_frame(msg));
  auto& ctx = doc["data"]["context"];
  require(ctx.IsNull() || ctx.IsObject());
  return 0;
}
