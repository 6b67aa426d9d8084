// The values of the RTOC service that cross actor boundaries: samples,
// events and the views of signals that requests answer with. The pure codec
// (protocols/rtoc/codec.hpp) reads and writes them; the RTOC actors store
// and move them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace signalbox::rtoc {

struct request;

/// A parsed request (protocols/rtoc/codec.hpp), shared read-only.
using request_ptr = std::shared_ptr<const request>;

/// A number from a request: its value, and its JSON text as the client
/// wrote it (an integer stays an integer), which sample pushes echo.
struct number {
  double value = 0;
  std::string text;
};

/// One sample of a data request, after RTOC's normalisation.
struct sample {
  std::string dname;
  std::string sname;
  std::string unit;
  number x;
  number y;
};

/// The values one request adds to one signal, in request order: all a
/// signal actor needs of its samples (the names and the JSON texts stay with
/// the request, for the pushes). `unit` is the last sample's: RTOC keeps the
/// unit of the latest sample.
struct sample_batch {
  std::vector<double> x;
  std::vector<double> y;
  std::string unit;
};

/// An event as a request creates it, normalised: priority in {0,1,2}, x
/// defaults to now, id to sha1(sname+dname+text) in hex, value (JSON text)
/// to null.
struct event_request {
  std::string text;
  std::string sname = "noName";
  std::string dname = "noDevice";
  double x = 0;
  int32_t priority = 0;
  std::string id;
  std::string value_json = "null";
  /// The most events of its signal kept: adding it removes the oldest
  /// beyond (0: no such limit, only rtoc.max-events). The mirror's job and
  /// cluster events carry rtoc.mirror-events; a client's carry 0.
  uint64_t keep = 0;
};

/// A stored event.
struct event_view {
  int64_t event_id = 0;
  int64_t device_id = 0;
  int64_t signal_id = 0;
  std::string dname;
  std::string sname;
  std::string text;
  double x = 0;
  std::string value_json = "null";
  int32_t priority = 0;
  std::string id;
};

/// A signal's samples for a reply: x and y (as floats), unit, id, and the x
/// range of everything stored, before filtering.
struct signal_view {
  std::string name; // "Dev.Sig"
  std::vector<double> x;
  std::vector<double> y;
  std::string unit;
  int64_t id = 0;
  int64_t device_id = 0;
  double xmin = 0;
  double xmax = 0;
};

/// What a signal is asked for: its RAM ring (list-form getSignal), or a
/// window of it, from the store as well when `database` is set.
struct signal_query {
  bool has_xmin = false;
  double xmin = 0;
  bool has_xmax = false;
  double xmax = 0;
  uint64_t max_n = 0; // 0: every sample
  bool database = false;
};

/// The latest sample of a signal (`empty` when it has none).
struct latest_view {
  std::string name;
  double x = 0;
  double y = 0;
  std::string unit;
  int64_t id = 0;
  double first_x = 0;
  double last_x = 0;
  bool empty = true;
  uint64_t count = 0; // samples in RAM
};

/// A device of the session dump.
struct device_view {
  int64_t id = 0;
  std::string name;
};

/// The session dump (getSession): every device, signal and event.
struct session_view {
  uint64_t max_length = 0;
  std::vector<device_view> devices;
  std::vector<signal_view> signals;
  std::vector<event_view> events;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, number& x) {
  return f(caf::meta::type_name("rtoc_number"), x.value, x.text);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sample& x) {
  return f(caf::meta::type_name("rtoc_sample"), x.dname, x.sname, x.unit, x.x,
           x.y);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sample_batch& x) {
  return f(caf::meta::type_name("rtoc_sample_batch"), x.x, x.y, x.unit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_request& x) {
  return f(caf::meta::type_name("rtoc_event_request"), x.text, x.sname, x.dname,
           x.x, x.priority, x.id, x.value_json, x.keep);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_view& x) {
  return f(caf::meta::type_name("rtoc_event_view"), x.event_id, x.device_id,
           x.signal_id, x.dname, x.sname, x.text, x.x, x.value_json, x.priority,
           x.id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_view& x) {
  return f(caf::meta::type_name("rtoc_signal_view"), x.name, x.x, x.y, x.unit,
           x.id, x.device_id, x.xmin, x.xmax);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_query& x) {
  return f(caf::meta::type_name("rtoc_signal_query"), x.has_xmin, x.xmin,
           x.has_xmax, x.xmax, x.max_n, x.database);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, latest_view& x) {
  return f(caf::meta::type_name("rtoc_latest_view"), x.name, x.x, x.y, x.unit,
           x.id, x.first_x, x.last_x, x.empty, x.count);
}

} // namespace signalbox::rtoc
