// CPU time and resident memory of a process, from /proc/<pid>/stat and
// /proc/<pid>/status (Linux only; that is where signalbox runs).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/types.h>

namespace signalbox::load {

struct proc_sample {
  /// utime + stime, in clock ticks (sysconf(_SC_CLK_TCK) per second).
  uint64_t cpu_ticks = 0;
  /// VmRSS in KiB.
  uint64_t rss_kib = 0;
  /// RssAnon in KiB: VmRSS without the pages of mapped files (an LMDB map
  /// in the page cache) and shared memory.
  uint64_t rss_anon_kib = 0;
  /// VmHWM in KiB: the peak RSS since the process started.
  uint64_t rss_hwm_kib = 0;
};

/// Reads both files; nothing when the process does not exist (any more).
std::optional<proc_sample> sample_process(pid_t pid);

/// utime + stime from the text of /proc/<pid>/stat. The command name (field
/// 2) is in parentheses and may itself hold spaces and parentheses, so the
/// fields are counted from the LAST ')'.
std::optional<uint64_t> cpu_ticks_of_stat(std::string_view stat);

/// VmRSS (KiB) from the text of /proc/<pid>/status.
std::optional<uint64_t> rss_kib_of_status(std::string_view status);

/// RssAnon (KiB) from the text of /proc/<pid>/status.
std::optional<uint64_t> rss_anon_kib_of_status(std::string_view status);

/// VmHWM (KiB) from the text of /proc/<pid>/status.
std::optional<uint64_t> rss_hwm_kib_of_status(std::string_view status);

/// Clock ticks per second.
long ticks_per_second();

} // namespace signalbox::load
