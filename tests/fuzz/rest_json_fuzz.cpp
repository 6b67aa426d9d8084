// Fuzz target: the REST request-body decoders must never crash, and what
// they accept must satisfy their documented guarantees.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocols/http/rest_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body{reinterpret_cast<const char*>(data), size};
  using namespace signalbox;
  if (auto w = rest::decode_value_write(body); !w && w.error.empty())
    std::abort();
  if (auto v = rest::decode_gpio_value(body); v && v.value != 0 && v.value != 1)
    std::abort();
  if (auto spec = rest::decode_job_spec(body); spec) {
    if (spec.value.name.empty() || spec.value.command.empty() ||
        spec.value.command.front().empty())
      std::abort();
    // Whatever was accepted can be encoded again.
    job_info info;
    info.spec = spec.value;
    if (rest::encode(info).empty())
      std::abort();
  }
  return 0;
}
