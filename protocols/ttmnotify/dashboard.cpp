#include "protocols/ttmnotify/dashboard.hpp"

#include <fstream>
#include <iterator>

#include <boost/beast/http/field.hpp>

#include "protocols/http/rest_json.hpp"
#include "protocols/ttmnotify/dashboard_files.hpp"

namespace signalbox::ttmnotify {

namespace {

namespace bhttp = http::bhttp;

constexpr std::string_view ui_prefix = "/ui/";

// A page file read from ttm.dashboard-dir larger than this is refused: the
// folder is a developer's, not a file server.
constexpr std::streamsize max_dev_file_bytes = 4 * 1024 * 1024;

/// Beast 1.74 speaks boost::string_view.
boost::beast::string_view beast_view(std::string_view s) {
  return {s.data(), s.size()};
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

/// Headers every dashboard file gets: the page loads only its own files and
/// talks only to its own origin (the REST API, /metrics and the ttmnotify
/// WebSocket), and is never framed.
void set_common_headers(http::response_type& res, std::string_view name) {
  res.set(bhttp::field::server, "signalbox");
  res.set(bhttp::field::content_type, beast_view(content_type_of(name)));
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set("Content-Security-Policy",
          "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
          "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
          "base-uri 'none'; form-action 'none'");
}

std::optional<std::string> read_dev_file(const std::string& dir,
                                         std::string_view name) {
  std::ifstream in{dir + "/" + std::string{name}, std::ios::binary};
  if (!in)
    return std::nullopt;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0 || size > max_dev_file_bytes)
    return std::nullopt;
  in.seekg(0);
  std::string body(static_cast<size_t>(size), '\0');
  in.read(body.data(), size);
  return body;
}

http::response_type not_found(std::string_view path,
                              const http::request_type& req) {
  return http::make_json_response(
      404, rest::encode_error("no such resource: " + std::string{path}),
      req.version(), req.keep_alive());
}

} // namespace

bool is_dashboard_path(std::string_view path) {
  return path == "/" || path.substr(0, ui_prefix.size()) == ui_prefix;
}

bool valid_file_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.')
    return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return false;
  return true;
}

std::string_view content_type_of(std::string_view name) {
  if (ends_with(name, ".html"))
    return "text/html; charset=utf-8";
  if (ends_with(name, ".js"))
    return "text/javascript; charset=utf-8";
  if (ends_with(name, ".css"))
    return "text/css; charset=utf-8";
  if (ends_with(name, ".svg"))
    return "image/svg+xml";
  return "application/octet-stream";
}

http::response_type dashboard_response(const dashboard_settings& settings,
                                       std::string_view path,
                                       const http::request_type& req) {
  auto name = path == "/" ? std::string_view{"index.html"}
                          : path.substr(ui_prefix.size());
  if (!valid_file_name(name))
    return not_found(path, req);
  http::response_type res{bhttp::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  set_common_headers(res, name);
  bool head = req.method() == bhttp::verb::head;
  // A developer's copy first; uPlot (and anything not in the folder) from
  // the binary.
  if (!settings.directory.empty())
    if (auto body = read_dev_file(settings.directory, name)) {
      res.set(bhttp::field::cache_control, "no-store");
      auto size = body->size();
      if (!head)
        res.body() = std::move(*body);
      res.prepare_payload();
      if (head)
        res.content_length(size);
      return res;
    }
  auto* file = find_embedded_file(name);
  if (file == nullptr)
    return not_found(path, req);
  // Revalidated on every load (no-cache), answered 304 while the build is
  // the same: a new version's page is never mixed with an old one's.
  res.set(bhttp::field::cache_control, "no-cache");
  res.set(bhttp::field::etag, beast_view(file->etag));
  if (req[bhttp::field::if_none_match] == beast_view(file->etag)) {
    res.result(bhttp::status::not_modified);
    res.erase(bhttp::field::content_type);
    return res;
  }
  if (!head)
    res.body().assign(file->body.data(), file->body.size());
  res.prepare_payload();
  if (head)
    res.content_length(file->body.size());
  return res;
}

} // namespace signalbox::ttmnotify
