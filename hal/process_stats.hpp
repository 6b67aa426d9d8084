// The node's own process figures for GET /metrics, Prometheus' standard
// process_* metrics: CPU time, resident and virtual memory, open and
// allowed file descriptors, start time. Read from /proc/self at scrape time.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace signalbox::hal {

/// The fields of /proc/<pid>/stat that the metrics use.
struct stat_fields {
  uint64_t utime_ticks = 0; // field 14
  uint64_t stime_ticks = 0; // field 15
  uint64_t start_ticks = 0; // field 22: after boot
  uint64_t vsize_bytes = 0; // field 23
  uint64_t rss_pages = 0;   // field 24
};

/// Parses the text of /proc/<pid>/stat. The command name (field 2) is in
/// parentheses and may itself hold spaces and parentheses, so fields are
/// counted from the last ')'. Nothing when a field is missing or not a
/// number.
std::optional<stat_fields> parse_stat(std::string_view text);

/// The seconds since the epoch at boot, from the `btime` line of
/// /proc/stat's text.
std::optional<uint64_t> parse_boot_time(std::string_view proc_stat);

struct process_figures {
  double cpu_seconds = 0;
  uint64_t resident_bytes = 0;
  uint64_t virtual_bytes = 0;
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;
  double start_time_seconds = 0; // since the epoch
};

/// This process's figures; nothing when /proc cannot be read.
std::optional<process_figures> read_own_figures();

} // namespace signalbox::hal
