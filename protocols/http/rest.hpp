// The REST API of port 1777 (docs/api.md): routes requests to the resources'
// handlers and answers JSON. Beast-free: the HTTP session hands in the few
// request fields the API looks at and writes back what it answers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "core/metrics.hpp"
#include "protocols/http/rest_routes.hpp"

namespace signalbox::http {

/// The node's actors and settings the API's own resources work with.
struct rest_context {
  caf::actor_system* sys = nullptr;
  job_registry_actor jobs;
  gpio_registry_actor gpio;
  value_registry_actor values;
  std::string api_token; // non-empty: mutating requests need Bearer auth
  caf::timespan request_timeout;
  bool gpio_simulated = true;
  /// Where requests are counted (route, method, status) and timed; null:
  /// a registry of the API's own.
  metrics::registry_ptr metrics;
};

class rest_api {
public:
  /// The API with the node's resources: jobs, GPIO lines (and their
  /// simulation), shared values.
  explicit rest_api(rest_context ctx);

  /// Adds a resource (a service's; JMRI's /api/messages).
  void add(std::shared_ptr<const rest_resource> resource);

  /// True when `path` (without query) belongs to the API, i.e. starts with
  /// "/api/" or is "/api".
  static bool is_api_path(const std::string& target);

  /// Handles one request; `respond` gets the answer (possibly later, from an
  /// actor's thread).
  void handle(const rest_request& req, rest_responder respond) const;

private:
  /// The Bearer check of mutating requests; the 401 answer when it fails.
  std::optional<rest_response> check_token(const rest_request& req) const;

  /// `respond`, counting and timing the answer under the route's pattern.
  rest_responder counted(rest_responder respond, const std::string& method,
                         std::shared_ptr<const std::string> route) const;

  std::string api_token_;
  rest_env env_;
  std::shared_ptr<metrics::counter_family> requests_;
  std::shared_ptr<metrics::histogram_family> durations_;
  std::vector<std::shared_ptr<const rest_resource>> resources_;
};

} // namespace signalbox::http
