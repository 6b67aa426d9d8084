// The REST API's routing vocabulary. A resource is a table of routes (a
// path pattern and its methods); the API (rest.cpp) finds the route, answers
// 404, 405, 401 and 415 the same way for every resource, and calls the
// method's handler. Resources are built where their actors are known: the
// node's own (jobs, GPIO lines, shared values) in rest_*.cpp, a service's in
// its own folder (JMRI's /api/messages), and added to the API.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include "actors/interfaces.hpp"
#include "core/errors.hpp"
#include "protocols/http/rest_json.hpp"
#include "protocols/toolkit/ask.hpp"

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

/// Where handlers ask their actors.
struct rest_env {
  caf::actor_system* sys = nullptr;
  caf::timespan timeout; // net.request-timeout: 503 beyond
};

/// One request, as a handler sees it.
struct rest_call {
  const rest_request& req;
  const std::vector<std::string>& path; // decoded segments; path[0] == "api"
  const std::string& query;             // still URL-encoded
  const rest_env& env;
  rest_responder respond;
};

using rest_handler = std::function<void(rest_call&)>;

/// One method of a route.
struct rest_method {
  std::string name; // "GET"
  rest_handler handler;
  bool needs_body = false; // a JSON body is required (415 without one)
};

/// A path pattern and its methods, in the order of the Allow header.
/// Pattern segments are literals or "{name}", which matches any one segment.
struct rest_route {
  std::vector<std::string> pattern;
  std::vector<rest_method> methods;

  /// Whether `path` matches the pattern segment for segment.
  bool matches(const std::vector<std::string>& path) const;

  /// The method named `name`, or nullptr.
  const rest_method* find(const std::string& name) const;

  /// "GET, PUT" for the Allow header.
  std::string allow_header() const;

  /// "/api/jobs/{id}": the pattern as a path (the metrics' route label).
  std::string label() const;
};

/// A route table for the paths /api/<name>/... of one or more names (the
/// second segments of its routes' patterns).
struct rest_resource {
  std::vector<rest_route> routes;

  /// Answers a request for this resource before any route is matched (a
  /// malformed id anywhere below /api/jobs is 404 "no job"); nullopt lets
  /// routing go on.
  std::function<std::optional<rest_response>(const rest_call&)> precheck;

  /// Whether /api/<path[1]>/... belongs to this resource.
  bool owns(const std::vector<std::string>& path) const;

  /// The route matching `path`, or nullptr (404).
  const rest_route* find(const std::vector<std::string>& path) const;
};

// -- what every handler uses
// ---------------------------------------------------

rest_response json_response(unsigned status, std::string body);

rest_response error_response(unsigned status, std::string_view text);

/// The HTTP status for a signalbox error code (503 for actors that did not
/// answer in time or are gone).
unsigned status_of(const caf::error& err);

/// Whether `authorization` is "Bearer <secret>", compared in constant time.
bool bearer_matches(const std::string& authorization,
                    const std::string& secret);

/// Parses a decimal unsigned 64-bit number, the whole string.
bool parse_u64(const std::string& str, uint64_t& out);

/// Asks `dest` and answers `status` with `encode(answer)`, or the error's
/// status and text.
template <class Result, class Encode, class Handle, class... Ts>
void answer_encoded(rest_call& call, unsigned status, Encode encode,
                    const Handle& dest, Ts... args) {
  auto respond = call.respond;
  ask<Result>(
      *call.env.sys, dest, call.env.timeout,
      [respond, status, encode](Result& x) {
        respond(json_response(status, encode(x)));
      },
      [respond](caf::error& err) {
        respond(error_response(status_of(err), text_of(err)));
      },
      std::move(args)...);
}

/// Asks `dest` and answers `status` with the JSON encoding of its answer,
/// or the error's status and text.
template <class Result, class Handle, class... Ts>
void answer(rest_call& call, unsigned status, const Handle& dest, Ts... args) {
  answer_encoded<Result>(
      call, status, [](const Result& x) { return rest::encode(x); }, dest,
      std::move(args)...);
}

/// Asks `dest` for `ok_atom` and answers 204 No Content.
template <class Handle, class... Ts>
void answer_no_content(rest_call& call, const Handle& dest, Ts... args) {
  auto respond = call.respond;
  ask<ok_atom>(
      *call.env.sys, dest, call.env.timeout,
      [respond](ok_atom) {
        respond(rest_response{204, {}, {}});
      },
      [respond](caf::error& err) {
        respond(error_response(status_of(err), text_of(err)));
      },
      std::move(args)...);
}

/// A handler for a request with a JSON body: decodes it with `decode` (400
/// with the decoder's text when it fails) and hands the value to
/// `next(value, call)`.
template <class Decode, class Next>
rest_handler with_body(Decode decode, Next next) {
  return [decode, next](rest_call& call) {
    auto body = decode(call.req.body);
    if (!body) {
      call.respond(error_response(400, body.error));
      return;
    }
    next(std::move(body.value), call);
  };
}

} // namespace signalbox::http
