#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <string>

namespace signalbox::log {

namespace {

std::atomic<int> current_level{static_cast<int>(level::info)};
std::atomic<bool> priority_prefixes{false};

/// syslog(3)'s priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG.
char priority_of(level lvl) {
  switch (lvl) {
  case level::error:
    return '3';
  case level::warning:
    return '4';
  case level::info:
    return '6';
  default:
    return '7';
  }
}

} // namespace

std::optional<level> parse_level(std::string_view name) {
  if (name == "error")
    return level::error;
  if (name == "warning")
    return level::warning;
  if (name == "info")
    return level::info;
  if (name == "debug")
    return level::debug;
  return std::nullopt;
}

void set_priority_prefixes(bool on) {
  priority_prefixes.store(on, std::memory_order_relaxed);
}

void set_level(level lvl) {
  current_level.store(static_cast<int>(lvl), std::memory_order_relaxed);
}

bool enabled(level lvl) {
  return static_cast<int>(lvl) <= current_level.load(std::memory_order_relaxed);
}

void write(level lvl, std::string_view text) {
  if (!enabled(lvl))
    return;
  std::string line;
  line.reserve(text.size() + 15);
  if (priority_prefixes.load(std::memory_order_relaxed)) {
    line += '<';
    line += priority_of(lvl);
    line += '>';
  }
  line += "signalbox: ";
  line += text;
  line += '\n';
  // One fwrite per line: stdio locks the stream for the call, so a line is
  // never torn by another thread's.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

} // namespace signalbox::log
