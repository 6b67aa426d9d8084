// The node's RTOC events (interfaces.hpp: rtoc_events_actor): every event in
// RAM by id, and in the store. RTOC keeps events without bound; here
// rtoc.max-events bounds them (a full store refuses new ones), and an event
// that says how many of its signal to keep (the mirror's: rtoc.mirror-events)
// makes room by removing the oldest of them.
#pragma once

#include <map>

#include "actors/interfaces.hpp"

namespace signalbox::rtoc {

struct events_state {
  store_actor store;
  uint64_t max_events = 0;
  std::map<int64_t, event_view> events;

  static inline const char* name = "rtoc_events";
};

rtoc_events_actor::behavior_type
events_behavior(rtoc_events_actor::stateful_pointer<events_state> self,
                store_actor store, uint64_t max_events,
                std::vector<event_view> loaded);

/// The lowest id >= 1 that `used` does not hold. Pure.
template <class Map>
int64_t lowest_unused_id(const Map& used) {
  int64_t id = 1;
  for (auto& entry : used) {
    if (entry.first != id)
      break;
    ++id;
  }
  return id;
}

} // namespace signalbox::rtoc
