// The scenario's assertions checked against a run's results.
#pragma once

#include "tools/load/results.hpp"
#include "tools/load/scenario.hpp"

namespace signalbox::load {

/// Fills r.assertions and r.passed from s.checks.
void evaluate(const scenario& s, results& r);

} // namespace signalbox::load
