#include "protocols/socketio/relay_namespace.hpp"

#include "protocols/socketio/relay_session.hpp"

namespace signalbox::relay {

relay_namespace::relay_namespace(caf::actor_system& sys,
                                 sio_directory_actor directory,
                                 caf::timespan request_timeout,
                                 size_t max_pending_events,
                                 size_t max_pending_bytes)
    : sys_(sys), directory_(std::move(directory)),
      request_timeout_(request_timeout),
      max_pending_events_(max_pending_events),
      max_pending_bytes_(max_pending_bytes) {
  // nop
}

std::shared_ptr<socketio::namespace_handler>
relay_namespace::open(std::shared_ptr<socketio::namespace_socket> socket,
                      std::string_view) {
  auto session = std::make_shared<relay_session>(
      sys_, directory_, request_timeout_, max_pending_events_,
      max_pending_bytes_, std::move(socket));
  session->start();
  return session;
}

} // namespace signalbox::relay
