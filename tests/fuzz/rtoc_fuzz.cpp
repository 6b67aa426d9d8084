// Fuzz target: the RTOC codec. Every input either is refused or parses
// into a request whose parts, written back through the reply and push
// writers, are valid JSON objects (NaN and Infinity allowed, as Python
// writes them).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "protocols/rtoc/codec.hpp"

namespace {

using namespace signalbox::rtoc;

void require(bool condition) {
  if (!condition)
    std::abort();
}

void require_object(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseNanAndInfFlag>(text.data(), text.size());
  require(!doc.HasParseError() && doc.IsObject());
}

event_view view_of(const event_request& e) {
  return {1, 1, 1, e.dname, e.sname, e.text, e.x, e.value_json, e.priority,
          e.id};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};
  auto req = parse_request(input, 1700000000.5);
  if (!req)
    return 0;
  if (req->data) {
    for (auto& s : req->data->samples) {
      require_object(sample_push(s, 1));
      require_object(new_signal_push(s.dname, s.sname, 1));
    }
    if (req->data->event)
      require_object(event_push(view_of(*req->data->event)));
  }
  if (req->event)
    require_object(event_push(view_of(*req->event)));
  reply_writer w;
  if (req->plot) {
    require(!req->plot->stored
            || req->plot->x.size() == req->plot->y.size());
    w.sent();
    w.signals({{req->plot->dname + "." + req->plot->sname, req->plot->x,
                req->plot->y, req->plot->unit, 1, 1, 0, 0}});
  }
  if (req->plugin_json)
    w.plugin_not_found(*req->plugin_json);
  if (req->logger) {
    std::vector<std::pair<std::string, std::string>> answers;
    for (auto& item : req->logger->items)
      answers.emplace_back(item.key, item.value_json);
    w.logger(answers);
  }
  if (req->user_action)
    w.user_action_unknown(*req->user_action);
  if (req->get_event)
    w.events_by_signal({{req->get_event->empty() ? std::string{}
                                                 : req->get_event->front(),
                         {}}});
  require_object(w.finish());
  return 0;
}
