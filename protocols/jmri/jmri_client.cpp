#include "protocols/jmri/jmri_client.hpp"

#include <caf/send.hpp>

namespace signalbox {

jmri_client_actor::behavior_type
jmri_client(jmri_client_actor::stateful_pointer<jmri_client_state> self,
            std::string id, jmri_sink_actor conn) {
  self->state.id = std::move(id);
  self->state.conn = std::move(conn);
  return {
      [=](jmri_frame_atom, const jmri_frame& frame) {
        // The frame is shared, not copied: every recipient of one message
        // holds the same buffer.
        self->send(self->state.conn, jmri_frame_atom_v, frame);
      },
      [=](get_atom) { return self->state.conn; },
      [=](delete_atom) {
        // A normal exit: the linked directory is not affected.
        self->quit();
      },
  };
}

} // namespace signalbox
