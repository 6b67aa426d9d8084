#include "protocols/http/rest_resources.hpp"

namespace signalbox::http {

namespace {

/// PUT /api/values/{key}: 201 for a new key, 200 for a changed one.
rest_method put_value(value_registry_actor values) {
  return {"PUT",
          with_body(rest::decode_value_write,
                    [values](value_write write, rest_call& call) {
                      if (write.provider.empty())
                        write.provider = "api";
                      auto respond = call.respond;
                      ask<value_put_result>(
                          *call.env.sys, values, call.env.timeout,
                          [respond](value_put_result& x) {
                            respond(json_response(x.added ? 201 : 200,
                                                  rest::encode(x.info)));
                          },
                          [respond](caf::error& err) {
                            respond(
                                error_response(status_of(err), text_of(err)));
                          },
                          put_atom_v, call.path[2], std::move(write));
                    }),
          true};
}

} // namespace

std::shared_ptr<const rest_resource>
values_resource(value_registry_actor values) {
  auto r = std::make_shared<rest_resource>();
  r->routes = {
      {{"api", "values"},
       {{"GET",
         [values](rest_call& call) {
           answer<std::vector<value_info>>(call, 200, values, list_atom_v);
         }}}},
      {{"api", "values", "{key}"},
       {{"GET",
         [values](rest_call& call) {
           answer<value_info>(call, 200, values, get_atom_v, call.path[2]);
         }},
        put_value(values),
        {"DELETE",
         [values](rest_call& call) {
           answer_no_content(call, values, delete_atom_v, call.path[2]);
         }}}},
  };
  return r;
}

} // namespace signalbox::http
