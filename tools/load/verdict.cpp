#include "tools/load/verdict.hpp"

#include <sstream>

namespace signalbox::load {

namespace {

std::string str(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

void check_max(results& r, const char* name, std::optional<uint64_t> limit,
               uint64_t value) {
  if (!limit)
    return;
  r.assertions.push_back({name, "<= " + std::to_string(*limit),
                          std::to_string(value), value <= *limit});
}

} // namespace

void evaluate(const scenario& s, results& r) {
  auto& c = s.checks;
  r.assertions.clear();
  check_max(r, "lost", c.max_lost, r.lost());
  check_max(r, "out_of_order", c.max_out_of_order, r.out_of_order());
  check_max(r, "failed_connections", c.max_failed_connections,
            r.connects_failed + r.dropped);
  check_max(r, "failed_requests", c.max_failed_requests, r.failed_requests());
  check_max(r, "flooders_closed", c.max_flooders_closed, r.flooders_closed());
  if (c.all_commands_finished) {
    std::ostringstream value;
    value << "sent " << r.commands_sent << ", ok " << r.commands_ok << ", do "
          << r.commands_do << ", done " << r.commands_done << ", finish "
          << r.commands_finish << "/" << r.commands_finish_expected;
    r.assertions.push_back({"all_commands_finished",
                            "every command ok, "
                            "done and finished",
                            value.str(), r.all_commands_finished()});
  }
  for (auto& [metric, bound_us] : c.max_p99_us) {
    auto it = r.latency.find(metric);
    uint64_t count = it == r.latency.end() ? 0 : it->second.count();
    if (count == 0) {
      // A bound on something never measured must not pass silently.
      r.assertions.push_back({metric + ".p99_us",
                              "<= " + std::to_string(bound_us), "no samples",
                              false});
      continue;
    }
    double p99_us = static_cast<double>(it->second.percentile(99)) / 1000.0;
    r.assertions.push_back({metric + ".p99_us",
                            "<= " + std::to_string(bound_us), str(p99_us),
                            p99_us <= static_cast<double>(bound_us)});
  }
  if (c.min_delivered_per_second)
    r.assertions.push_back(
        {"delivered_per_second", ">= " + str(*c.min_delivered_per_second),
         str(r.total_delivered_per_second()),
         r.total_delivered_per_second() >= *c.min_delivered_per_second});
  r.passed = true;
  for (auto& a : r.assertions)
    r.passed = r.passed && a.passed;
}

} // namespace signalbox::load
