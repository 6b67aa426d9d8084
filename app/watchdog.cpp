#include "app/watchdog.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

namespace signalbox {

caf::actor spawn_watchdog(caf::actor_system& sys,
                          std::shared_ptr<const hal::service_manager> manager,
                          caf::timespan period) {
  // Hidden: the node's orderly shutdown waits for every other actor to end,
  // while the pings go on until main() ends this one.
  return sys.spawn<caf::hidden>(
      [manager, period](caf::event_based_actor* self) {
        self->send(self, caf::tick_atom_v);
        return caf::behavior{
            [=](caf::tick_atom) {
              manager->notify("WATCHDOG=1");
              self->delayed_send(self, period, caf::tick_atom_v);
            },
        };
      });
}

} // namespace signalbox
