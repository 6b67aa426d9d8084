// The node's own log lines: one line per event on stderr (journald picks it
// up), "signalbox: <text>", written whole so that lines of different threads
// never interleave. Levels filter what is written; nothing here may be
// handed a secret (tokens, passwords): callers log names, not values.
#pragma once

#include <optional>
#include <string_view>

namespace signalbox::log {

enum class level : int { error = 0, warning = 1, info = 2, debug = 3 };

/// The level named `name` ("error", "warning", "info", "debug"; the
/// `log.level` option), or nullopt.
std::optional<level> parse_level(std::string_view name);

/// Lines above `lvl` are dropped (default: info). Thread-safe.
void set_level(level lvl);

/// Whether each line starts with its syslog priority ("<4>" for a
/// warning), which journald reads (SyslogLevelPrefix=, on by default) and
/// strips: set when stderr is the journal (hal::stderr_is_journal).
void set_priority_prefixes(bool on);

/// Whether a line of `lvl` would be written.
bool enabled(level lvl);

/// Writes one line at `lvl`.
void write(level lvl, std::string_view text);

inline void error(std::string_view text) {
  write(level::error, text);
}

inline void warning(std::string_view text) {
  write(level::warning, text);
}

inline void info(std::string_view text) {
  write(level::info, text);
}

inline void debug(std::string_view text) {
  write(level::debug, text);
}

} // namespace signalbox::log
