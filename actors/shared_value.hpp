// One shared-value key (seed 000 §3.3): the value, its persistent and notify
// flags and its provider. Writes to a persistent value go through the store
// and are answered, and published as `dbchange`, only after the commit. The
// actor handles one request at a time (`await` on the store), so the store
// sees this key's writes in the order clients made them.
#pragma once

#include <optional>

#include <caf/group.hpp>

#include "actors/interfaces.hpp"

namespace signalbox {

struct shared_value_state {
  std::string key;
  std::optional<value_info> current; // nullopt: the key holds no value
  uint64_t handled = 0; // requests handled, for the registry's retirement
  store_actor store;
  value_registry_actor registry;
  caf::group group;

  static inline const char* name = "shared_value";
};

/// The behavior of a key actor. `initial` is the value loaded from the store
/// at start-up, if any.
shared_value_actor::behavior_type
shared_value(shared_value_actor::stateful_pointer<shared_value_state> self,
             std::string key, std::optional<value_info> initial,
             store_actor store, value_registry_actor registry);

} // namespace signalbox
