// The dashboard's files on port 1777: GET / is the page, GET /ui/<name> the
// files it loads (its modules, its stylesheet, uPlot). They are compiled
// into the binary; `ttm.dashboard-dir` serves the page's own files from a
// folder instead, read per request, for working on the page without
// rebuilding (uPlot stays embedded).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocols/http/site.hpp"

namespace signalbox::ttmnotify {

struct dashboard_settings {
  bool enabled = true;
  std::string directory; // non-empty: page files from here first
};

/// Whether `path` (without query) names a dashboard file: "/" or
/// "/ui/<name>".
bool is_dashboard_path(std::string_view path);

/// The answer to a GET or HEAD of dashboard path `path`: the file with its
/// content type, ETag and security headers, 304 when If-None-Match names
/// the embedded file's ETag, 404 for an unknown or malformed name.
http::response_type dashboard_response(const dashboard_settings& settings,
                                       std::string_view path,
                                       const http::request_type& req);

/// The content type of a file, by its extension.
std::string_view content_type_of(std::string_view name);

/// Whether `name` may be served: 1 to 64 characters of [a-z0-9._-], not
/// starting with '.' (no paths, no hidden files).
bool valid_file_name(std::string_view name);

} // namespace signalbox::ttmnotify
