#include "protocols/jmri/rest_messages.hpp"

namespace signalbox::jmri {

std::shared_ptr<const http::rest_resource>
make_messages_resource(jmri_directory_actor directory, std::string locale) {
  using namespace http;
  auto send = [directory, locale](jmri_message msg, rest_call& call) {
    if (!directory) {
      call.respond(error_response(503, "the JMRI message service is disabled"));
      return;
    }
    if (msg.locale.empty())
      msg.locale = locale;
    auto respond = call.respond;
    ask<uint64_t>(
        *call.env.sys, directory, call.env.timeout,
        [respond](uint64_t delivered) {
          respond(json_response(202, rest::encode_delivered(delivered)));
        },
        [respond](caf::error& err) {
          respond(error_response(status_of(err), text_of(err)));
        },
        jmri_send_atom_v, std::move(msg));
  };
  auto r = std::make_shared<rest_resource>();
  r->routes = {
      {{"api", "messages"},
       {{"POST", with_body(rest::decode_jmri_message, send), true}}},
  };
  return r;
}

} // namespace signalbox::jmri
