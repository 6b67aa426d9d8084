#include "protocols/socketio/relay_session.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_companion.hpp>
#include <caf/actor_system.hpp>

#include "actors/ask.hpp"
#include "actors/companion.hpp"
#include "actors/errors.hpp"
#include "protocols/socketio/relay_codec.hpp"

namespace signalbox::relay {

relay_session::relay_session(caf::actor_system& sys,
                             sio_directory_actor directory,
                             caf::timespan request_timeout,
                             size_t max_pending_events,
                             std::shared_ptr<socketio::namespace_socket> socket)
    : sys_(sys), directory_(std::move(directory)),
      request_timeout_(request_timeout),
      max_pending_events_(max_pending_events), socket_(std::move(socket)) {
  // nop
}

relay_session::~relay_session() {
  retire_companion();
}

void relay_session::start() {
  companion_ = sys_.spawn<caf::actor_companion>();
  auto companion = caf::actor_cast<caf::actor_companion*>(companion_);
  // Runs on the sender's thread: the frame goes straight to the Engine.IO
  // session's queue (thread-safe), shared, not copied.
  companion->on_enqueue([socket = socket_](caf::mailbox_element_ptr msg) {
    auto& content = msg->content();
    if (content.match_elements<sio_frame_atom, shared_frame>())
      socket->send_frame(content.get_as<shared_frame>(1));
  });
}

void relay_session::on_event(const socketio::event_view& event,
                             std::optional<uint64_t> ack_id,
                             std::vector<std::string>) {
  if (closed_)
    return;
  if (pending_.size() >= max_pending_events_) {
    // A client that floods the relay while it waits for the directory.
    socket_->disconnect(true);
    return;
  }
  pending_.push_back({event.name, event.args_json, ack_id});
  if (!waiting_)
    process_queue();
}

void relay_session::process_queue() {
  while (!waiting_ && !closed_ && !pending_.empty()) {
    auto ev = std::move(pending_.front());
    pending_.pop_front();
    if (!handle(ev))
      waiting_ = true;
    else if (ev.ack_id && !closed_)
      // Flask-SocketIO acknowledges with the handler's return value, which
      // is None for every relay handler.
      socket_->ack(*ev.ack_id, "[]");
  }
}

void relay_session::resume() {
  waiting_ = false;
  process_queue();
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
                   companion_);
    return true;
  }
  if (ev.name == ev_command_done || ev.name == ev_command_error) {
    if (!registered_) {
      emit(ev_command_failed, reason_not_a_monitor);
      return true;
    }
    if (ev.name == ev_command_done)
      caf::anon_send(*registered_, sio_done_atom_v, companion_);
    else
      caf::anon_send(*registered_, sio_failed_atom_v, companion_,
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
  std::weak_ptr<relay_session> weak = shared_from_this();
  auto socket = socket_;
  auto ack_id = ev.ack_id;
  auto on_result = [weak, socket, as_monitor, ack_id](caf::actor& actor) {
    socket->post([weak, as_monitor, ack_id,
                  monitor = caf::actor_cast<sio_monitor_actor>(actor)] {
      auto self = weak.lock();
      if (!self || self->closed_)
        return;
      if (as_monitor) {
        self->registered_ = monitor;
        self->emit(ev_con_ok, reason_connection_ok);
      } else {
        self->queried_ = monitor;
        self->emit(ev_query_ok, reason_query_ok);
      }
      if (ack_id)
        self->socket_->ack(*ack_id, "[]");
      self->resume();
    });
  };
  auto on_error = [weak, socket, failed](caf::error& err) {
    auto reason = err.category() == error_category_atom &&
                          static_cast<ec>(err.code()) == ec::conflict
                      ? std::string{reason_already_registered}
                      : text_of(err);
    socket->post([weak, failed, reason] {
      auto self = weak.lock();
      if (!self || self->closed_)
        return;
      self->fail_and_disconnect(failed, reason);
    });
  };
  if (as_monitor)
    ask<caf::actor>(sys_, directory_, request_timeout_, std::move(on_result),
                    std::move(on_error), sio_monitor_atom_v, std::move(*id),
                    companion_);
  else
    ask<caf::actor>(sys_, directory_, request_timeout_, std::move(on_result),
                    std::move(on_error), sio_user_atom_v, std::move(*id),
                    companion_);
  return false;
}

void relay_session::emit(std::string_view event, std::string_view reason) {
  socket_->send_frame_on_strand(
      std::make_shared<const std::string>(reason_frame(event, reason)));
}

void relay_session::fail_and_disconnect(std::string_view event,
                                        std::string_view reason) {
  emit(event, reason);
  // The seed says the connection closes; a `41` first keeps the client from
  // reconnecting in a loop (notes §4, "What signalbox does").
  pending_.clear();
  socket_->disconnect(true);
}

void relay_session::on_disconnect(std::string_view) {
  if (closed_)
    return;
  closed_ = true;
  pending_.clear();
  if (companion_)
    caf::anon_send(directory_, delete_atom_v, companion_);
  retire_companion();
}

void relay_session::retire_companion() {
  // The directory monitors the companion and drops the connection when it
  // terminates.
  signalbox::retire_companion(companion_);
}

} // namespace signalbox::relay
