#include "tools/load/report.hpp"

#include <cstdio>
#include <sstream>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace signalbox::load {

namespace {

const char* const percentile_names[] = {"p50", "p90", "p99", "p99_9"};
const double percentiles[] = {50, 90, 99, 99.9};

double us(uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

using writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void field(writer& w, const char* name, uint64_t v) {
  w.Key(name);
  w.Uint64(v);
}

void field(writer& w, const char* name, double v) {
  w.Key(name);
  w.Double(v);
}

void latency_json(writer& w, const histogram& h) {
  w.StartObject();
  field(w, "count", h.count());
  field(w, "min", us(h.min()));
  for (size_t i = 0; i < 4; ++i)
    field(w, percentile_names[i], us(h.percentile(percentiles[i])));
  field(w, "max", us(h.max()));
  field(w, "mean", h.mean() / 1000.0);
  w.EndObject();
}

void usage_json(writer& w, const char* name,
                const std::optional<process_usage>& u) {
  w.Key(name);
  if (!u) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("pid");
  w.Int(u->pid);
  field(w, "rss_kib_start", u->rss_kib_start);
  field(w, "rss_kib_connected", u->rss_kib_connected);
  field(w, "rss_kib_max", u->rss_kib_max);
  field(w, "rss_kib_end", u->rss_kib_end);
  field(w, "rss_anon_kib_end", u->rss_anon_kib_end);
  field(w, "cpu_seconds", u->cpu_seconds);
  field(w, "cpu_percent", u->cpu_percent);
  field(w, "rss_hwm_kib_end", u->rss_hwm_kib_end);
  w.EndObject();
}

void flooders_json(writer& w, const std::vector<flooder_group_result>& gs) {
  w.Key("flooders");
  w.StartArray();
  for (auto& g : gs) {
    w.StartObject();
    w.Key("interface");
    w.String(g.interface);
    w.Key("reads");
    w.Bool(g.reads);
    field(w, "count", g.count);
    field(w, "connected", g.connected);
    field(w, "requests_written", g.requests_written);
    field(w, "bytes_written", g.bytes_written);
    field(w, "requests_per_second", g.requests_per_second);
    field(w, "bytes_read", g.bytes_read);
    field(w, "messages", g.messages);
    field(w, "replies", g.replies);
    field(w, "open_at_end", g.open_at_end);
    field(w, "closed", g.closed);
    w.Key("close_reasons");
    w.StartObject();
    for (auto& [why, n] : g.close_reasons)
      field(w, why.c_str(), n);
    w.EndObject();
    field(w, "closed_after_bytes_min", g.closed_after_bytes_min);
    field(w, "closed_after_bytes_max", g.closed_after_bytes_max);
    w.EndObject();
  }
  w.EndArray();
}

/// 1234 -> "1234", 12345 -> "12.3 k", 1234567 -> "1.2 M".
std::string count_text(uint64_t n) {
  if (n < 10000)
    return std::to_string(n);
  if (n < 1000000)
    return fmt("%.1f k", static_cast<double>(n) / 1e3);
  return fmt("%.1f M", static_cast<double>(n) / 1e6);
}

std::string mb_text(uint64_t bytes) {
  return fmt("%.1f MB", static_cast<double>(bytes) / 1e6);
}

/// "4 jmri_tcp non-reading flooders (4 connected): 1.2 M requests (12.0 MB,
/// 120.0 k/s), 0 replies; 0 open at the end, 4 closed by the node (eof 4)
/// after 2.9-3.3 MB"
std::string flooder_line(const flooder_group_result& g) {
  std::ostringstream os;
  os << g.count << " " << g.interface << (g.reads ? " " : " non-reading ")
     << "flooder" << (g.count == 1 ? "" : "s") << " (" << g.connected
     << " connected): " << count_text(g.requests_written) << " requests ("
     << mb_text(g.bytes_written) << ", "
     << count_text(static_cast<uint64_t>(g.requests_per_second)) << "/s), ";
  if (g.reads)
    os << count_text(g.replies) << " replies (" << count_text(g.messages)
       << " messages, " << mb_text(g.bytes_read) << ")";
  else
    os << "replies not read";
  os << "; " << g.open_at_end << " open at the end, " << g.closed
     << " closed by the node";
  if (g.closed > 0) {
    os << " (";
    bool first = true;
    for (auto& [why, n] : g.close_reasons) {
      os << (first ? "" : ", ") << why << " " << n;
      first = false;
    }
    os << ") after " << fmt("%.1f", g.closed_after_bytes_min / 1e6);
    if (g.closed_after_bytes_max != g.closed_after_bytes_min)
      os << "-" << fmt("%.1f", g.closed_after_bytes_max / 1e6);
    os << " MB";
  }
  os << "\n";
  return os.str();
}

std::string usage_line(const char* who, const process_usage& u) {
  std::ostringstream os;
  os << who << " (pid " << u.pid << "): RSS "
     << fmt("%.1f", u.rss_kib_start / 1024.0) << " MiB at start, "
     << fmt("%.1f", u.rss_kib_connected / 1024.0) << " connected, "
     << fmt("%.1f", u.rss_kib_max / 1024.0) << " max (sampled), "
     << fmt("%.1f", u.rss_hwm_kib_end / 1024.0) << " peak (VmHWM); CPU "
     << fmt("%.2f", u.cpu_seconds) << " s = " << fmt("%.0f", u.cpu_percent)
     << " % of a core\n";
  return os.str();
}

std::string latency_line(const char* name, const histogram& h) {
  if (h.count() == 0)
    return "";
  std::ostringstream os;
  os << "  " << name << " (" << h.count() << "), µs: p50 "
     << fmt("%.0f", us(h.percentile(50))) << "  p90 "
     << fmt("%.0f", us(h.percentile(90))) << "  p99 "
     << fmt("%.0f", us(h.percentile(99))) << "  p99.9 "
     << fmt("%.0f", us(h.percentile(99.9))) << "  max "
     << fmt("%.0f", us(h.max())) << "\n";
  return os.str();
}

} // namespace

std::string summary_text(const results& r) {
  std::ostringstream os;
  os << "scenario " << r.scenario << " (run " << r.run_id << ")\n";
  os << "connections: " << r.connects_made << " made, " << r.connects_failed
     << " failed, " << r.dropped << " dropped, of " << r.clients
     << " clients; set up in " << fmt("%.2f", r.connect_seconds) << " s\n";
  os << "run: " << fmt("%.2f", r.run_seconds) << " s publishing + draining"
     << (r.drained ? "" : " (drain timed out)") << "\n";
  if (r.subscribers > 0)
    os << "ttmnotify: " << r.subscribers << " subscribers, " << r.delivered
       << "/" << r.delivered_expected << " delivered ("
       << fmt("%.0f", r.delivered_per_second) << "/s), " << r.ttm_lost
       << " lost, " << r.ttm_out_of_order << " out of order\n";
  if (r.jmri_ws + r.jmri_tcp > 0)
    os << "jmri: " << r.jmri_clients << " clients subscribed (of " << r.jmri_ws
       << " ws + " << r.jmri_tcp << " tcp), " << r.jmri_delivered << "/"
       << r.jmri_expected << " delivered ("
       << fmt("%.0f", r.jmri_delivered_per_second) << "/s), " << r.jmri_lost
       << " lost, " << r.jmri_out_of_order << " out of order, " << r.jmri_other
       << " other messages (job status, other senders), " << r.jmri_errors
       << " errors\n";
  if (r.writes_sent > 0)
    os << "rest: " << r.writes_sent << " writes, " << r.writes_ok << " ok"
       << (r.message_writes_ok > 0
               ? " (" + std::to_string(r.message_writes_ok) + " messages)"
               : std::string{})
       << ", " << r.writes_failed << " failed, " << r.writes_skipped
       << " not sent (node slower than the rate)\n";
  if (r.commands_sent > 0)
    os << "socket.io: " << r.commands_sent << " commands, " << r.commands_ok
       << " ok, " << r.commands_failed << " failed, " << r.commands_do
       << " relayed, " << r.commands_done << " done, " << r.commands_finish
       << "/" << r.commands_finish_expected << " finish, " << r.sio_lost
       << " lost, " << r.sio_out_of_order << " out of order\n";
  if (r.rtoc_writers + r.rtoc_subscribers > 0)
    os << "rtoc: " << r.rtoc_writers << " writers, " << r.rtoc_requests_sent
       << " requests, " << r.rtoc_requests_ok << " ok, "
       << r.rtoc_requests_failed << " failed, " << r.rtoc_skipped
       << " not sent (window full); " << r.rtoc_samples_acked << "/"
       << r.rtoc_samples_sent << " samples acknowledged ("
       << fmt("%.0f", r.rtoc_acked_per_second) << "/s); " << r.rtoc_subscribers
       << " subscribers, " << r.rtoc_delivered << "/" << r.rtoc_expected
       << " delivered (" << fmt("%.0f", r.rtoc_delivered_per_second) << "/s), "
       << r.rtoc_lost << " lost, " << r.rtoc_out_of_order << " out of order\n";
  for (auto& g : r.flooders)
    os << "flooders: " << flooder_line(g);
  bool any = false;
  for (auto& [name, h] : r.latency)
    any = any || h.count() > 0;
  if (any) {
    os << "latency:\n";
    for (auto& [name, h] : r.latency)
      os << latency_line(name.c_str(), h);
  }
  if (r.server)
    os << usage_line("server", *r.server);
  if (r.generator)
    os << usage_line("load generator", *r.generator);
  for (auto& a : r.assertions)
    os << (a.passed ? "PASS " : "FAIL ") << a.name << ": " << a.value
       << " (want " << a.limit << ")\n";
  os << (r.passed ? "PASSED" : "FAILED") << "\n";
  return os.str();
}

std::string report_json(const results& r) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("scenario");
  w.String(r.scenario);
  w.Key("run_id");
  w.String(r.run_id);
  w.Key("passed");
  w.Bool(r.passed);
  field(w, "connect_seconds", r.connect_seconds);
  field(w, "run_seconds", r.run_seconds);
  w.Key("drained");
  w.Bool(r.drained);

