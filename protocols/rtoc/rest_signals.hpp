// The RTOC signals on the REST API (docs/api.md), for clients that plot
// them over HTTP, like the dashboard: GET /api/signals lists every signal
// with its latest sample, GET /api/signals/{name}?since=&limit= reads the
// samples of one from the RAM ring. The same signals RTOC clients see on
// port 5050 (the mirror's gpio.* and values.*, and whatever clients send).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "core/rtoc_types.hpp"
#include "protocols/http/rest_routes.hpp"

namespace signalbox::rtoc {

/// Samples a window request returns when it names no limit, and the most
/// it may name.
inline constexpr uint64_t default_window_limit = 2000;
inline constexpr uint64_t max_window_limit = 100000;

/// /api/signals and /api/signals/{name}. With an RTOC password, the
/// signals it protects on port 5050 need it here too, as the bearer token
/// (401 without).
std::shared_ptr<const http::rest_resource>
signals_resource(rtoc_directory_actor directory, std::string password);

// -- the bodies (pure) --------------------------------------------------------

/// `[{"name","unit","samples","latest":[x,y]|null}]`.
std::string encode_signal_list(const std::vector<latest_view>& xs);

/// `{"name","unit","x":[...],"y":[...]}` with only the samples whose x is
/// greater than `since` (all without), oldest first.
std::string encode_signal_window(const signal_view& v,
                                 std::optional<double> since);

/// What a window request asks for.
struct window_request {
  std::optional<double> since;
  uint64_t limit = default_window_limit;
};

/// Reads `since` (a finite number) and `limit` (1..max_window_limit) from a
/// query string; nullopt with `error` set when either is malformed.
std::optional<window_request> parse_window_query(const std::string& query,
                                                 std::string& error);

} // namespace signalbox::rtoc
