#include "protocols/jmri/jmri_bridge.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/group_manager.hpp>

#include "protocols/jmri/jmri_directory.hpp"

namespace signalbox {

caf::actor spawn_jmri_bridge(caf::actor_system& sys,
                             jmri_directory_actor directory, const char* group,
                             jmri_message_for message_for, jmri_reach reach) {
  return sys.spawn([=](caf::event_based_actor* self) {
    // The node created its groups before any service started.
    self->join(self->system().groups().get_local(group));
    return caf::behavior{
        [=](notify_atom, const notification_ptr& n) {
          auto msg = message_for(n->event());
          if (!msg)
            return;
          if (reach == jmri_reach::cluster)
            self->send(directory, jmri_send_atom_v, std::move(*msg));
          else
            self->send(directory, cluster_deliver_atom_v,
                       std::string{jmri_clients_topic},
                       caf::make_message(jmri_send_atom_v, std::move(*msg)));
        },
        // The directory's answer (copies delivered) is not needed here.
        [](uint64_t) {},
    };
  });
}

} // namespace signalbox