  w.Key("connections");
  w.StartObject();
  field(w, "clients", r.clients);
  field(w, "made", r.connects_made);
  field(w, "failed", r.connects_failed);
  field(w, "dropped", r.dropped);
  w.EndObject();

  w.Key("ttm");
  w.StartObject();
  field(w, "subscribers", r.subscribers);
  field(w, "notifications", r.notifications);
  field(w, "delivered", r.delivered);
  field(w, "expected", r.delivered_expected);
  field(w, "lost", r.ttm_lost);
  field(w, "out_of_order", r.ttm_out_of_order);
  field(w, "delivered_per_second", r.delivered_per_second);
  w.EndObject();

  w.Key("jmri");
  w.StartObject();
  field(w, "clients", r.jmri_clients);
  field(w, "ws", r.jmri_ws);
  field(w, "tcp", r.jmri_tcp);
  field(w, "messages", r.jmri_messages);
  field(w, "delivered", r.jmri_delivered);
  field(w, "expected", r.jmri_expected);
  field(w, "lost", r.jmri_lost);
  field(w, "out_of_order", r.jmri_out_of_order);
  field(w, "other_messages", r.jmri_other);
  field(w, "errors", r.jmri_errors);
  field(w, "delivered_per_second", r.jmri_delivered_per_second);
  w.EndObject();

