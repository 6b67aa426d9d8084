// signalbox's own error category. Actors answer failed requests with these;
// the REST layer maps each code to its HTTP status (protocols/http/rest.cpp),
// and the error's context string becomes the JSON `error` text.
#pragma once

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

namespace signalbox {

enum class ec : uint8_t {
  none = 0,
  not_found = 1,        // 404: no such job, GPIO line or shared value
  conflict = 2,         // 409: the request contradicts the state
  forbidden = 3,        // 403: the node's configuration does not allow it
  invalid_argument = 4, // 400: a value out of range or of the wrong kind
  storage_failure = 5,  // 500: LMDB failed; nothing was acknowledged
  unavailable = 6,      // 503: the node is shutting down
  system_error = 7,     // 500: a system call failed
  storage_full = 8,     // 507: store.max-size reached or the disk is full;
                        // nothing of the write was stored
};

/// The category atom of signalbox errors.
constexpr caf::atom_value error_category_atom = caf::atom("signalbox");

/// Makes a signalbox error with a human-readable text.
caf::error make_error(ec code, std::string text);

/// Makes a signalbox error without text.
caf::error make_error(ec code);

/// The code of a signalbox error, or ec::system_error for foreign errors.
ec code_of(const caf::error& err);

/// ec::storage_full for a store that is full, else ec::storage_failure:
/// what a failed store request means to the one who asked.
ec storage_code_of(const caf::error& err);

/// The human-readable text of an error (the context string, or a rendering
/// of a foreign error).
std::string text_of(const caf::error& err);

const char* to_string(ec code);

} // namespace signalbox
