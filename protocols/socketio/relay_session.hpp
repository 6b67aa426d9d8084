// One connection's part in the altoponix relay (see relay_namespace.hpp).
// Strand-only, except the companion's enqueue handler.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/interfaces.hpp"
#include "protocols/socketio/sio_connection.hpp"

namespace signalbox::relay {

class relay_session : public socketio::namespace_handler,
                      public std::enable_shared_from_this<relay_session> {
public:
  relay_session(caf::actor_system& sys, sio_directory_actor directory,
                caf::timespan request_timeout, size_t max_pending_events,
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
  };

  void process_queue();
  /// Handles one event; false when it waits for the directory (the queue
  /// resumes when the answer arrives).
  bool handle(const pending_event& ev);
  bool register_with_directory(const pending_event& ev, bool as_monitor);
  void emit(std::string_view event, std::string_view reason);
  /// Emits `event` {reason}, then disconnects the client (`41` and close).
  void fail_and_disconnect(std::string_view event, std::string_view reason);
  void resume();
  void retire_companion();

  caf::actor_system& sys_;
  sio_directory_actor directory_;
  caf::timespan request_timeout_;
  size_t max_pending_events_;
  std::shared_ptr<socketio::namespace_socket> socket_;
  caf::actor companion_; // this connection, as the relay's actors see it
  std::optional<sio_monitor_actor> queried_;    // as a user
  std::optional<sio_monitor_actor> registered_; // as a monitor
  std::deque<pending_event> pending_;
  bool waiting_ = false;
  bool closed_ = false;
};

} // namespace signalbox::relay
