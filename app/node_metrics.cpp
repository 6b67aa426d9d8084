#include "app/node_metrics.hpp"

#include "hal/process_stats.hpp"

namespace signalbox {

namespace {

using prometheus::family;
using prometheus::metric_type;

/// One family with a sample per listener, read by `field`.
template <class Field>
family
per_listener(const char* name, const char* help, metric_type type,
             const std::vector<std::pair<std::string, listener_stats>>& stats,
             Field field) {
  family f{name, help, type, {}, {}};
  for (auto& [service, s] : stats)
    f.samples.push_back(
        {{{"interface", service}}, static_cast<double>(field(s))});
  return f;
}

void collect_listeners(
    const std::vector<std::shared_ptr<listener_handle>>& listeners,
    std::vector<family>& out) {
  std::vector<std::pair<std::string, listener_stats>> stats;
  for (auto& l : listeners)
    stats.emplace_back(l->service(), l->stats());
  auto gauge = metric_type::gauge;
  auto counter = metric_type::counter;
  out.push_back(per_listener("signalbox_connections",
                             "open connections per interface", gauge, stats,
                             [](auto& s) { return s.connections; }));
  out.push_back(
      per_listener("signalbox_bytes_queued",
                   "outbound bytes queued and not yet written per interface",
                   gauge, stats, [](auto& s) { return s.queued_bytes; }));
  out.push_back(per_listener(
      "signalbox_frames_received_total",
      "messages received per interface (WebSocket messages, JMRI JSON objects "
      "on the raw stream)",
      counter, stats, [](auto& s) { return s.frames_received; }));
  out.push_back(per_listener("signalbox_frames_sent_total",
                             "messages written per interface", counter, stats,
                             [](auto& s) { return s.frames_sent; }));
  out.push_back(per_listener(
      "signalbox_slow_consumer_closes_total",
      "connections closed because their outbound queue passed its limit",
      counter, stats, [](auto& s) { return s.slow_consumers; }));
  out.push_back(per_listener(
      "signalbox_oversized_message_closes_total",
      "connections closed because a message passed its size limit", counter,
      stats, [](auto& s) { return s.oversized_messages; }));
  out.push_back(per_listener(
      "signalbox_connections_refused_total",
      "connections refused at the connection limit or during shutdown", counter,
      stats, [](auto& s) { return s.refused; }));
  out.push_back(per_listener(
      "signalbox_tls_failures_total",
      "connections ended before TLS was up: failed or timed-out handshakes, "
      "refused client certificates, plain text on a TLS port",
      counter, stats, [](auto& s) { return s.tls_failures; }));
}

family one_value(const char* name, const char* help, metric_type type,
                 double value) {
  return family{name, help, type, {{{}, value}}, {}};
}

void collect_process(std::vector<family>& out) {
  auto figures = hal::read_own_figures();
  if (!figures)
    return;
  auto& f = *figures;
  out.push_back(one_value("process_cpu_seconds_total",
                          "user and system CPU time spent in seconds",
                          metric_type::counter, f.cpu_seconds));
  out.push_back(one_value("process_resident_memory_bytes",
                          "resident memory size in bytes", metric_type::gauge,
                          static_cast<double>(f.resident_bytes)));
  out.push_back(one_value("process_virtual_memory_bytes",
                          "virtual memory size in bytes", metric_type::gauge,
                          static_cast<double>(f.virtual_bytes)));
  out.push_back(one_value("process_open_fds", "open file descriptors",
                          metric_type::gauge, static_cast<double>(f.open_fds)));
  out.push_back(one_value("process_max_fds",
                          "maximum number of open file descriptors",
                          metric_type::gauge, static_cast<double>(f.max_fds)));
  out.push_back(one_value("process_start_time_seconds",
                          "start time of the process since the epoch in "
                          "seconds",
                          metric_type::gauge, f.start_time_seconds));
}

} // namespace

void add_node_collectors(
    metrics::registry& reg,
    std::vector<std::shared_ptr<listener_handle>> listeners) {
  reg.add_collector(
      [listeners = std::move(listeners)](std::vector<family>& out) {
        collect_listeners(listeners, out);
      });
  reg.add_collector([](std::vector<family>& out) {
    out.push_back(family{"signalbox_build_info",
                         "the node's version (always 1)",
                         metric_type::gauge,
                         {{{{"version", SIGNALBOX_VERSION}}, 1}},
                         {}});
    collect_process(out);
  });
}

} // namespace signalbox
