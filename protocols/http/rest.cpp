#include "protocols/http/rest.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <caf/sec.hpp>

#include "actors/ask.hpp"
#include "actors/errors.hpp"
#include "protocols/http/rest_json.hpp"
#include "protocols/http/uri_codec.hpp"

namespace signalbox::http {

namespace {

using segments = std::vector<std::string>;

rest_response json(unsigned status, std::string body) {
  return {status, std::move(body), {}};
}

rest_response error_response(unsigned status, std::string_view text) {
  return {status, rest::encode_error(text), {}};
}

bool is_mutating(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "DELETE" ||
         method == "PATCH";
}

bool parse_u64(const std::string& str, uint64_t& out) {
  if (str.empty() || str.size() > 19)
    return false;
  auto res = std::from_chars(str.data(), str.data() + str.size(), out);
  return res.ec == std::errc{} && res.ptr == str.data() + str.size();
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

/// Compares tokens in a time that does not depend on where they differ, so
/// that response timing does not leak the configured token byte by byte.
bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size())
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

/// One matched route: the methods it allows, and what to do for each.
struct route_match {
  std::string allow; // the Allow header: "GET, POST"
  std::function<void(const rest_request&, rest_responder)> handler;
  bool needs_body = false;
};

} // namespace

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
  case ec::none:
  case ec::storage_failure:
  case ec::system_error:
    return 500;
  }
  return 500;
}

rest_api::rest_api(rest_context ctx) : ctx_(std::move(ctx)) {
  // nop
}

bool rest_api::is_api_path(const std::string& target) {
  return target == "/api" || target.rfind("/api/", 0) == 0 ||
         target.rfind("/api?", 0) == 0;
}

