// One subscribed JMRI client id (an entry of JMRI's server-wide
// JsonMessageClientManager): the id and the connection that owns it. The
// directory hands it each message frame meant for the id; it forwards the
// frame to its connection as `(jmri_frame_atom, frame)`.
#pragma once

#include <caf/actor.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

struct jmri_client_state {
  std::string id;
  jmri_sink_actor conn; // the owning connection (a session or its companion)

  static inline const char* name = "jmri_client";
};

/// The behavior of the actor of client id `id`, owned by `conn`.
jmri_client_actor::behavior_type
jmri_client(jmri_client_actor::stateful_pointer<jmri_client_state> self,
            std::string id, jmri_sink_actor conn);

} // namespace signalbox
