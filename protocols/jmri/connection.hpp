// One JMRI JSON connection's protocol logic, whatever carries it (WebSocket
// /json/ or the raw TCP stream): JsonClientHandler's dispatch, the util
// service (hello, ping, goodbye, locale, version) and the message service
// (client subscriptions through the node's jmri_directory).
//
// Replies keep the order of requests, as a real JMRI server's do: while a
// request waits for the directory, later ones queue behind it (bounded: a
// client that floods the node is disconnected).
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/group.hpp>

#include "actors/interfaces.hpp"
#include "protocols/jmri/codec.hpp"

namespace signalbox::jmri {

/// What a connection announces and how long it may stay silent.
struct connection_settings {
  hello_info hello;
  std::chrono::milliseconds idle_timeout{16500}; // heartbeat interval * 1.1
  size_t max_pending_requests = 256;
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

  /// Closes at once (protocol abuse).
  virtual void abort(const char* reason) = 0;

  /// Runs `fn` on the connection's strand (from any thread).
  virtual void post(std::function<void()> fn) = 0;
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
  void process_queue();
  /// Handles one request; false when it waits for the directory (the queue
  /// resumes when the answer arrives).
  bool handle(const request& req);
  bool handle_hello(const request& req);
  bool handle_client(const request& req);
  void reply(std::string frame);
  void error(int code, std::string message, int64_t id);
  /// Continues with the queue after an asynchronous answer.
  void resume();
  void retire_companion();

  caf::actor_system& sys_;
  jmri_directory_actor directory_;
  connection_settings settings_;
  std::shared_ptr<transport> transport_;
  caf::actor companion_; // this connection, as the directory sees it
  std::deque<std::string> pending_;
  bool waiting_ = false;
  bool closed_ = false;
  std::string locale_;
};

} // namespace signalbox::jmri
