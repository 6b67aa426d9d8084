// A run's results for people (a summary table) and for programs (JSON).
#pragma once

#include <string>

#include "tools/load/results.hpp"

namespace signalbox::load {

/// The readable summary printed at the end of a run.
std::string summary_text(const results& r);

/// The JSON report (--report=FILE). Latencies are in microseconds.
std::string report_json(const results& r);

} // namespace signalbox::load
