// A connection's presence in the actor world: an actor companion (CAF's
// bridge for objects that are not actors) whose enqueue handler runs on the
// sender's thread. JMRI connections, Socket.IO relay sessions and the
// WebSocket fan-out all stand in the actor world this way.
#pragma once

#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_companion.hpp>
#include <caf/actor_system.hpp>
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

/// A companion that accepts exactly one kind of message, `(Atom, Payload)`,
/// and is known to actors as the typed handle `Sink` (for example
/// jmri_sink_actor). Everything else sent to it is dropped. Owned by one
/// connection; retired when the connection closes or is destroyed.
template <class Sink, class Atom, class Payload>
class companion_bridge {
public:
  companion_bridge() = default;
  companion_bridge(const companion_bridge&) = delete;
  companion_bridge& operator=(const companion_bridge&) = delete;

  ~companion_bridge() { retire(); }

  /// Spawns the companion. `on_message(const Payload&)` runs on the
  /// sender's thread: it must be thread-safe and must not block (hand the
  /// payload to the connection's strand or its thread-safe queue).
  template <class OnMessage>
  void open(caf::actor_system& sys, OnMessage on_message) {
    actor_ = sys.spawn<caf::actor_companion>();
    companion()->on_enqueue(
        [on_message = std::move(on_message)](caf::mailbox_element_ptr msg) {
          auto& content = msg->content();
          if (content.match_elements<Atom, Payload>())
            on_message(content.get_as<Payload>(1));
        });
    sink_ = caf::actor_cast<Sink>(actor_);
  }

  /// The connection as actors see it; null before open and after retire.
  const Sink& sink() const noexcept { return sink_; }

  explicit operator bool() const noexcept { return static_cast<bool>(actor_); }

  /// The companion itself (to join groups); nullptr when not open.
  caf::actor_companion* companion() const {
    return actor_ ? caf::actor_cast<caf::actor_companion*>(actor_) : nullptr;
  }

  /// Ends the companion (idempotent): no message reaches on_message
  /// afterwards, and actors that monitor the sink see it go down.
  void retire() {
    sink_ = nullptr;
    retire_companion(actor_);
  }

private:
  caf::actor actor_;
  Sink sink_;
};

} // namespace signalbox
