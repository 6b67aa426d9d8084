// The data of JMRI's message service that crosses actor boundaries: the
// message, the shared encoded frame delivered to connections, and the answer
// to a client "get". The pure codec (protocols/jmri/codec.hpp) encodes and
// decodes the message; this layer only knows its fields.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "core/shared_frame.hpp"

namespace signalbox {

namespace jmri {

/// A JsonMessage of the message service.
struct jmri_message {
  std::string message;
  /// info, success, warning or error (see jmri::is_message_type).
  std::string type = "info";
  /// A JSON object text; "" or anything that is not an object -> null.
  std::string context_json;
  /// Locale.toLanguageTag(), e.g. "en" or "fr-CA".
  std::string locale = "en";
  /// The target client id; "" broadcasts. Routing only, not in the frame.
  std::string client;
};

} // namespace jmri

/// A message of the message service: text, type, context, locale and target
/// client ("" broadcasts).
using jmri_message = jmri::jmri_message;

/// One encoded JMRI message frame. Connections receive it as
/// `(jmri_frame_atom, jmri_frame)`.
using jmri_frame = shared_frame;

/// The answer to `{"type":"client","method":"get"}` without a client: the
/// connection's ids in subscription order, and whether the directory has
/// just generated and subscribed the single id in `ids` (answer it as a
/// client object) or the ids already existed (answer them as a list).
struct jmri_client_ids {
  std::vector<std::string> ids;
  bool generated = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, jmri_client_ids& x) {
  return f(caf::meta::type_name("jmri_client_ids"), x.ids, x.generated);
}

namespace jmri {

// In the message's namespace so that CAF finds it by argument-dependent
// lookup.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, jmri_message& x) {
  return f(caf::meta::type_name("jmri_message"), x.message, x.type,
           x.context_json, x.locale, x.client);
}

} // namespace jmri

} // namespace signalbox
