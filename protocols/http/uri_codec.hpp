// Request-target handling for the REST API: path segments and query
// parameters, percent-decoded. Pure.
#pragma once

#include <string>
#include <vector>

namespace signalbox::http {

/// Decodes %XX escapes; false on a malformed escape. '+' stays '+' (paths
/// are not form-encoded).
bool percent_decode(const std::string& in, std::string& out);

/// Splits a request target into its decoded, non-empty path segments and
/// its raw query ("/api/values/a%2Fb?x=1" -> {"api","values","a/b"}, "x=1").
/// Splitting happens before decoding, so an encoded '/' stays inside its
/// segment. False on a malformed escape.
bool split_target(const std::string& target, std::vector<std::string>& path,
                  std::string& query);

/// The decoded value of the first `name` parameter of a query string; ""
/// when absent, valueless or malformed.
std::string query_param(const std::string& query, const std::string& name);

} // namespace signalbox::http
