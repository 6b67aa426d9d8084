// One JMRI JSON connection's protocol logic, whatever carries it (WebSocket
// /json/ or the raw TCP stream): JsonClientHandler's dispatch, the util
// service (hello, ping, goodbye, locale, version) and the message service
// (client subscriptions through the node's jmri_directory).
//
// Replies keep the order of requests, as a real JMRI server's do: while a
// request waits for the directory, later ones queue behind it. The queue is
// bounded by back-pressure: when it is full the transport stops reading the
// client until it has room again (request_queue.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "protocols/jmri/codec.hpp"
#include "protocols/toolkit/companion.hpp"
#include "protocols/toolkit/request_queue.hpp"

namespace signalbox::jmri {

/// What a connection announces and how long it may stay silent.
struct connection_settings {
  hello_info hello;
  std::chrono::milliseconds idle_timeout{16500}; // heartbeat interval * 1.1
  size_t max_pending_requests = 256;
  size_t max_pending_bytes = 64 * 1024; // net.max-frame-bytes
  std::string default_locale = "en";
};

/// The transport under a connection. Every call happens on the
/// connection's strand.
class transport {
public:
  virtual ~transport() = default;

  /// Queues one frame for the peer (bounded; a slow peer is dropped).
  virtual void write_frame(std::shared_ptr<const std::string> frame) = 0;

  /// Closes once everything queued is written (after a goodbye).
  virtual void close_after_writes() = 0;

  /// Runs `fn` on the connection's strand (from any thread).
  virtual void post(std::function<void()> fn) = 0;

  /// Stops reading the peer: its requests wait (the idle timeout too).
  virtual void pause_input() = 0;

  /// Reads again; must not read synchronously (called from the queue).
  virtual void resume_input() = 0;
};

class connection : public std::enable_shared_from_this<connection> {
public:
  connection(caf::actor_system& sys, jmri_directory_actor directory,
             connection_settings settings, std::shared_ptr<transport> t);
  ~connection();

  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// The connection is up: the server speaks first with its hello.
  void on_open();

  /// One complete JSON text from the peer.
  void on_text(std::string_view text);

  /// The connection is gone: its client ids are dropped.
  void on_closed();

private:
  /// Parses and handles one request text; false when it waits for the
  /// directory (the queue resumes when the answer arrives).
  bool handle_text(std::string& text);
  bool handle(const request& req);
  bool handle_hello(const request& req);
  bool handle_client(const request& req);
  bool handle_client_get(const request& req);
  /// Asks the directory; `on_result(connection&, Result&)` runs on the
  /// strand, then the queue resumes. A failure answers the JMRI error of
  /// request `id`. Returns false (the queue waits).
  template <class Result, class OnResult, class... Ts>
  bool ask_directory(int64_t id, OnResult on_result, Ts... args);
  void reply(std::string frame);
  void error(int code, std::string message, int64_t id);
  void fail(const caf::error& err, int64_t id);

  caf::actor_system& sys_;
  jmri_directory_actor directory_;
  connection_settings settings_;
  std::shared_ptr<transport> transport_;
  // This connection, as the directory sees it.
  companion_bridge<jmri_sink_actor, jmri_frame_atom, jmri_frame> sink_;
  request_queue<std::string> requests_;
  std::string locale_;
};

} // namespace signalbox::jmri
