#include "hal/process_stats.hpp"

#include <charconv>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace signalbox::hal {

namespace {

std::optional<std::string> read_text(const char* path) {
  std::ifstream in{path};
  if (!in)
    return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::optional<uint64_t> to_number(std::string_view field) {
  uint64_t value = 0;
  auto [end, ec] =
      std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc{} || end != field.data() + field.size())
    return std::nullopt;
  return value;
}

uint64_t count_open_fds() {
  uint64_t n = 0;
  if (auto* dir = opendir("/proc/self/fd")) {
    while (auto* entry = readdir(dir))
      if (entry->d_name[0] != '.')
        ++n;
    closedir(dir);
    // The directory's own descriptor, open while counting, is not one of
    // the process's.
    if (n > 0)
      --n;
  }
  return n;
}

} // namespace

std::optional<stat_fields> parse_stat(std::string_view text) {
  auto close = text.rfind(')');
  if (close == std::string_view::npos)
    return std::nullopt;
  auto rest = text.substr(close + 1);
  stat_fields out;
  int index = 2; // the field before the first one after ')'
  size_t pos = 0;
  while (index < 24) {
    while (pos < rest.size() && rest[pos] == ' ')
      ++pos;
    if (pos >= rest.size())
      return std::nullopt;
    auto end = rest.find_first_of(" \n", pos);
    if (end == std::string_view::npos)
      end = rest.size();
    auto field = rest.substr(pos, end - pos);
    pos = end;
    ++index;
    uint64_t* slot = nullptr;
    switch (index) {
    case 14:
      slot = &out.utime_ticks;
      break;
    case 15:
      slot = &out.stime_ticks;
      break;
    case 22:
      slot = &out.start_ticks;
      break;
    case 23:
      slot = &out.vsize_bytes;
      break;
    case 24:
      slot = &out.rss_pages;
      break;
    default:
      continue;
    }
    auto value = to_number(field);
    if (!value)
      return std::nullopt;
    *slot = *value;
  }
  return out;
}

std::optional<uint64_t> parse_boot_time(std::string_view proc_stat) {
  std::string_view key = "btime ";
  size_t pos = 0;
  while (pos < proc_stat.size()) {
    auto end = proc_stat.find('\n', pos);
    if (end == std::string_view::npos)
      end = proc_stat.size();
    auto line = proc_stat.substr(pos, end - pos);
    if (line.substr(0, key.size()) == key)
      return to_number(line.substr(key.size()));
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<process_figures> read_own_figures() {
  auto stat_text = read_text("/proc/self/stat");
  if (!stat_text)
    return std::nullopt;
  auto stat = parse_stat(*stat_text);
  if (!stat)
    return std::nullopt;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  process_figures out;
  out.cpu_seconds =
      static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks;
  out.resident_bytes = stat->rss_pages * page;
  out.virtual_bytes = stat->vsize_bytes;
  out.open_fds = count_open_fds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0)
    out.max_fds = limit.rlim_cur;
  if (auto boot = read_text("/proc/stat"))
    if (auto btime = parse_boot_time(*boot))
      out.start_time_seconds = static_cast<double>(*btime) +
                               static_cast<double>(stat->start_ticks) / ticks;
  return out;
}

} // namespace signalbox::hal
