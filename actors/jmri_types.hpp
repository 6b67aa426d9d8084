// The data of JMRI's message service that crosses actor boundaries: the
// message (defined by the pure codec), the shared encoded frame delivered to
// connections, and the answer to a client "get". Included by interfaces.hpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "protocols/jmri/codec.hpp"

namespace signalbox {

/// A message of the message service: text, type, context, locale and target
/// client ("" broadcasts).
using jmri_message = jmri::jmri_message;

/// An encoded frame, built once and shared by every recipient (JMRI message
/// frames, the Socket.IO relay's packets).
using shared_frame = std::shared_ptr<const std::string>;

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

/// Encodes `msg` once into a shareable frame.
inline jmri_frame make_jmri_frame(const jmri_message& msg) {
  return std::make_shared<const std::string>(jmri::message_frame(msg));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, jmri_client_ids& x) {
  return f(caf::meta::type_name("jmri_client_ids"), x.ids, x.generated);
}

namespace jmri {

// In the codec's namespace so that CAF finds it by argument-dependent lookup;
// the codec itself stays free of CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, jmri_message& x) {
  return f(caf::meta::type_name("jmri_message"), x.message, x.type,
           x.context_json, x.locale, x.client);
}

} // namespace jmri

} // namespace signalbox
