// The RTOC websocket protocol (seed 003, docs/rtoc.md): one JSON object per
// text frame, keys handled in a fixed order, one reply object per request
// and pushes in frames of their own. This codec parses a request into
// checked, normalised values (what RTOC's Python server does to them before
// it acts, with its bugs replaced as docs/rtoc.md says) and writes every
// reply field and push. Pure: no sockets, no actors; `now` is passed in.
//
// Python's json module reads and writes NaN and Infinity, so this codec
// does too.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/rtoc_types.hpp"

namespace signalbox::rtoc {

/// `y` with plot=false: one sample per value, in request order. A `y` that
/// is a string is an event with that text instead (RTOC's shortcut).
struct data_request {
  std::vector<sample> samples;
  std::shared_ptr<const event_request> event;
};

/// `y` with plot=true: replaces signal dname.sname with these x/y.
/// `stored` is false when x and y differ in length (RTOC stores nothing but
/// still answers sent:true).
struct plot_request {
  std::string dname;
  std::string sname;
  std::string unit;
  std::vector<double> x;
  std::vector<double> y;
  bool stored = true;
};

/// `subscribe`/`unsubscribe`: ["signal","Dev.Sig"] or ["device","Dev"].
struct subscription {
  bool device = false; // device subscriptions are kept but never match
  std::string name;
};

/// `getSignal` in dict form (what RTRemote sends): one signal and the
/// window of it that is wanted.
struct signal_dict {
  std::string name; // "Dev.Sig"
  signal_query window;
};

/// `getSignal`: a list of names, one dict query, or "all".
struct signal_request {
  bool all = false;
  std::vector<std::string> names;
  std::optional<signal_dict> query; // dict form; nullopt name: "signals":false
  bool incomplete_query = false;    // dict without dname or sname
};

/// `getLatest`: true (all), a list of names, or anything else ({}).
struct latest_request {
  bool all = false;
  std::vector<std::string> names;
};

/// `remove`: [[signal ids or "Dev.Sig" names], [event ids]].
struct remove_request {
  std::vector<std::variant<int64_t, std::string>> signals;
  std::vector<int64_t> events;
};

/// `logger`: the sub-keys signalbox acts on, plus the others, answered as
/// RTOC answers them. Order is kept for the echoed reply.
struct logger_request {
  struct item {
    std::string key;        // "info", "clear", "resize", ...
    std::string value_json; // the request's value
  };
  std::vector<item> items;
};

/// A whole request, keys in the order RTOC handles them.
struct request {
  std::optional<std::string> authorize; // "true" for the boolean
  std::optional<data_request> data;
  std::optional<plot_request> plot;
  bool get_signal_list = false;
  bool get_plugin_list = false;
  std::optional<event_request> event;
  std::optional<subscription> subscribe;
  std::optional<subscription> unsubscribe;
  // "signal" (also for true), "device", or "" for values RTOC ignores.
  std::optional<std::string> subscribe_all;
  std::optional<std::string> unsubscribe_all;
  bool get_event_list = false;
  std::optional<std::vector<std::string>> get_event;
  std::optional<signal_request> get_signal;
  std::optional<latest_request> get_latest;
  bool get_session = false;
  std::optional<remove_request> remove;
  std::optional<std::string> plugin_json; // the dict, as JSON text
  std::optional<logger_request> logger;
  std::optional<std::string> user_action;
  std::optional<std::string> automation_json;
};

/// Parses one request frame. nullopt for what RTOC answers {"error":true}:
/// not JSON, not an object, {} and any key of the wrong shape. `now` is the
/// server time (float epoch seconds) for omitted x values and events.
std::optional<request> parse_request(std::string_view text, double now);

/// A JSON array of strings (logger.clear's list of names); nullopt for
/// anything else.
std::optional<std::vector<std::string>>
parse_string_list(std::string_view json);

/// sha1(`text`) in lowercase hex: an event's default id.
std::string sha1_hex(std::string_view text);

/// "Dev.Sig" -> {"Dev","Sig"} at the first '.'; nullopt without one.
std::optional<std::pair<std::string, std::string>>
split_name(std::string_view name);

// -- writing ------------------------------------------------------------------

/// A JSON number as Python's json.dumps writes a float: shortest text that
/// reads back the same, ".0" for integral values, NaN/Infinity/-Infinity.
std::string float_text(double x);

/// Builds one reply object: {"error":false, fields in the order added}.
class reply_writer {
public:
  reply_writer();
  ~reply_writer();
  reply_writer(const reply_writer&) = delete;
  reply_writer& operator=(const reply_writer&) = delete;

  void sent();
  void signal_list(const std::vector<std::pair<std::string, std::string>>& xs);
  void plugin_list();                             // {}: no plugins here
  void events(const std::vector<event_view>& xs); // getEventList
  /// getEvent: {"Dev.Sig": [[dname,sname,evID,text,x,value,priority,id]..]}
  void events_by_signal(
      const std::vector<std::pair<std::string, std::vector<event_view>>>& xs);
  void signals(const std::vector<signal_view>& xs);
  void signals_false(); // "signals": false
  void latest_all(const std::vector<latest_view>& xs);
  void latest_selected(const std::vector<latest_view>& xs);
  void session(const session_view& x); // under "session" and "getSession"
  void removed(uint64_t signals, uint64_t events);
  /// "plugin": every value of the request's dict answered as RTOC answers
  /// an unknown plugin.
  void plugin_not_found(std::string_view plugin_json);
  /// "logger": one answer per item, as JSON texts, in request order.
  void logger(const std::vector<std::pair<std::string, std::string>>& xs);
  void user_action_unknown(std::string_view name);
  void automation_empty();

  /// The finished reply text; the writer is spent.
  std::string finish();

private:
  struct impl;
  impl* impl_;
};

/// {"error":true}.
std::string error_reply();

/// {"authorized":true|false}.
std::string authorized_reply(bool yes);

/// {"client":"newconnected"}.
std::string newconnected_push();

/// A new sample: {"signal":{"x":[x],"y":[y],"unit":..,"dname":..,
/// "sname":..,"id":sigID}} with x and y as the client wrote them.
std::string sample_push(const sample& s, int64_t signal_id);

/// A new signal, to everyone: the same shape with empty x/y and unit null.
std::string new_signal_push(std::string_view dname, std::string_view sname,
                            int64_t signal_id);

/// A new event: {"event":{"x","text","dname","sname","priority","value",
/// "id","eventId"}}.
std::string event_push(const event_view& e);

} // namespace signalbox::rtoc
