// protocols/ttmnotify/dashboard: which paths are the dashboard's, the files
// compiled into the binary, caching, and the developer's folder.
#define CAF_SUITE dashboard

#include <fstream>
#include <string>

#include <boost/beast/http/field.hpp>

#include "fixture.hpp"
#include "protocols/ttmnotify/dashboard.hpp"
#include "protocols/ttmnotify/dashboard_files.hpp"

using namespace signalbox;
using namespace signalbox::ttmnotify;
namespace bhttp = boost::beast::http;

namespace {

http::request_type get(std::string target) {
  http::request_type req{bhttp::verb::get, target, 11};
  return req;
}

std::string header(const http::response_type& res, bhttp::field f) {
  return std::string{res[f]};
}

} // namespace

CAF_TEST(dashboard paths are the root and the ui folder) {
  CAF_CHECK(is_dashboard_path("/"));
  CAF_CHECK(is_dashboard_path("/ui/main.js"));
  CAF_CHECK(!is_dashboard_path("/ttmnotify"));
  CAF_CHECK(!is_dashboard_path("/api/jobs"));
  CAF_CHECK(!is_dashboard_path("/metrics"));
}

CAF_TEST(file names are plain names only) {
  CAF_CHECK(valid_file_name("index.html"));
  CAF_CHECK(valid_file_name("uplot.js"));
  CAF_CHECK(valid_file_name("a-b_c.css"));
  CAF_CHECK(!valid_file_name(""));
  CAF_CHECK(!valid_file_name(".env"));
  CAF_CHECK(!valid_file_name("../node.conf"));
  CAF_CHECK(!valid_file_name("a/b.js"));
  CAF_CHECK(!valid_file_name("Index.html"));
  CAF_CHECK(!valid_file_name("a%2fb"));
  CAF_CHECK(!valid_file_name(std::string(65, 'a')));
}

CAF_TEST(content types follow the extension) {
  CAF_CHECK_EQUAL(content_type_of("index.html"), "text/html; charset=utf-8");
  CAF_CHECK_EQUAL(content_type_of("main.js"), "text/javascript; charset=utf-8");
  CAF_CHECK_EQUAL(content_type_of("style.css"), "text/css; charset=utf-8");
  CAF_CHECK_EQUAL(content_type_of("logo.svg"), "image/svg+xml");
  CAF_CHECK_EQUAL(content_type_of("x.bin"), "application/octet-stream");
}

CAF_TEST(the page and uPlot are compiled in) {
  CAF_REQUIRE(find_embedded_file("index.html") != nullptr);
  auto* uplot = find_embedded_file("uplot.js");
  CAF_REQUIRE(uplot != nullptr);
  CAF_CHECK_NOT_EQUAL(uplot->body.find("uPlot"), std::string_view::npos);
  CAF_CHECK(find_embedded_file("uplot.css") != nullptr);
  CAF_CHECK(find_embedded_file("nothing.js") == nullptr);
  // Every file has a quoted SHA-1 ETag.
  for (auto name : embedded_file_names()) {
    auto* f = find_embedded_file(name);
    CAF_CHECK_EQUAL(f->etag.size(), 42u);
    CAF_CHECK_EQUAL(f->etag.front(), '"');
  }
}

CAF_TEST(GET slash is the page with its headers) {
  dashboard_settings settings;
  auto res = dashboard_response(settings, "/", get("/"));
  CAF_CHECK_EQUAL(res.result_int(), 200u);
  CAF_CHECK_EQUAL(header(res, bhttp::field::content_type),
                  "text/html; charset=utf-8");
  CAF_CHECK_EQUAL(header(res, bhttp::field::cache_control), "no-cache");
  CAF_CHECK_EQUAL(res.body(), find_embedded_file("index.html")->body);
  CAF_CHECK_NOT_EQUAL(
      std::string{res["Content-Security-Policy"]}.find("default-src 'self'"),
      std::string::npos);
  CAF_CHECK_EQUAL(std::string{res["X-Content-Type-Options"]}, "nosniff");
}

CAF_TEST(a matching ETag is answered 304 without a body) {
  dashboard_settings settings;
  auto first =
      dashboard_response(settings, "/ui/uplot.js", get("/ui/uplot.js"));
  auto etag = header(first, bhttp::field::etag);
  CAF_REQUIRE(!etag.empty());
  auto req = get("/ui/uplot.js");
  req.set(bhttp::field::if_none_match, etag);
  auto again = dashboard_response(settings, "/ui/uplot.js", req);
  CAF_CHECK_EQUAL(again.result_int(), 304u);
  CAF_CHECK(again.body().empty());
  req.set(bhttp::field::if_none_match, "\"stale\"");
  CAF_CHECK_EQUAL(
      dashboard_response(settings, "/ui/uplot.js", req).result_int(), 200u);
}

CAF_TEST(unknown and malformed names are 404) {
  dashboard_settings settings;
  CAF_CHECK_EQUAL(
      dashboard_response(settings, "/ui/none.js", get("/ui/none.js"))
          .result_int(),
      404u);
  CAF_CHECK_EQUAL(
      dashboard_response(settings, "/ui/../x", get("/ui/../x")).result_int(),
      404u);
  CAF_CHECK_EQUAL(
      dashboard_response(settings, "/ui/", get("/ui/")).result_int(), 404u);
}

CAF_TEST(a developer folder overrides the page files but not uPlot) {
  auto dir = std::string{"/tmp/signalbox-dashboard-test-"} +
             std::to_string(::getpid());
  std::string mkdir = "mkdir -p " + dir;
  CAF_REQUIRE_EQUAL(std::system(mkdir.c_str()), 0);
  std::ofstream{dir + "/index.html"} << "<p>mine</p>";
  dashboard_settings settings{true, dir};
  auto res = dashboard_response(settings, "/", get("/"));
  CAF_CHECK_EQUAL(res.body(), "<p>mine</p>");
  CAF_CHECK_EQUAL(header(res, bhttp::field::cache_control), "no-store");
  // Not in the folder: the embedded one.
  auto uplot =
      dashboard_response(settings, "/ui/uplot.js", get("/ui/uplot.js"));
  CAF_CHECK_EQUAL(uplot.body(), find_embedded_file("uplot.js")->body);
  std::string rm = "rm -rf " + dir;
  CAF_CHECK_EQUAL(std::system(rm.c_str()), 0);
}
