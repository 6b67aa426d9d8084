#define CAF_SUITE rest_routing
#include "core/errors.hpp"
#include "fixture.hpp"
#include "protocols/http/rest.hpp"
#include "protocols/http/uri_codec.hpp"

using namespace signalbox;
using namespace signalbox::http;

CAF_TEST(percent decoding) {
  std::string out;
  CAF_CHECK(percent_decode("plain", out) && out == "plain");
  CAF_CHECK(percent_decode("a%2Fb%20c", out) && out == "a/b c");
  CAF_CHECK(percent_decode("%e2%82%ac", out) && out == "\xe2\x82\xac");
  CAF_CHECK(percent_decode("a+b", out) && out == "a+b");
  CAF_CHECK(percent_decode("", out) && out.empty());
  CAF_CHECK(!percent_decode("%", out));
  CAF_CHECK(!percent_decode("%2", out));
  CAF_CHECK(!percent_decode("%zz", out));
  CAF_CHECK(!percent_decode("abc%4", out));
}

CAF_TEST(targets split before decoding) {
  std::vector<std::string> path;
  std::string query;
  CAF_REQUIRE(split_target("/api/values/a%2Fb%20c?lines=5&x", path, query));
  CAF_REQUIRE_EQUAL(path.size(), 3u);
  CAF_CHECK_EQUAL(path[2], "a/b c");
  CAF_CHECK_EQUAL(query, "lines=5&x");
  path.clear();
  CAF_REQUIRE(split_target("//api///jobs/", path, query));
  CAF_CHECK_EQUAL(path.size(), 2u);
  CAF_CHECK_EQUAL(query, "");
  path.clear();
  CAF_CHECK(!split_target("/api/values/%zz", path, query));
  CAF_CHECK_EQUAL(query_param("lines=5&x", "lines"), "5");
  CAF_CHECK_EQUAL(query_param("a=1&lines=%33", "lines"), "3");
  CAF_CHECK_EQUAL(query_param("x", "x"), "");
  CAF_CHECK_EQUAL(query_param("linesx=1", "lines"), "");
  CAF_CHECK_EQUAL(query_param("", "lines"), "");
  CAF_CHECK_EQUAL(query_param("lines=%zz", "lines"), "");
}

CAF_TEST(API paths) {
  CAF_CHECK(rest_api::is_api_path("/api"));
  CAF_CHECK(rest_api::is_api_path("/api/"));
  CAF_CHECK(rest_api::is_api_path("/api/jobs?x=1"));
  CAF_CHECK(rest_api::is_api_path("/api?x"));
  CAF_CHECK(!rest_api::is_api_path("/"));
  CAF_CHECK(!rest_api::is_api_path("/apix"));
  CAF_CHECK(!rest_api::is_api_path("/ttmnotify"));
}

CAF_TEST(error codes map to HTTP statuses) {
  CAF_CHECK_EQUAL(status_of(make_error(ec::not_found, "x")), 404u);
  CAF_CHECK_EQUAL(status_of(make_error(ec::conflict, "x")), 409u);
  CAF_CHECK_EQUAL(status_of(make_error(ec::forbidden, "x")), 403u);
  CAF_CHECK_EQUAL(status_of(make_error(ec::invalid_argument, "x")), 400u);
  CAF_CHECK_EQUAL(status_of(make_error(ec::storage_failure, "x")), 500u);
  CAF_CHECK_EQUAL(status_of(make_error(ec::unavailable, "x")), 503u);
  CAF_CHECK_EQUAL(status_of(make_error(ec::system_error, "x")), 500u);
  CAF_CHECK_EQUAL(status_of(caf::make_error(caf::sec::request_timeout)), 503u);
  CAF_CHECK_EQUAL(status_of(caf::make_error(caf::sec::request_receiver_down)),
                  503u);
  CAF_CHECK_EQUAL(status_of(caf::make_error(caf::sec::unexpected_message)),
                  500u);
  CAF_CHECK_EQUAL(text_of(make_error(ec::not_found, "no job 7")), "no job 7");
  CAF_CHECK_EQUAL(text_of(make_error(ec::conflict)), "conflict");
}

CAF_TEST(route labels are the pattern as a path) {
  rest_route r{{"api", "jobs", "{id}", "start"}, {}};
  CAF_CHECK_EQUAL(r.label(), "/api/jobs/{id}/start");
}

CAF_TEST(requests are counted by route pattern method and status) {
  auto reg = std::make_shared<metrics::registry>();
  rest_context ctx;
  ctx.metrics = reg;
  rest_api api{ctx};
  auto resource = std::make_shared<rest_resource>();
  resource->routes = {{{"api", "things", "{name}"},
                       {{"GET", [](rest_call& call) {
                           call.respond(rest_response{200, "{}", {}});
                         }}}}};
  api.add(resource);
  auto get = [&](std::string method, std::string target) {
    rest_request req;
    req.method = std::move(method);
    req.target = std::move(target);
    unsigned status = 0;
    api.handle(req, [&](rest_response out) { status = out.status; });
    return status;
  };
  CAF_CHECK_EQUAL(get("GET", "/api/things/a"), 200u);
  CAF_CHECK_EQUAL(get("GET", "/api/things/b"), 200u);
  CAF_CHECK_EQUAL(get("PUT", "/api/things/b"), 405u);
  CAF_CHECK_EQUAL(get("BREW", "/api/things/b"), 405u);
  CAF_CHECK_EQUAL(get("GET", "/api/nothing"), 404u);
  CAF_CHECK_EQUAL(get("GET", "/api/things/%zz"), 400u);
  auto text = reg->render();
  auto has = [&](const std::string& line) {
    auto found = text.find(line + "\n") != std::string::npos;
    if (!found)
      CAF_MESSAGE("missing: " << line << "\nin:\n" << text);
    return found;
  };
  CAF_CHECK(has("signalbox_rest_requests_total{route=\"/api/things/{name}\","
                "method=\"GET\",status=\"200\"} 2"));
  CAF_CHECK(has("signalbox_rest_requests_total{route=\"/api/things/{name}\","
                "method=\"PUT\",status=\"405\"} 1"));
  // Made-up methods share one label.
  CAF_CHECK(has("signalbox_rest_requests_total{route=\"/api/things/{name}\","
                "method=\"other\",status=\"405\"} 1"));
  CAF_CHECK(has("signalbox_rest_requests_total{route=\"unmatched\","
                "method=\"GET\",status=\"404\"} 1"));
  CAF_CHECK(has("signalbox_rest_requests_total{route=\"unmatched\","
                "method=\"GET\",status=\"400\"} 1"));
  CAF_CHECK(has("signalbox_rest_request_duration_seconds_count{route=\"/api/"
                "things/{name}\"} 4"));
  // No id or key becomes a label.
  CAF_CHECK_EQUAL(text.find("things/a"), std::string::npos);
}
