#include "protocols/http/rest_resources.hpp"

namespace signalbox::http {

namespace {

const std::string& line_name(const rest_call& call) {
  return call.path.back();
}

} // namespace

std::shared_ptr<const rest_resource> gpio_resource(gpio_registry_actor gpio) {
  auto r = std::make_shared<rest_resource>();
  r->routes = {
      {{"api", "gpios"},
       {{"GET",
         [gpio](rest_call& call) {
           answer<std::vector<gpio_info>>(call, 200, gpio, list_atom_v);
         }}}},
      {{"api", "gpios", "{name}"},
       {{"GET",
         [gpio](rest_call& call) {
           answer<gpio_info>(call, 200, gpio, get_atom_v, line_name(call));
         }},
        {"PUT",
         with_body(rest::decode_gpio_value,
                   [gpio](int32_t value, rest_call& call) {
                     answer<gpio_info>(call, 200, gpio, put_atom_v,
                                       line_name(call), value);
                   }),
         true}}},
  };
  return r;
}

std::shared_ptr<const rest_resource>
gpio_simulation_resource(gpio_registry_actor gpio) {
  auto r = std::make_shared<rest_resource>();
  r->routes = {
      {{"api", "sim", "gpios", "{name}"},
       {{"PUT",
         with_body(rest::decode_gpio_value,
                   [gpio](int32_t value, rest_call& call) {
                     answer<gpio_info>(call, 200, gpio, simulate_atom_v,
                                       line_name(call), value);
                   }),
         true}}},
  };
  return r;
}

} // namespace signalbox::http
