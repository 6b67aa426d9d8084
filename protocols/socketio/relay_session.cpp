#include "protocols/socketio/relay_session.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "core/errors.hpp"
#include "protocols/socketio/relay_codec.hpp"
#include "protocols/toolkit/ask.hpp"

namespace signalbox::relay {

relay_session::relay_session(caf::actor_system& sys,
                             sio_directory_actor directory,
                             caf::timespan request_timeout,
                             size_t max_pending_events,
                             size_t max_pending_bytes,
                             std::shared_ptr<socketio::namespace_socket> socket)
    : sys_(sys), directory_(std::move(directory)),
      request_timeout_(request_timeout), socket_(std::move(socket)),
      events_(
          max_pending_events, max_pending_bytes,
          [this](pending_event& ev) { return handle_in_order(ev); },
          [this](bool paused) { socket_->hold_input(paused); }) {
  // nop
}

// The directory monitors the sink and drops the connection when it goes
// down; companion_bridge's destructor retires it.
relay_session::~relay_session() = default;

void relay_session::start() {
  // Runs on the sender's thread: the frame goes straight to the Engine.IO
  // session's queue (thread-safe), shared, not copied.
  sink_.open(sys_, [socket = socket_](const shared_frame& frame) {
    socket->send_frame(frame);
  });
}

void relay_session::on_event(const socketio::event_view& event,
                             std::optional<uint64_t> ack_id,
                             std::vector<std::string>) {
  events_.push({event.name, event.args_json, ack_id});
}

bool relay_session::handle_in_order(pending_event& ev) {
  if (!handle(ev))
    return false;
  if (ev.ack_id && !events_.stopped())
    // Flask-SocketIO acknowledges with the handler's return value, which
    // is None for every relay handler.
    socket_->ack(*ev.ack_id, "[]");
  return true;
}

bool relay_session::handle(const pending_event& ev) {
  if (ev.name == ev_query)
    return register_with_directory(ev, false);
  if (ev.name == ev_con)
    return register_with_directory(ev, true);
  if (ev.name == ev_command_send) {
    auto command = command_of(ev.args_json);
    if (!command) {
      emit(ev_command_failed, reason_invalid_command);
      return true;
    }
    if (!queried_) {
      emit(ev_command_failed, reason_no_monitor);
      return true;
    }
    // The monitor's actor sends `command do` to the monitor, then
    // `command ok` to this connection.
    caf::anon_send(*queried_, sio_command_atom_v, std::move(*command),
                   sink_.sink());
    return true;
  }
  if (ev.name == ev_command_done || ev.name == ev_command_error) {
    if (!registered_) {
      emit(ev_command_failed, reason_not_a_monitor);
      return true;
    }
    if (ev.name == ev_command_done)
      caf::anon_send(*registered_, sio_done_atom_v, sink_.sink());
    else
      caf::anon_send(*registered_, sio_failed_atom_v, sink_.sink(),
                     error_reason_of(ev.args_json));
    return true;
  }
  // Events without a handler are ignored, as by the reference servers.
  return true;
}

bool relay_session::register_with_directory(const pending_event& ev,
                                            bool as_monitor) {
  auto failed = as_monitor ? ev_con_failed : ev_query_failed;
  auto id = monitor_id_of(ev.args_json);
  if (!id) {
    fail_and_disconnect(failed, reason_invalid_monitor_id);
    return true;
  }
  auto on_result = [ev, as_monitor](relay_session& self,
                                    sio_monitor_actor& monitor) {
    self.registered(ev, as_monitor, monitor);
  };
  auto on_error = [failed](relay_session& self, caf::error& err) {
    if (self.events_.stopped())
      return;
    self.fail_and_disconnect(failed,
                             code_of(err) == ec::conflict
                                 ? std::string{reason_already_registered}
                                 : text_of(err));
  };
  auto atom_args = [&](auto atom) {
    ask_and_post<sio_monitor_actor>(sys_, directory_, request_timeout_, socket_,
                                    weak_from_this(), on_result, on_error, atom,
                                    std::move(*id), sink_.sink());
  };
  if (as_monitor)
    atom_args(sio_monitor_atom_v);
  else
    atom_args(sio_user_atom_v);
  return false;
}

void relay_session::registered(const pending_event& ev, bool as_monitor,
                               sio_monitor_actor monitor) {
  if (events_.stopped())
    return;
  if (as_monitor) {
    registered_ = std::move(monitor);
    emit(ev_con_ok, reason_connection_ok);
  } else {
    queried_ = std::move(monitor);
    emit(ev_query_ok, reason_query_ok);
  }
  if (ev.ack_id)
    socket_->ack(*ev.ack_id, "[]");
  events_.resume();
}

void relay_session::emit(std::string_view event, std::string_view reason) {
  socket_->send_frame_on_strand(
      std::make_shared<const std::string>(reason_frame(event, reason)));
}

void relay_session::fail_and_disconnect(std::string_view event,
                                        std::string_view reason) {
  emit(event, reason);
  // The seed says the connection closes; a `41` first keeps the client from
  // reconnecting in a loop (docs/socketio.md).
  events_.clear();
  socket_->disconnect(true);
}

void relay_session::on_disconnect(std::string_view) {
  if (events_.stopped())
    return;
  events_.stop();
  if (sink_)
    caf::anon_send(directory_, delete_atom_v, sink_.sink());
  sink_.retire();
}

} // namespace signalbox::relay
