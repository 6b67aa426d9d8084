#include "core/errors.hpp"

namespace signalbox {

caf::error make_error(ec code, std::string text) {
  return caf::error{static_cast<uint8_t>(code), error_category_atom,
                    caf::make_message(std::move(text))};
}

caf::error make_error(ec code) {
  return caf::error{static_cast<uint8_t>(code), error_category_atom};
}

ec code_of(const caf::error& err) {
  if (err.category() != error_category_atom)
    return ec::system_error;
  return static_cast<ec>(err.code());
}

std::string text_of(const caf::error& err) {
  if (err.category() == error_category_atom) {
    auto& ctx = err.context();
    if (ctx.match_elements<std::string>())
      return ctx.get_as<std::string>(0);
    return to_string(static_cast<ec>(err.code()));
  }
  if (err.category() == caf::atom("system")) {
    if (err.code() == static_cast<uint8_t>(caf::sec::request_timeout))
      return "internal request timed out";
  }
  return "internal error: " + caf::to_string(err);
}

ec storage_code_of(const caf::error& err) {
  return code_of(err) == ec::storage_full ? ec::storage_full
                                          : ec::storage_failure;
}

const char* to_string(ec code) {
  switch (code) {
  case ec::none:
    return "none";
  case ec::not_found:
    return "not found";
  case ec::conflict:
    return "conflict";
  case ec::forbidden:
    return "forbidden";
  case ec::invalid_argument:
    return "invalid argument";
  case ec::storage_failure:
    return "storage failure";
  case ec::unavailable:
    return "unavailable";
  case ec::system_error:
    return "system error";
  case ec::storage_full:
    return "storage full";
  }
  return "unknown error";
}

} // namespace signalbox
