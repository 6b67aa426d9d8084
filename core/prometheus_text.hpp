// Prometheus' text exposition format (version 0.0.4), as `GET /metrics`
// answers it: a pure encoder from a snapshot of metric families to text.
// No sockets, no actors, no clocks; tests/unit/prometheus_text_test.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace signalbox::prometheus {

enum class metric_type { counter, gauge, histogram };

/// Label names and values, in the order they are printed.
using label_list = std::vector<std::pair<std::string, std::string>>;

/// One value of a counter or gauge family.
struct sample {
  label_list labels;
  double value = 0;
};

/// One series of a histogram family: cumulative bucket counts by upper
/// bound (ascending; the +Inf bucket is `count` and is printed by the
/// encoder), the sum and the count of the observations.
struct histogram_sample {
  label_list labels;
  std::vector<std::pair<double, uint64_t>> buckets;
  double sum = 0;
  uint64_t count = 0;
};

/// A metric family: a name, its help text, its type and its series.
struct family {
  std::string name;
  std::string help;
  metric_type type = metric_type::counter;
  std::vector<sample> samples;              // counter, gauge
  std::vector<histogram_sample> histograms; // histogram
};

/// The text of `families`, in the given order: `# HELP`, `# TYPE`, then one
/// line per sample (histograms: `_bucket{le=...}` lines, `_sum`, `_count`).
/// A family without series still gets its HELP and TYPE lines.
std::string encode(const std::vector<family>& families);

/// A label value as the format writes it between quotes: backslash, double
/// quote and line feed escaped.
std::string escape_label_value(const std::string& value);

/// A help text as the format writes it: backslash and line feed escaped.
std::string escape_help(const std::string& help);

/// A number as the format writes it: integers without a fraction, others
/// with full precision, `+Inf`, `-Inf`, `NaN`.
std::string format_value(double value);

/// Whether `name` is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
bool valid_metric_name(const std::string& name);

/// Whether `name` is a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not
/// starting with "__", which Prometheus reserves).
bool valid_label_name(const std::string& name);

/// The content type of the format.
inline constexpr const char* content_type =
    "text/plain; version=0.0.4; charset=utf-8";

} // namespace signalbox::prometheus
