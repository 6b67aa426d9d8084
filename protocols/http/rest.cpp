#include "protocols/http/rest.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <set>

#include <caf/sec.hpp>

#include "core/errors.hpp"
#include "protocols/http/rest_resources.hpp"
#include "protocols/http/uri_codec.hpp"

namespace signalbox::http {

namespace {

bool is_mutating(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "DELETE" ||
         method == "PATCH";
}

bool is_json_media_type(const std::string& content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  media.erase(std::remove_if(media.begin(), media.end(),
                             [](unsigned char c) { return std::isspace(c); }),
              media.end());
  std::transform(media.begin(), media.end(), media.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return media == "application/json";
}

/// 415 for a body that is not JSON (a request without body and without a
/// Content-Type passes: the handler then answers the missing body).
bool body_is_acceptable(const rest_request& req, bool needs_body) {
  if (req.body.empty() && !needs_body)
    return true;
  if (is_json_media_type(req.content_type))
    return true;
  return req.body.empty() && req.content_type.empty();
}

} // namespace

// -- routing vocabulary
// ---------------------------------------------------------

bool rest_route::matches(const std::vector<std::string>& path) const {
  if (path.size() != pattern.size())
    return false;
  for (size_t i = 0; i < path.size(); ++i) {
    auto& p = pattern[i];
    bool parameter = p.size() >= 2 && p.front() == '{' && p.back() == '}';
    if (!parameter && p != path[i])
      return false;
  }
  return true;
}

const rest_method* rest_route::find(const std::string& name) const {
  for (auto& m : methods)
    if (m.name == name)
      return &m;
  return nullptr;
}

std::string rest_route::allow_header() const {
  std::string out;
  for (auto& m : methods) {
    if (!out.empty())
      out += ", ";
    out += m.name;
  }
  return out;
}

bool bearer_matches(const std::string& authorization,
                    const std::string& secret) {
  static constexpr std::string_view prefix = "Bearer ";
  if (authorization.size() != prefix.size() + secret.size() ||
      authorization.compare(0, prefix.size(), prefix) != 0)
    return false;
  // A time that does not depend on where they differ, so that response
  // timing does not leak the secret byte by byte.
  unsigned char diff = 0;
  for (size_t i = 0; i < secret.size(); ++i)
    diff |= static_cast<unsigned char>(authorization[prefix.size() + i] ^
                                       secret[i]);
  return diff == 0;
}

std::string rest_route::label() const {
  std::string out;
  for (auto& segment : pattern) {
    out += '/';
    out += segment;
  }
  return out;
}

bool rest_resource::owns(const std::vector<std::string>& path) const {
  if (path.size() < 2)
    return false;
  for (auto& r : routes)
    if (r.pattern.size() >= 2 && r.pattern[1] == path[1])
      return true;
  return false;
}

const rest_route*
rest_resource::find(const std::vector<std::string>& path) const {
  for (auto& r : routes)
    if (r.matches(path))
      return &r;
  return nullptr;
}

rest_response json_response(unsigned status, std::string body) {
  return {status, std::move(body), {}};
}

rest_response error_response(unsigned status, std::string_view text) {
  return {status, rest::encode_error(text), {}};
}

bool parse_u64(const std::string& str, uint64_t& out) {
  if (str.empty() || str.size() > 19)
    return false;
  auto res = std::from_chars(str.data(), str.data() + str.size(), out);
  return res.ec == std::errc{} && res.ptr == str.data() + str.size();
}

unsigned status_of(const caf::error& err) {
  // The actors did not answer in time, or are gone (the node is shutting
  // down): the service is unavailable, not broken.
  if (err.category() == caf::atom("system") &&
      (err.code() == static_cast<uint8_t>(caf::sec::request_timeout) ||
       err.code() == static_cast<uint8_t>(caf::sec::request_receiver_down)))
    return 503;
  switch (code_of(err)) {
  case ec::not_found:
    return 404;
  case ec::conflict:
    return 409;
  case ec::forbidden:
    return 403;
  case ec::invalid_argument:
    return 400;
  case ec::unavailable:
    return 503;
  case ec::storage_full:
    return 507; // Insufficient Storage (RFC 4918)
  case ec::none:
  case ec::storage_failure:
  case ec::system_error:
    return 500;
  }
  return 500;
}

// -- the API -----------------------------------------------------------------

rest_api::rest_api(rest_context ctx)
    : api_token_(std::move(ctx.api_token)), env_{ctx.sys, ctx.request_timeout} {
  auto reg = ctx.metrics ? ctx.metrics : std::make_shared<metrics::registry>();
  requests_ = reg->counters("signalbox_rest_requests_total",
                            "REST requests answered, by route pattern, "
                            "method and status",
                            {"route", "method", "status"});
  durations_ = reg->histograms("signalbox_rest_request_duration_seconds",
                               "time from a REST request to its answer, by "
                               "route pattern",
                               {"route"});
  add(jobs_resource(ctx.jobs));
  add(gpio_resource(ctx.gpio));
  add(gpio_simulation_resource(ctx.gpio));
  add(values_resource(ctx.values));
}

void rest_api::add(std::shared_ptr<const rest_resource> resource) {
  resources_.push_back(std::move(resource));
}

bool rest_api::is_api_path(const std::string& target) {
  return target == "/api" || target.rfind("/api/", 0) == 0 ||
         target.rfind("/api?", 0) == 0;
}

std::optional<rest_response>
rest_api::check_token(const rest_request& req) const {
  if (!is_mutating(req.method) || api_token_.empty())
    return std::nullopt;
  auto& auth = req.authorization;
  if (bearer_matches(auth, api_token_))
    return std::nullopt;
  auto out =
      error_response(401, auth.empty() ? "this request needs a bearer token"
                                       : "invalid bearer token");
  out.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"signalbox\"");
  return out;
}

rest_responder
rest_api::counted(rest_responder respond, const std::string& method,
                  std::shared_ptr<const std::string> route) const {
  // A fixed set of method labels: a client cannot grow the series with
  // made-up methods.
  static const std::set<std::string> known = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  auto method_label = known.count(method) ? method : std::string{"other"};
  return [respond = std::move(respond), route = std::move(route),
          method_label = std::move(method_label), requests = requests_,
          durations = durations_,
          started = std::chrono::steady_clock::now()](rest_response out) {
    requests->with({*route, method_label, std::to_string(out.status)})->add();
    durations->with({*route})->observe(std::chrono::steady_clock::now() -
                                       started);
    respond(std::move(out));
  };
}

void rest_api::handle(const rest_request& req, rest_responder respond) const {
  // The label is the route's pattern once one matched ("/api/jobs/{id}"),
  // so that ids and keys do not each make a series of their own.
  auto route = std::make_shared<std::string>("unmatched");
  respond = counted(std::move(respond), req.method, route);
  std::vector<std::string> path;
  std::string query;
  if (!split_target(req.target, path, query)) {
    respond(error_response(400, "malformed percent-encoding in the path"));
    return;
  }
  rest_call call{req, path, query, env_, std::move(respond)};
  auto not_found = [&] {
    call.respond(error_response(404, "no such resource: " + req.target));
  };
  if (path.empty() || path[0] != "api") {
    not_found();
    return;
  }
  auto owner = std::find_if(resources_.begin(), resources_.end(),
                            [&](auto& r) { return r->owns(path); });
  if (owner == resources_.end()) {
    not_found();
    return;
  }
  auto& resource = **owner;
  // Answers before a route matched count under the resource's name (one
  // of a few, whatever the path).
  *route = "/api/" + path[1];
  if (resource.precheck)
    if (auto early = resource.precheck(call)) {
      call.respond(std::move(*early));
      return;
    }
  auto found = resource.find(path);
  if (found == nullptr) {
    not_found();
    return;
  }
  *route = found->label();
  auto method = found->find(req.method);
  if (method == nullptr) {
    auto out = error_response(405, "method " + req.method + " not allowed on " +
                                       req.target);
    out.headers.emplace_back("Allow", found->allow_header());
    call.respond(std::move(out));
    return;
  }
  if (auto refused = check_token(req)) {
    call.respond(std::move(*refused));
    return;
  }
  if (!body_is_acceptable(req, method->needs_body)) {
    call.respond(error_response(415, "Content-Type must be application/json"));
    return;
  }
  method->handler(call);
}

} // namespace signalbox::http
