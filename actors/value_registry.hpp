// The node's shared values: key -> key actor. Validates writes against the
// configured limits, spawns a key actor on a key's first write, and retires
// a key actor once its value is removed and no request forwarded to it is
// still in flight (so a write racing a removal is never lost or reordered).
#pragma once

#include <map>

#include <caf/expected.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"

namespace signalbox {

struct value_registry_state {
  struct entry {
    shared_value_actor actor;
    uint64_t forwarded = 0; // requests delegated to the actor
  };
  std::map<std::string, entry> keys;
  store_actor store;
  value_options opts;

  static inline const char* name = "value_registry";
};

value_registry_actor::behavior_type value_registry(
    value_registry_actor::stateful_pointer<value_registry_state> self,
    store_actor store, value_options opts, std::vector<value_info> initial);

/// Loads the persistent values from the store (blocking: call it from
/// main() at start-up, never from an actor) and spawns the registry with a
/// key actor per stored value.
caf::expected<value_registry_actor>
spawn_value_registry(caf::actor_system& sys, store_actor store,
                     const value_options& opts);

/// Checks a key and a write against the limits; an ec::invalid_argument
/// error with a clear text, or none.
caf::error validate_value_write(const value_options& opts,
                                const std::string& key,
                                const value_write& write);

} // namespace signalbox