void rest_api::handle(const rest_request& req, rest_responder respond) const {
  segments path;
  std::string query;
  if (!split_target(req.target, path, query)) {
    respond(error_response(400, "malformed percent-encoding in the path"));
    return;
  }
  // Every route answers through these helpers: they ask an actor and turn
  // its answer (or error) into a response.
  auto& sys = *ctx_.sys;
  auto timeout = ctx_.request_timeout;
  auto on_error = [respond](caf::error& err) {
    respond(error_response(status_of(err), text_of(err)));
  };
  auto reply = [&](auto result_tag, unsigned status, const auto& dest,
                   auto... args) {
    using result_type = typename decltype(result_tag)::type;
    ask<result_type>(
        sys, dest, timeout,
        [respond, status](result_type& x) {
          respond(json(status, rest::encode(x)));
        },
        on_error, args...);
  };
  auto no_content = [&](const auto& dest, auto... args) {
    ask<ok_atom>(
        sys, dest, timeout,
        [respond](ok_atom) {
          respond(rest_response{204, {}, {}});
        },
        on_error, args...);
  };
  // A handler for a request with a JSON body: decodes it with `decode` (400
  // with the decoder's text when it fails) and hands the value to `next`.
  auto with_body = [](auto decode, auto next) {
    return [decode, next](const rest_request& r, rest_responder res) mutable {
      auto body = decode(r.body);
      if (!body) {
        res(error_response(400, body.error));
        return;
      }
      next(std::move(body.value), std::move(res));
    };
  };
  using jobs_t = std::vector<job_info>;
  struct tag_job {
    using type = job_info;
  };
  struct tag_jobs {
    using type = jobs_t;
  };
  struct tag_gpio {
    using type = gpio_info;
  };
  struct tag_gpios {
    using type = std::vector<gpio_info>;
  };
  struct tag_value {
    using type = value_info;
  };
  struct tag_values {
    using type = std::vector<value_info>;
  };
  struct tag_log {
    using type = std::vector<log_line>;
  };
  route_match route;
  auto not_found = [&] {
    respond(error_response(404, "no such resource: " + req.target));
  };
  if (path.empty() || path[0] != "api") {
    not_found();
    return;
  }
  auto n = path.size();
  // -- jobs ---------------------------------------------------------------
  if (n >= 2 && path[1] == "jobs") {
    uint64_t id = 0;
    if (n >= 3 && !parse_u64(path[2], id)) {
      respond(error_response(404, "no job '" + path[2] + "'"));
      return;
    }
    if (n == 2) {
      route.allow = "GET, POST";
      if (req.method == "GET") {
        route.handler = [=](const rest_request&, rest_responder) {
          reply(tag_jobs{}, 200, ctx_.jobs, list_atom_v);
        };
      } else if (req.method == "POST") {
        route.needs_body = true;
        route.handler = with_body(
            rest::decode_job_spec,
            [=, &sys](auto spec, rest_responder res) mutable {
              ask<job_info>(
                  sys, ctx_.jobs, timeout,
                  [res](job_info& x) {
                    rest_response out{201, rest::encode(x), {}};
                    out.headers.emplace_back(
                        "Location", "/api/jobs/" + std::to_string(x.id));
                    res(std::move(out));
                  },
                  on_error, create_atom_v, std::move(spec));
            });
      }
    } else if (n == 3) {
      route.allow = "GET, PUT, DELETE";
      if (req.method == "GET") {
        route.handler = [=](const rest_request&, rest_responder) {
          reply(tag_job{}, 200, ctx_.jobs, get_atom_v, id);
        };
      } else if (req.method == "PUT") {
        route.needs_body = true;
        route.handler = with_body(rest::decode_job_spec,
                                  [=](auto spec, rest_responder res) mutable {
                                    reply(tag_job{}, 200, ctx_.jobs,
                                          update_atom_v, id, std::move(spec));
                                  });
      } else if (req.method == "DELETE") {
        route.handler = [=](const rest_request&, rest_responder) {
          no_content(ctx_.jobs, delete_atom_v, id);
        };
      }
    } else if (n == 4 && (path[3] == "start" || path[3] == "stop" ||
                          path[3] == "restart")) {
      route.allow = "POST";
      if (req.method == "POST") {
        auto action = path[3];
        route.handler = [=](const rest_request&, rest_responder) {
          if (action == "start")
            reply(tag_job{}, 202, ctx_.jobs, start_atom_v, id);
          else if (action == "stop")
            reply(tag_job{}, 202, ctx_.jobs, stop_atom_v, id);
          else
            reply(tag_job{}, 202, ctx_.jobs, restart_atom_v, id);
        };
      }
    } else if (n == 4 && path[3] == "log") {
      route.allow = "GET";
      if (req.method == "GET") {
        route.handler = [=](const rest_request&, rest_responder res) {
          uint64_t lines = 100;
          auto param = query_param(query, "lines");
          if (!param.empty() && (!parse_u64(param, lines) || lines == 0)) {
            res(error_response(400, "'lines' must be a positive integer"));
            return;
          }
          auto capped = static_cast<uint32_t>(
              std::min<uint64_t>(lines, std::numeric_limits<uint32_t>::max()));
          reply(tag_log{}, 200, ctx_.jobs, log_atom_v, id, capped);
        };
      }
    } else {
      not_found();
      return;
    }
  }
  // -- GPIO ---------------------------------------------------------------
  else if (n >= 2 && path[1] == "gpios" && n <= 3) {
    if (n == 2) {
      route.allow = "GET";
      if (req.method == "GET")
        route.handler = [=](const rest_request&, rest_responder) {
          reply(tag_gpios{}, 200, ctx_.gpio, list_atom_v);
        };
    } else {
      auto name = path[2];
      route.allow = "GET, PUT";
      if (req.method == "GET") {
        route.handler = [=](const rest_request&, rest_responder) {
          reply(tag_gpio{}, 200, ctx_.gpio, get_atom_v, name);
        };
      } else if (req.method == "PUT") {
        route.needs_body = true;
        route.handler = with_body(rest::decode_gpio_value,
                                  [=](auto value, rest_responder res) mutable {
                                    reply(tag_gpio{}, 200, ctx_.gpio,
                                          put_atom_v, name, value);
                                  });
      }
    }
  } else if (n == 4 && path[1] == "sim" && path[2] == "gpios") {
    auto name = path[3];
    route.allow = "PUT";
    if (req.method == "PUT") {
      route.needs_body = true;
      route.handler = with_body(
          rest::decode_gpio_value, [=](auto value, rest_responder res) mutable {
            reply(tag_gpio{}, 200, ctx_.gpio, simulate_atom_v, name, value);
          });
    }
  }
  // -- shared values ------------------------------------------------------
  else if (n >= 2 && path[1] == "values" && n <= 3) {
    if (n == 2) {
      route.allow = "GET";
      if (req.method == "GET")
        route.handler = [=](const rest_request&, rest_responder) {
          reply(tag_values{}, 200, ctx_.values, list_atom_v);
        };
    } else {
      auto key = path[2];
      route.allow = "GET, PUT, DELETE";
      if (req.method == "GET") {
        route.handler = [=](const rest_request&, rest_responder) {
          reply(tag_value{}, 200, ctx_.values, get_atom_v, key);
        };
      } else if (req.method == "PUT") {
        route.needs_body = true;
        route.handler = with_body(
            rest::decode_value_write,
            [=, &sys](auto write, rest_responder res) mutable {
              if (write.provider.empty())
                write.provider = "api";
              ask<value_put_result>(
                  sys, ctx_.values, timeout,
                  [res](value_put_result& x) {
                    res(json(x.added ? 201 : 200, rest::encode(x.info)));
                  },
                  on_error, put_atom_v, key, std::move(write));
            });
      } else if (req.method == "DELETE") {
        route.handler = [=](const rest_request&, rest_responder) {
          no_content(ctx_.values, delete_atom_v, key);
        };
      }
    }
  }
  // -- JMRI messages ------------------------------------------------------
  else if (n == 2 && path[1] == "messages") {
    route.allow = "POST";
    if (req.method == "POST") {
      route.needs_body = true;
      route.handler = with_body(
          rest::decode_jmri_message,
          [=, &sys](auto msg, rest_responder res) mutable {
            if (!ctx_.jmri) {
              res(error_response(503, "the JMRI message service is disabled"));
              return;
            }
            if (msg.locale.empty())
              msg.locale = ctx_.jmri_locale;
            ask<uint64_t>(
                sys, ctx_.jmri, timeout,
                [res](uint64_t delivered) {
                  res(json(202, rest::encode_delivered(delivered)));
                },
                on_error, jmri_send_atom_v, std::move(msg));
          });
    }
  } else {
    not_found();
    return;
  }
  if (!route.handler) {
    rest_response out = error_response(
        405, "method " + req.method + " not allowed on " + req.target);
    out.headers.emplace_back("Allow", route.allow);
    respond(std::move(out));
    return;
  }
  if (is_mutating(req.method) && !ctx_.ttm.api_token.empty()) {
    static constexpr std::string_view prefix = "Bearer ";
    auto& auth = req.authorization;
    bool ok =
        auth.size() > prefix.size() &&
        auth.compare(0, prefix.size(), prefix) == 0 &&
        constant_time_equal(auth.substr(prefix.size()), ctx_.ttm.api_token);
    if (!ok) {
      rest_response out =
          error_response(401, auth.empty() ? "this request needs a bearer token"
                                           : "invalid bearer token");
      out.headers.emplace_back("WWW-Authenticate",
                               "Bearer realm=\"signalbox\"");
      respond(std::move(out));
      return;
    }
  }
  if (!req.body.empty() || route.needs_body) {
    if (!is_json_media_type(req.content_type)) {
      if (!req.body.empty() || !req.content_type.empty()) {
        respond(error_response(415, "Content-Type must be application/json"));
        return;
      }
    }
  }
  route.handler(req, respond);
}

} // namespace signalbox::http
