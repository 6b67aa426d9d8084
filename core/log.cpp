#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <string>

namespace signalbox::log {

namespace {

std::atomic<int> current_level{static_cast<int>(level::info)};

} // namespace

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
  line.reserve(text.size() + 12);
  line += "signalbox: ";
  line += text;
  line += '\n';
  // One fwrite per line: stdio locks the stream for the call, so a line is
  // never torn by another thread's.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

} // namespace signalbox::log
