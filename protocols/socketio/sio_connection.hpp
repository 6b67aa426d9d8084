// The Socket.IO 5 layer of one Engine.IO session: namespaces joined with
// CONNECT and left with DISCONNECT, events and acknowledgements, binary
// attachments reassembled, the connect timeout, and the Node server's
// reaction to every protocol error (close the connection). What a namespace
// does with events is up to its namespace_def (the relay, the conformance
// setup of the tests).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "core/jmri_types.hpp"
#include "protocols/socketio/engine_socket.hpp"
#include "protocols/socketio/socketio_codec.hpp"

namespace signalbox::socketio {

class sio_connection;

/// One client's membership of one namespace, as the namespace sees it.
/// Strand-only unless said otherwise.
class namespace_socket {
public:
  namespace_socket(std::weak_ptr<engineio::engine_socket> engine,
                   std::weak_ptr<sio_connection> conn, std::string nsp,
                   std::string sid);

  const std::string& nsp() const { return nsp_; }
  const std::string& sid() const { return sid_; }

  /// Emits an EVENT whose data is `data` (the JSON array [name, args...]),
  /// a BINARY_EVENT when there are attachments.
  void emit(std::string data, std::vector<std::string> attachments = {});

  /// Answers the client's ack request `id` with `args_json` (an array).
  void ack(uint64_t id, std::string args_json,
           std::vector<std::string> attachments = {});

  /// Sends a complete, pre-encoded Engine.IO text packet (encoded once for
  /// many recipients). Any thread.
  void send_frame(shared_frame frame);

  /// The same, on the strand: in order with emit() and disconnect().
  void send_frame_on_strand(shared_frame frame);

  /// Disconnects the client from this namespace (`41`); with
  /// `close_transport`, the Engine.IO session closes after it (Node's
  /// disconnect(true)).
  void disconnect(bool close_transport);

  /// Runs `fn` on the connection's strand. Any thread.
  void post(std::function<void()> fn);

  /// Too much of this client waits in the namespace (true): it is not read
  /// until released (false); see engine_socket::hold_input.
  void hold_input(bool held);

private:
  void send_packet(const packet& p, std::vector<std::string> attachments);

  std::weak_ptr<engineio::engine_socket> engine_;
  std::weak_ptr<sio_connection> conn_;
  std::string nsp_;
  std::string sid_;
};

/// What a namespace does for one connected client. Strand-only.
class namespace_handler {
public:
  virtual ~namespace_handler() = default;

  /// An EVENT (or BINARY_EVENT, with its attachments); `ack_id` when the
  /// client asked for an acknowledgement.
  virtual void on_event(const event_view& event, std::optional<uint64_t> ack_id,
                        std::vector<std::string> attachments) = 0;

  /// The client left the namespace or the connection is gone.
  virtual void on_disconnect(std::string_view reason) = 0;
};

/// A namespace of the server.
class namespace_def {
public:
  virtual ~namespace_def() = default;

  /// A refusal message for a CONNECT with payload `auth` (a JSON object
  /// text, or empty), or nothing to accept it.
  virtual std::optional<std::string> refuse(std::string_view auth) {
    (void)auth;
    return std::nullopt;
  }

  /// The client is connected (its CONNECT answer is out): the handler of
  /// its events.
  virtual std::shared_ptr<namespace_handler>
  open(std::shared_ptr<namespace_socket> socket, std::string_view auth) = 0;
};

using namespace_map =
    std::map<std::string, std::shared_ptr<namespace_def>, std::less<>>;

struct sio_settings {
  std::chrono::milliseconds connect_timeout{45000};
  size_t max_attachments = 10;
};

class sio_connection : public engineio::socket_handler,
                       public std::enable_shared_from_this<sio_connection> {
public:
  sio_connection(std::shared_ptr<engineio::engine_socket> engine,
                 std::shared_ptr<const namespace_map> namespaces,
                 sio_settings settings);

  void on_open() override;
  void on_message(std::string_view data, bool binary) override;
  void on_close(std::string_view reason) override;

  /// A namespace was left by the server (namespace_socket::disconnect).
  void drop_namespace(const std::string& nsp, std::string_view reason);

private:
  void handle(packet&& p, std::vector<std::string> attachments);
  void connect(const packet& p);
  void protocol_error();

  std::weak_ptr<engineio::engine_socket> engine_;
  std::shared_ptr<const namespace_map> namespaces_;
  sio_settings settings_;
  struct membership {
    std::shared_ptr<namespace_socket> socket;
    std::shared_ptr<namespace_handler> handler;
  };
  std::map<std::string, membership, std::less<>> joined_;
  // A binary packet waiting for its attachments.
  std::optional<packet> reassembling_;
  std::vector<std::string> attachments_;
  boost::asio::steady_timer connect_timer_;
  bool closed_ = false;
};

} // namespace signalbox::socketio
