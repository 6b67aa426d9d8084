#include "protocols/socketio/sio_monitor.hpp"

#include <algorithm>
#include <memory>

#include <caf/send.hpp>

#include "protocols/socketio/relay_codec.hpp"
#include "protocols/socketio/relay_topics.hpp"

namespace signalbox {

namespace {

using self_pointer = sio_monitor_actor::stateful_pointer<sio_monitor_state>;

shared_frame make_frame(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// The frames without variable parts are encoded once per process and shared
// by every recipient of every monitor id.

const shared_frame& command_ok_frame() {
  static const shared_frame frame = make_frame(
      relay::reason_frame(relay::ev_command_ok, relay::reason_command_ok));
  return frame;
}

const shared_frame& command_finish_frame() {
  static const shared_frame frame = make_frame(relay::reason_frame(
      relay::ev_command_finish, relay::reason_command_finish));
  return frame;
}

/// Hands `frame` to connection `conn`. anon_send: connections do not answer
/// frames. Frames sent by one handler arrive in the order sent.
void emit(const sio_sink_actor& conn, const shared_frame& frame) {
  if (conn)
    caf::anon_send(conn, sio_frame_atom_v, frame);
}

void emit_to_users(self_pointer self, const shared_frame& frame) {
  for (auto& user : self->state.users)
    emit(user, frame);
}

/// Whether `conn` is the registered monitor. A message from any other
/// connection is stale: it comes from a monitor that has disconnected (or
/// re-registered elsewhere) since the session looked this actor up.
bool from_monitor(self_pointer self, const sio_sink_actor& conn) {
  auto& monitor = self->state.monitor;
  return monitor && conn == monitor;
}

/// A user's command: to the monitor here, or else to the node holding the
/// id (the one whose name sorts first, should two hold it).
void forward_command(self_pointer self, const std::string& command) {
  auto& st = self->state;
  if (st.monitor)
    emit(st.monitor, make_frame(relay::command_do_frame(command)));
  else if (st.cluster)
    self->send(st.cluster, cluster_owner_atom_v, st.monitor_topic,
               caf::make_message(sio_command_atom_v, command));
}

/// The monitor's result: to the users here and on every other node.
void publish_result(self_pointer self, caf::message result) {
  auto& st = self->state;
  if (st.cluster)
    self->send(st.cluster, cluster_publish_atom_v, st.users_topic,
               std::move(result));
}

void emit_failed(self_pointer self, const std::string& reason) {
  if (self->state.users.empty())
    return;
  // One encoding for every user of this error.
  emit_to_users(
      self, make_frame(relay::reason_frame(relay::ev_command_failed, reason)));
}

} // namespace

sio_monitor_actor::behavior_type sio_monitor(self_pointer self, std::string id,
                                             cluster_router_actor cluster) {
  self->state.id = std::move(id);
  self->state.cluster = std::move(cluster);
  self->state.monitor_topic = relay::monitor_topic(self->state.id);
  self->state.users_topic = relay::users_topic(self->state.id);
  return {
      [=](sio_command_atom, const std::string& command,
          const sio_sink_actor& user) {
        // The original forwards first and confirms second, and confirms
        // also when the command is dropped because no monitor is online.
        // The sender need not be attached: the session sends commands only
        // after its query succeeded.
        forward_command(self, command);
        emit(user, command_ok_frame());
      },
      [=](sio_done_atom, const sio_sink_actor& conn) {
        if (!from_monitor(self, conn))
          return;
        emit_to_users(self, command_finish_frame());
        publish_result(self, caf::make_message(sio_done_atom_v));
      },
      [=](sio_failed_atom, const sio_sink_actor& conn,
          const std::string& reason) {
        if (!from_monitor(self, conn))
          return;
        emit_failed(self, reason);
        publish_result(self, caf::make_message(sio_failed_atom_v, reason));
      },
      // -- from other nodes (through the directory) ---------------------------
      [=](sio_command_atom, const std::string& command) {
        if (auto& monitor = self->state.monitor)
          emit(monitor, make_frame(relay::command_do_frame(command)));
      },
      [=](sio_done_atom) { emit_to_users(self, command_finish_frame()); },
      [=](sio_failed_atom, const std::string& reason) {
        emit_failed(self, reason);
      },
      [=](sio_user_atom, put_atom, const sio_sink_actor& conn) {
        auto& users = self->state.users;
        if (std::find(users.begin(), users.end(), conn) == users.end())
          users.push_back(conn);
      },
      [=](sio_user_atom, delete_atom, const sio_sink_actor& conn) {
        auto& users = self->state.users;
        users.erase(std::remove(users.begin(), users.end(), conn), users.end());
      },
      [=](sio_monitor_atom, put_atom, const sio_sink_actor& conn) {
        self->state.monitor = conn;
      },
      [=](sio_monitor_atom, delete_atom) { self->state.monitor = nullptr; },
      [=](delete_atom) {
        // Not send_exit(normal): CAF 0.17 ignores an exit message with reason
        // normal. A normal exit does not affect the linked directory.
        self->quit();
      },
  };
}

} // namespace signalbox
