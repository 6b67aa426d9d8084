// One RTOC signal (interfaces.hpp: rtoc_signal_actor): the RAM ring of its
// newest samples, its window queries (from the store for history older than
// the ring) and its removal. The directory writes the samples: a request's
// samples go to the store in one batch, whatever their signals, and reach
// the ring once committed. (Its subscribers are the directory's too: a
// subscription may name a signal before it exists, and pushes go out in
// the order of the request's values, across signals.)
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "actors/interfaces.hpp"

namespace signalbox::rtoc {

/// What a signal actor starts with (a new signal, or one loaded from the
/// store at start-up).
struct signal_setup {
  int64_t id = 0;
  int64_t device_id = 0;
  std::string dname;
  std::string sname;
  std::string unit;
  uint64_t record_length = 500000;
  store_actor store;
  std::deque<std::pair<double, double>> ring; // oldest first
  bool has_range = false; // the store holds samples: xmin..xmax
  double xmin = 0;
  double xmax = 0;
};

struct signal_state {
  signal_setup s;

  static inline const char* name = "rtoc_signal";
};

rtoc_signal_actor::behavior_type
signal_behavior(rtoc_signal_actor::stateful_pointer<signal_state> self,
                signal_setup setup);

/// The samples of `ring` in [xmin, xmax] (each bound when set), thinned to
/// every n/maxN-th when there are more than maxN: RTOC's getSignal filter
/// (x > xmin as RTOC has it, and without its off-by-one at xmax). Pure.
void filter_window(std::vector<double>& x, std::vector<double>& y,
                   const signal_query& query);

} // namespace signalbox::rtoc
