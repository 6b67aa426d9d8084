#include "actors/jmri_client.hpp"

#include <caf/send.hpp>

namespace signalbox {

jmri_client_actor::behavior_type
jmri_client(jmri_client_actor::stateful_pointer<jmri_client_state> self,
            std::string id, caf::actor conn) {
  self->state.id = std::move(id);
  self->state.conn = std::move(conn);
  return {
      [=](jmri_frame_atom, const jmri_frame& frame) {
        // The frame is shared, not copied: every recipient of one message
        // holds the same buffer. anon_send: typed actors cannot send() to a
        // dynamically typed connection in CAF 0.17, and connections do not
        // answer frames.
        caf::anon_send(self->state.conn, jmri_frame_atom_v, frame);
      },
      [=](get_atom) { return self->state.conn; },
      [=](delete_atom) {
        // A normal exit: the linked directory is not affected.
        self->quit();
      },
  };
}

} // namespace signalbox
