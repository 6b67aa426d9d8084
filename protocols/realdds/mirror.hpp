// The realdds WebSocket mirror (ws://HOST:<realdds.port>/): the same
// messages as the DDS notification topic, for web clients. Subprotocol
// `realdds-json` (or none) gets text frames of JSON, `realdds-cbor` binary
// frames of CBOR; each message is framed once per format for every client.
//
// A new client waits in the hub until the realdds server actor admits it:
// the actor queues the client's initialization (device-header,
// device-options) and only then adds it to the broadcast, so nothing
// instant reaches it first. Controls a client sends (JSON text, or CBOR
// from a realdds-cbor client) go to the actor, and their replies to that
// client alone (docs/realdds.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <caf/timespan.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"
#include "core/shared_frame.hpp"
#include "protocols/http/bound_listener.hpp"
#include "protocols/realdds/message_codec.hpp"
#include "protocols/toolkit/ws_audience.hpp"

namespace signalbox::realdds {

enum class mirror_format : uint8_t { json, cbor };

/// One message as whole WebSocket frames, in both formats.
struct mirror_frames {
  shared_frame json; // a text frame
  shared_frame cbor; // a binary frame
};

mirror_frames frames_of(const encoded& message);

class mirror_hub {
public:
  explicit mirror_hub(boost::asio::any_io_executor io);

  /// The actor that admits clients and answers their controls, and how
  /// long a control may take there; set before the mirror serves.
  void set_server(realdds_server_actor server, caf::timespan timeout);

  // -- the sessions' side ----------------------------------------------------

  /// A client finished its handshake: it waits for admission. Returns its
  /// id (never 0: 0 stands for DDS in controls).
  uint64_t join(http::ws_session* s, mirror_format format);

  /// A client is gone (idempotent).
  void leave(http::ws_session* s);

  /// A control from client `id`, its `sequence`-th. `handled` runs on a
  /// CAF thread once the server has answered it (or the time is up).
  void control(uint64_t id, std::string json, int64_t sequence,
               std::function<void()> handled);

  // -- the server actor's side -----------------------------------------------

  /// Whether clients wait for admission.
  bool has_waiting() const;

  /// Queues `init` to every waiting client, then adds it to the broadcast.
  void admit(const std::vector<mirror_frames>& init);

  /// Queues `message` to every admitted client.
  void broadcast(const mirror_frames& message);

  /// Queues `message` to client `id` (if it is still there).
  void send_to(uint64_t id, const mirror_frames& message);

  /// Admitted clients.
  size_t size() const;

private:
  struct client {
    http::ws_session* session;
    mirror_format format;
    uint64_t id;
  };

  static http::outbound_frame frame_for(const mirror_frames& m,
                                        mirror_format format);

  boost::asio::any_io_executor io_;
  realdds_server_actor server_;
  caf::timespan control_timeout_{};
  ws_audience json_;
  ws_audience cbor_;
  mutable std::mutex mutex_;
  std::vector<client> waiting_;  // guarded by mutex_
  std::vector<client> admitted_; // guarded by mutex_
  uint64_t next_id_ = 1;         // guarded by mutex_
};

/// Serves the mirror on `listener`: WebSocket upgrades at path `/`, 426
/// for plain requests, 404 elsewhere. Incoming messages are bounded by
/// max_message_bytes (close 1009 beyond).
void serve_mirror(http::bound_listener& listener,
                  std::shared_ptr<mirror_hub> hub, net_options limits);

} // namespace signalbox::realdds
