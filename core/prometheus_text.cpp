#include "core/prometheus_text.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace signalbox::prometheus {

namespace {

const char* type_name(metric_type type) {
  switch (type) {
  case metric_type::counter:
    return "counter";
  case metric_type::gauge:
    return "gauge";
  case metric_type::histogram:
    return "histogram";
  }
  return "untyped";
}

/// `{a="x",b="y"}` with `extra` (le for buckets) last; nothing when empty.
void append_labels(std::string& out, const label_list& labels,
                   const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && extra == nullptr)
    return;
  out += '{';
  bool first = true;
  auto one = [&](const std::string& name, const std::string& value) {
    if (!first)
      out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  };
  for (auto& [name, value] : labels)
    one(name, value);
  if (extra != nullptr)
    one(extra->first, extra->second);
  out += '}';
}

void append_line(std::string& out, const std::string& name,
                 const label_list& labels, double value,
                 const std::pair<std::string, std::string>* extra = nullptr) {
  out += name;
  append_labels(out, labels, extra);
  out += ' ';
  out += format_value(value);
  out += '\n';
}

void append_histogram(std::string& out, const std::string& name,
                      const histogram_sample& h) {
  for (auto& [bound, count] : h.buckets) {
    std::pair<std::string, std::string> le{"le", format_value(bound)};
    append_line(out, name + "_bucket", h.labels, static_cast<double>(count),
                &le);
  }
  std::pair<std::string, std::string> inf{"le", "+Inf"};
  append_line(out, name + "_bucket", h.labels, static_cast<double>(h.count),
              &inf);
  append_line(out, name + "_sum", h.labels, h.sum);
  append_line(out, name + "_count", h.labels, static_cast<double>(h.count));
}

} // namespace

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(const std::string& help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  // Whole numbers up to 2^53 are exact in a double: print them plainly.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0)
    std::snprintf(buf, sizeof buf, "%.0f", value);
  else
    // The shortest text that reads back as the same double: 0.00025, not
    // 0.00025000000000000001.
    for (int precision = 1; precision <= 17; ++precision) {
      std::snprintf(buf, sizeof buf, "%.*g", precision, value);
      if (std::strtod(buf, nullptr) == value)
        break;
    }
  return buf;
}

bool valid_metric_name(const std::string& name) {
  if (name.empty())
    return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0))
      return false;
  }
  return true;
}

bool valid_label_name(const std::string& name) {
  if (name.empty() || name.rfind("__", 0) == 0)
    return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0))
      return false;
  }
  return true;
}

std::string encode(const std::vector<family>& families) {
  std::string out;
  for (auto& f : families) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    out += escape_help(f.help);
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += type_name(f.type);
    out += '\n';
    if (f.type == metric_type::histogram) {
      for (auto& h : f.histograms)
        append_histogram(out, f.name, h);
    } else {
      for (auto& s : f.samples)
        append_line(out, f.name, s.labels, s.value);
    }
  }
  return out;
}

} // namespace signalbox::prometheus
