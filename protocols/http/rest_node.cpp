#include "protocols/http/rest_resources.hpp"

namespace signalbox::http {

std::shared_ptr<const rest_resource> node_resource(rest::node_summary node) {
  // Fixed once the node serves: encoded once.
  auto body = rest::encode(node);
  auto r = std::make_shared<rest_resource>();
  r->routes = {
      {{"api", "node"},
       {{"GET",
         [body](rest_call& call) {
           call.respond(rest_response{200, body, {}});
         }}}},
  };
  return r;
}

} // namespace signalbox::http
