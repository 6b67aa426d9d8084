// The altoponix command relay on the default namespace: users `query` a
// monitor id and `command send`; monitors `con` and answer `command done` /
// `command error` (seed 004, docs/socketio.md). Each connection is a
// CAF actor companion, so the relay's actors (sio_directory, sio_monitor;
// actors/interfaces.hpp) send it frames directly; a connection's events are
// handled in order, later ones waiting while the directory answers.
#pragma once

#include <memory>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/interfaces.hpp"
#include "protocols/socketio/sio_connection.hpp"

namespace signalbox::relay {

class relay_namespace : public socketio::namespace_def {
public:
  relay_namespace(caf::actor_system& sys, sio_directory_actor directory,
                  caf::timespan request_timeout,
                  size_t max_pending_events = 256,
                  size_t max_pending_bytes = 1000000);

  std::shared_ptr<socketio::namespace_handler>
  open(std::shared_ptr<socketio::namespace_socket> socket,
       std::string_view auth) override;

private:
  caf::actor_system& sys_;
  sio_directory_actor directory_;
  caf::timespan request_timeout_;
  size_t max_pending_events_;
  size_t max_pending_bytes_;
};

} // namespace signalbox::relay
