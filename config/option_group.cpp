#include "config/option_group.hpp"

#include <caf/config_option.hpp>
#include <caf/config_value.hpp>
#include <caf/make_config_option.hpp>

namespace signalbox {

namespace {

using std::chrono::milliseconds;

caf::error check_ms(const caf::config_value& x) {
  if (caf::holds_alternative<caf::timespan>(x))
    return caf::none;
  return caf::make_error(caf::pec::type_mismatch);
}

void store_ms(void* ptr, const caf::config_value& x) {
  *static_cast<milliseconds*>(ptr) =
      std::chrono::duration_cast<milliseconds>(caf::get<caf::timespan>(x));
}

caf::config_value get_ms(const void* ptr) {
  return caf::config_value{std::chrono::duration_cast<caf::timespan>(
      *static_cast<const milliseconds*>(ptr))};
}

caf::expected<caf::config_value> parse_ms(void* ptr, caf::string_view str) {
  // CAF's own timespan parser, then the conversion.
  caf::timespan tmp{};
  auto parsed = caf::detail::parse_impl(&tmp, str);
  if (parsed && ptr != nullptr)
    store_ms(ptr, *parsed);
  return parsed;
}

const caf::config_option::meta_state ms_meta{check_ms, store_ms, get_ms,
                                             parse_ms, "timespan"};

} // namespace

option_group& option_group::add(milliseconds& field, caf::string_view name,
                                caf::string_view description) {
  set_.add(caf::config_option{category_, name, description, &ms_meta, &field});
  return *this;
}

} // namespace signalbox
