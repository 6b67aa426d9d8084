// Connections take part in the actor world as CAF actor companions: their
// enqueue handler runs on the sender's thread and hands messages to the
// connection's strand. This ends one.
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_companion.hpp>
#include <caf/exit_reason.hpp>

namespace signalbox {

/// Terminates `companion` (if any) and resets the handle: no message reaches
/// its handler afterwards, and whoever monitors it sees it go down.
/// actor_companion::disconnect() does exactly this, but Debian's libcaf_core
/// does not export it.
inline void retire_companion(caf::actor& companion) {
  if (!companion)
    return;
  auto ptr = caf::actor_cast<caf::actor_companion*>(companion);
  ptr->on_enqueue(caf::actor_companion::enqueue_handler{});
  ptr->cleanup(caf::exit_reason::normal, nullptr);
  companion = nullptr;
}

} // namespace signalbox
