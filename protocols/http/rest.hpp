// The REST API of port 1777 (notes/ttmnotify.md): routes requests to the
// domain actors and answers JSON. Beast-free: the HTTP session hands in the
// few request fields the API looks at and writes back what it answers.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "config/options.hpp"

namespace signalbox::http {

/// What the REST API reads of an HTTP request.
struct rest_request {
  std::string method; // "GET", "PUT", ...
  std::string target; // path and query, still URL-encoded
  std::string content_type;
  std::string authorization;
  std::string body;
};

/// What the REST API answers: a status, a JSON body (empty for 204) and
/// extra headers (Location, Allow, WWW-Authenticate).
struct rest_response {
  unsigned status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Called exactly once per request, from any thread.
using rest_responder = std::function<void(rest_response)>;

/// The actors and settings the REST API works with.
struct rest_context {
  caf::actor_system* sys = nullptr;
  job_registry_actor jobs;
  gpio_registry_actor gpio;
  value_registry_actor values;
  jmri_directory_actor jmri; // null when the JMRI service is disabled
  std::string jmri_locale;
  ttm_options ttm;
  caf::timespan request_timeout;
  bool gpio_simulated = true;
};

class rest_api {
public:
  explicit rest_api(rest_context ctx);

  /// True when `path` (without query) belongs to the API, i.e. starts with
  /// "/api/" or is "/api".
  static bool is_api_path(const std::string& target);

  /// Handles one request; `respond` gets the answer (possibly later, from an
  /// actor's thread).
  void handle(const rest_request& req, rest_responder respond) const;

private:
  rest_context ctx_;
};

/// The HTTP status for a signalbox error code.
unsigned status_of(const caf::error& err);

} // namespace signalbox::http
