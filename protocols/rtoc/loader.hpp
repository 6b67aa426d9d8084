// Reads what the RTOC service kept in the store, at start-up (blocking: it
// runs in main(), before anything is served) and counts the start.
#pragma once

#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "protocols/rtoc/signal.hpp"

namespace signalbox::rtoc {

struct loaded_state {
  std::vector<device_view> devices;
  std::vector<signal_setup> signals; // each with its newest samples
  std::vector<event_view> events;
  uint64_t boot = 0; // this start's number
};

/// Loads devices, signals (the newest `record_length` samples of each, and
/// the x range of all) and events, and stores the new start count.
caf::expected<loaded_state> load_state(caf::actor_system& sys,
                                       const store_actor& store,
                                       uint64_t record_length);

} // namespace signalbox::rtoc
