// One RTOC websocket connection's logic, apart from its WebSocket
// (session.hpp, plain or TLS as the port's wire is): authorization
// (RTOC's password hash), the AES layer for peers outside the whitelist,
// requests answered strictly in order by the node's RTOC directory (a
// client sending faster is not read meanwhile), and pushes from the RTOC
// actors.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/interfaces.hpp"
#include "protocols/toolkit/companion.hpp"
#include "protocols/toolkit/request_queue.hpp"

namespace signalbox::rtoc {

/// What every connection of the listener shares.
struct session_settings {
  caf::actor_system* sys = nullptr;
  rtoc_directory_actor directory;
  std::string password_hash;          // base64(sha256(password)); empty: none
  std::string aes_key;                // its first 16 characters
  std::vector<std::string> whitelist; // peers that need no encryption
  caf::timespan request_timeout;
  size_t max_pending_requests = 256;
  size_t max_pending_bytes = 1024 * 1024; // rtoc.max-frame-bytes
};

/// Whether `peer` (an IP address) is whitelisted: an exact entry, or
/// "localhost" for a loopback address. Pure.
bool whitelisted(const std::vector<std::string>& whitelist,
                 const std::string& peer);

/// The websocket under a connection.
class transport {
public:
  virtual ~transport() = default;

  /// Queues one text frame; any thread.
  virtual void write(shared_frame text) = 0;

  /// Queues several text frames, written together where the transport
  /// can; any thread.
  virtual void write_all(const shared_frames& frames) {
    for (auto& f : frames)
      write(f);
  }

  /// Runs `fn` on the connection's strand; any thread.
  virtual void post(std::function<void()> fn) = 0;

  /// Stops reading the peer while its requests wait (request_queue).
  virtual void pause_input() = 0;

  /// Reads again; must not read synchronously (called from the queue).
  virtual void resume_input() = 0;
};

class connection : public std::enable_shared_from_this<connection> {
public:
  connection(std::shared_ptr<const session_settings> settings,
             std::shared_ptr<transport> t, const std::string& peer);

  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// The handshake is done: the connection joins the directory.
  void on_open();

  /// A text frame; on the strand.
  void on_text(std::string_view text);

  /// A binary frame; on the strand. RTOC speaks text only.
  void on_binary();

  /// The connection is gone.
  void on_closed();

private:
  /// Handles one frame; false while the directory works on it.
  bool handle(std::string& frame);
  /// Answers `authorize`; false when the client is refused.
  bool authorize(const std::string& hash);
  /// Writes `text` to the client (encrypted for encrypted peers). Any
  /// thread.
  void write(const std::string& text);
  /// RTOC's send_json: an unauthorized client gets {"authorized":false}
  /// instead of the answer.
  void answer(const std::string& text);
  /// Pushes from an RTOC actor; any thread.
  void push(const shared_frames& frames);

  std::shared_ptr<const session_settings> settings_;
  std::shared_ptr<transport> transport_;
  bool encrypted_;
  std::atomic<bool> authorized_;
  companion_bridge<rtoc_sink_actor, rtoc_push_atom, shared_frames> sink_;
  request_queue<std::string> requests_;
};

} // namespace signalbox::rtoc
