// Fuzz target: request-target splitting and percent-decoding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "protocols/http/uri_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string target{reinterpret_cast<const char*>(data), size};
  using namespace signalbox::http;
  std::vector<std::string> path;
  std::string query;
  if (split_target(target, path, query)) {
    for (auto& segment : path)
      if (segment.empty())
        std::abort();
    query_param(query, "lines");
  }
  std::string decoded;
  if (percent_decode(target, decoded) && decoded.size() > target.size())
    std::abort();
  return 0;
}
