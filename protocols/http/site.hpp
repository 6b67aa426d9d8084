// What one port serves: plain HTTP requests and WebSocket upgrades. The HTTP
// session (http_session.hpp) does the framing and the limits; a site decides
// what a request means. Includes Beast: only for the networking files.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "protocols/http/session_registry.hpp"
#include "protocols/http/wire.hpp"

namespace signalbox::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using request_type = bhttp::request<bhttp::string_body>;
using response_type = bhttp::response<bhttp::string_body>;

/// Called once with the answer to a request; any thread.
using response_callback = std::function<void(response_type)>;

/// For a site that holds a request's answer back (a long-polling GET): it
/// learns here that the client closed the connection before the answer.
/// The HTTP session watches the connection while a request is being
/// answered and calls what was registered, once, on the connection's
/// strand. Thread-safe.
class connection_watch {
public:
  /// `fn` runs if the connection closes before the answer is written.
  void on_close(std::function<void()> fn) {
    std::lock_guard<std::mutex> guard{mutex_};
    on_close_ = std::move(fn);
  }

  /// The HTTP session: the connection closed. Runs the callback (once).
  void closed() {
    std::function<void()> fn;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      fn = std::move(on_close_);
      on_close_ = nullptr;
    }
    if (fn)
      fn();
  }

private:
  std::mutex mutex_;
  std::function<void()> on_close_;
};

class site {
public:
  virtual ~site() = default;

  /// Answers a plain HTTP request through `respond`.
  virtual void handle(request_type&& req, response_callback respond) = 0;

  /// The same, for a site that may hold the answer back: `watch` says
  /// when the client goes away first.
  virtual void handle(request_type&& req, response_callback respond,
                      const std::shared_ptr<connection_watch>&) {
    handle(std::move(req), std::move(respond));
  }

  /// A WebSocket upgrade request. Either takes over `stream` (moving from
  /// it) and returns nothing, or leaves it alone and returns the HTTP
  /// response that refuses the upgrade (404 unknown path, 400 bad
  /// subprotocol, ...).
  virtual std::optional<response_type>
  upgrade(wire& stream, request_type& req,
          const std::shared_ptr<session_registry>& sessions) = 0;

  /// The body of request `req` (headers only) exceeded the body limit; the
  /// HTTP session answers 413 itself. A site whose requests belong to a
  /// longer session (Engine.IO polling) ends that session here.
  virtual void body_too_large(const request_type&) {}
};

/// A JSON response with the given status and body, and the server header.
response_type make_json_response(unsigned status, std::string body,
                                 unsigned version, bool keep_alive);

/// 426 Upgrade Required with `Upgrade: websocket` and a JSON error saying
/// `what` this endpoint is: a plain HTTP request to a WebSocket endpoint.
response_type make_upgrade_required(std::string_view what, unsigned version,
                                    bool keep_alive);

} // namespace signalbox::http
