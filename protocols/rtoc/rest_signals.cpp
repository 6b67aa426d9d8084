#include "protocols/rtoc/rest_signals.hpp"

#include <cmath>
#include <cstdlib>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/http/uri_codec.hpp"

namespace signalbox::rtoc {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put_string(json_writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

/// JSON has no NaN or infinities: such a sample is written as null.
void put_number(json_writer& w, double x) {
  if (std::isfinite(x))
    w.Double(x);
  else
    w.Null();
}

bool parse_double(const std::string& text, double& out) {
  if (text.empty())
    return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(out);
}

} // namespace

std::string encode_signal_list(const std::vector<latest_view>& xs) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartArray();
  for (auto& x : xs) {
    w.StartObject();
    w.Key("name");
    put_string(w, x.name);
    w.Key("unit");
    put_string(w, x.unit);
    w.Key("samples");
    w.Uint64(x.count);
    w.Key("latest");
    if (x.empty) {
      w.Null();
    } else {
      w.StartArray();
      put_number(w, x.x);
      put_number(w, x.y);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  return {buf.GetString(), buf.GetSize()};
}

std::string encode_signal_window(const signal_view& v,
                                 std::optional<double> since) {
  size_t first = 0;
  if (since)
    while (first < v.x.size() && !(v.x[first] > *since))
      ++first;
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("name");
  put_string(w, v.name);
  w.Key("unit");
  put_string(w, v.unit);
  w.Key("x");
  w.StartArray();
  for (size_t i = first; i < v.x.size(); ++i)
    put_number(w, v.x[i]);
  w.EndArray();
  w.Key("y");
  w.StartArray();
  for (size_t i = first; i < v.y.size() && i < v.x.size(); ++i)
    put_number(w, v.y[i]);
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::optional<window_request> parse_window_query(const std::string& query,
                                                 std::string& error) {
  window_request out;
  auto since = http::query_param(query, "since");
  if (!since.empty()) {
    double x = 0;
    if (!parse_double(since, x)) {
      error = "since must be a number (seconds since the epoch)";
      return std::nullopt;
    }
    out.since = x;
  }
  auto limit = http::query_param(query, "limit");
  if (!limit.empty()) {
    uint64_t n = 0;
    if (!http::parse_u64(limit, n) || n == 0 || n > max_window_limit) {
      error = "limit must be a whole number from 1 to " +
              std::to_string(max_window_limit);
      return std::nullopt;
    }
    out.limit = n;
  }
  return out;
}

std::shared_ptr<const http::rest_resource>
signals_resource(rtoc_directory_actor directory, std::string password) {
  auto list = [directory](http::rest_call& call) {
    http::answer_encoded<std::vector<latest_view>>(
        call, 200, encode_signal_list, directory, list_atom_v);
  };
  auto window = [directory](http::rest_call& call) {
    std::string error;
    auto w = parse_window_query(call.query, error);
    if (!w) {
      call.respond(http::error_response(400, error));
      return;
    }
    signal_query q;
    if (w->since) {
      q.has_xmin = true;
      q.xmin = *w->since;
    }
    q.max_n = w->limit;
    auto since = w->since;
    http::answer_encoded<signal_view>(
        call, 200,
        [since](const signal_view& v) {
          return encode_signal_window(v, since);
        },
        directory, get_atom_v, call.path.back(), q);
  };
  auto r = std::make_shared<http::rest_resource>();
  if (!password.empty())
    r->precheck =
        [password](
            const http::rest_call& call) -> std::optional<http::rest_response> {
      if (http::bearer_matches(call.req.authorization, password))
        return std::nullopt;
      auto out = http::error_response(
          401, "the RTOC signals need rtoc.password as the bearer token");
      out.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"rtoc\"");
      return out;
    };
  r->routes = {
      {{"api", "signals"}, {{"GET", list}}},
      {{"api", "signals", "{name}"}, {{"GET", window}}},
  };
  return r;
}

} // namespace signalbox::rtoc
