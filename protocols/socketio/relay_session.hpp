// One connection's part in the altoponix relay (see relay_namespace.hpp).
// Strand-only, except the companion's enqueue handler.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/interfaces.hpp"
#include "protocols/socketio/sio_connection.hpp"
#include "protocols/toolkit/companion.hpp"
#include "protocols/toolkit/request_queue.hpp"

namespace signalbox::relay {

class relay_session : public socketio::namespace_handler,
                      public std::enable_shared_from_this<relay_session> {
public:
  relay_session(caf::actor_system& sys, sio_directory_actor directory,
                caf::timespan request_timeout, size_t max_pending_events,
                size_t max_pending_bytes,
                std::shared_ptr<socketio::namespace_socket> socket);
  ~relay_session() override;

  /// Spawns the companion that receives the relay actors' frames.
  void start();

  void on_event(const socketio::event_view& event,
                std::optional<uint64_t> ack_id,
                std::vector<std::string> attachments) override;

  void on_disconnect(std::string_view reason) override;

private:
  struct pending_event {
    std::string name;
    std::string args_json;
    std::optional<uint64_t> ack_id;

    friend size_t queued_size(const pending_event& ev) noexcept {
      return ev.name.size() + ev.args_json.size();
    }
  };

  /// Handles one event and acknowledges it once handled; false when it
  /// waits for the directory (the queue resumes when the answer arrives).
  bool handle_in_order(pending_event& ev);
  bool handle(const pending_event& ev);
  bool register_with_directory(const pending_event& ev, bool as_monitor);
  /// The directory's answer to a `query` or `con`.
  void registered(const pending_event& ev, bool as_monitor,
                  sio_monitor_actor monitor);
  void emit(std::string_view event, std::string_view reason);
  /// Emits `event` {reason}, then disconnects the client (`41` and close).
  void fail_and_disconnect(std::string_view event, std::string_view reason);

  caf::actor_system& sys_;
  sio_directory_actor directory_;
  caf::timespan request_timeout_;
  std::shared_ptr<socketio::namespace_socket> socket_;
  // This connection, as the relay's actors see it.
  companion_bridge<sio_sink_actor, sio_frame_atom, shared_frame> sink_;
  std::optional<sio_monitor_actor> queried_;    // as a user
  std::optional<sio_monitor_actor> registered_; // as a monitor
  request_queue<pending_event> events_;
};

} // namespace signalbox::relay
