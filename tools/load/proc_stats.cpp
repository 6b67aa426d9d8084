#include "tools/load/proc_stats.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace signalbox::load {

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

} // namespace

std::optional<uint64_t> cpu_ticks_of_stat(std::string_view stat) {
  auto close = stat.rfind(')');
  if (close == std::string_view::npos)
    return std::nullopt;
  std::istringstream fields{std::string{stat.substr(close + 1)}};
  // Fields 3..15 follow; utime is field 14 and stime field 15.
  std::string field;
  uint64_t utime = 0;
  uint64_t stime = 0;
  for (int index = 3; index <= 15; ++index) {
    if (!(fields >> field))
      return std::nullopt;
    if (index == 14 || index == 15) {
      char* end = nullptr;
      auto value = std::strtoull(field.c_str(), &end, 10);
      if (end == field.c_str() || *end != '\0')
        return std::nullopt;
      (index == 14 ? utime : stime) = value;
    }
  }
  return utime + stime;
}

namespace {

/// The number after `key` (e.g. "\nVmRSS:") in /proc/<pid>/status.
std::optional<uint64_t> status_kib(std::string_view status,
                                   std::string_view key) {
  auto pos = status.find(key);
  if (pos == std::string_view::npos)
    return std::nullopt;
  std::string rest{status.substr(pos + key.size())};
  char* end = nullptr;
  auto value = std::strtoull(rest.c_str(), &end, 10);
  if (end == rest.c_str())
    return std::nullopt;
  return value;
}

} // namespace

std::optional<uint64_t> rss_kib_of_status(std::string_view status) {
  return status_kib(status, "\nVmRSS:");
}

std::optional<uint64_t> rss_anon_kib_of_status(std::string_view status) {
  return status_kib(status, "\nRssAnon:");
}

std::optional<uint64_t> rss_hwm_kib_of_status(std::string_view status) {
  return status_kib(status, "\nVmHWM:");
}

std::optional<proc_sample> sample_process(pid_t pid) {
  auto base = "/proc/" + std::to_string(pid);
  auto stat = read_file(base + "/stat");
  auto status = read_file(base + "/status");
  if (!stat || !status)
    return std::nullopt;
  auto ticks = cpu_ticks_of_stat(*stat);
  // A zombie has no VmRSS line: report it as 0 rather than failing.
  auto rss = rss_kib_of_status(*status);
  if (!ticks)
    return std::nullopt;
  return proc_sample{*ticks, rss.value_or(0),
                     rss_anon_kib_of_status(*status).value_or(0),
                     rss_hwm_kib_of_status(*status).value_or(0)};
}

long ticks_per_second() {
  static const long ticks = sysconf(_SC_CLK_TCK);
  return ticks;
}

} // namespace signalbox::load