  w.Key("rest");
  w.StartObject();
  field(w, "writes_sent", r.writes_sent);
  field(w, "writes_ok", r.writes_ok);
  field(w, "message_writes_ok", r.message_writes_ok);
  field(w, "writes_failed", r.writes_failed);
  field(w, "writes_skipped", r.writes_skipped);
  w.EndObject();

  w.Key("sio");
  w.StartObject();
  field(w, "commands_sent", r.commands_sent);
  field(w, "commands_ok", r.commands_ok);
  field(w, "commands_failed", r.commands_failed);
  field(w, "commands_do", r.commands_do);
  field(w, "commands_done", r.commands_done);
  field(w, "commands_finish", r.commands_finish);
  field(w, "commands_finish_expected", r.commands_finish_expected);
  field(w, "lost", r.sio_lost);
  field(w, "out_of_order", r.sio_out_of_order);
  w.Key("all_commands_finished");
  w.Bool(r.all_commands_finished());
  w.EndObject();

  w.Key("rtoc");
  w.StartObject();
  field(w, "writers", r.rtoc_writers);
  field(w, "subscribers", r.rtoc_subscribers);
  field(w, "requests_sent", r.rtoc_requests_sent);
  field(w, "requests_ok", r.rtoc_requests_ok);
  field(w, "requests_failed", r.rtoc_requests_failed);
  field(w, "skipped", r.rtoc_skipped);
  field(w, "samples_sent", r.rtoc_samples_sent);
  field(w, "samples_acked", r.rtoc_samples_acked);
  field(w, "pushes", r.rtoc_pushes);
  field(w, "delivered", r.rtoc_delivered);
  field(w, "expected", r.rtoc_expected);
  field(w, "lost", r.rtoc_lost);
  field(w, "out_of_order", r.rtoc_out_of_order);
  field(w, "acked_per_second", r.rtoc_acked_per_second);
  field(w, "delivered_per_second", r.rtoc_delivered_per_second);
  w.EndObject();

  flooders_json(w, r.flooders);

  w.Key("latency_us");
  w.StartObject();
  for (auto& [name, h] : r.latency) {
    w.Key(name);
    latency_json(w, h);
  }
  w.EndObject();

  usage_json(w, "server", r.server);
  usage_json(w, "generator", r.generator);

  w.Key("assertions");
  w.StartArray();
  for (auto& a : r.assertions) {
    w.StartObject();
    w.Key("name");
    w.String(a.name);
    w.Key("limit");
    w.String(a.limit);
    w.Key("value");
    w.String(a.value);
    w.Key("passed");
    w.Bool(a.passed);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string{buf.GetString(), buf.GetSize()} + "\n";
}

} // namespace signalbox::load
