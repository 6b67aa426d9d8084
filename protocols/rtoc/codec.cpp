#include "protocols/rtoc/codec.hpp"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <openssl/evp.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/json/strict_json.hpp"

namespace signalbox::rtoc {

namespace {

using value = rapidjson::Value;
using writer_type =
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>,
                      rapidjson::UTF8<>, rapidjson::CrtAllocator,
                      rapidjson::kWriteNanAndInfFlag>;

// Python's json module reads NaN and Infinity.
constexpr unsigned parse_flags =
    json::parse_flags | rapidjson::kParseNanAndInfFlag;

// Deeper requests are refused; RTOC's are flat.
constexpr size_t max_depth = 64;

std::string_view view(const value& v) {
  return {v.GetString(), v.GetStringLength()};
}

std::string text_of(const value& v) {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

/// Python's truthiness of a JSON value.
bool truthy(const value& v) {
  if (v.IsNull())
    return false;
  if (v.IsBool())
    return v.GetBool();
  if (v.IsNumber())
    return v.GetDouble() != 0;
  if (v.IsString())
    return v.GetStringLength() > 0;
  if (v.IsArray())
    return !v.Empty();
  return v.MemberCount() > 0;
}

const value* member(const value& obj, const char* key) {
  auto i = obj.FindMember(key);
  return i == obj.MemberEnd() ? nullptr : &i->value;
}

/// A number with the text the client wrote (an integer stays one).
std::optional<number> number_of(const value& v) {
  if (!v.IsNumber())
    return std::nullopt;
  if (v.IsInt64())
    return number{static_cast<double>(v.GetInt64()),
                  std::to_string(v.GetInt64())};
  if (v.IsUint64())
    return number{static_cast<double>(v.GetUint64()),
                  std::to_string(v.GetUint64())};
  return number{v.GetDouble(), float_text(v.GetDouble())};
}

/// A scalar becomes a one-element list, as RTOC's addDataCallback does.
std::vector<const value*> as_list(const value& v) {
  std::vector<const value*> out;
  if (v.IsArray())
    for (auto& x : v.GetArray())
      out.push_back(&x);
  else
    out.push_back(&v);
  return out;
}

/// A device or signal name: non-strings become `fallback`.
std::string name_or(const value* v, const char* missing, const char* fallback) {
  if (v == nullptr || v->IsNull())
    return missing;
  if (v->IsString())
    return std::string{view(*v)};
  return fallback;
}

/// A unit: strings as they are, null as "", anything else as its text.
std::string unit_text(const value& v) {
  if (v.IsString())
    return std::string{view(v)};
  if (v.IsNull())
    return "";
  return text_of(v);
}

std::optional<data_request> parse_data(const value& msg, const value& y,
                                       double now);
std::optional<plot_request> parse_plot(const value& msg, const value& y);
std::optional<event_request> parse_event(const value& v, double now);

std::optional<data_request> parse_data(const value& msg, const value& y,
                                       double now) {
  data_request out;
  if (y.IsString()) {
    // RTOC's shortcut: y as text is an event with that text.
    event_request ev;
    ev.text = std::string{view(y)};
    ev.x = now;
    ev.id = sha1_hex(ev.sname + ev.dname + ev.text);
    out.event = std::make_shared<const event_request>(std::move(ev));
    return out;
  }
  if (y.IsObject() || y.IsNull() || y.IsBool())
    return std::nullopt;
  auto ys = as_list(y);
  std::vector<number> yv;
  yv.reserve(ys.size());
  for (auto* e : ys) {
    auto n = number_of(*e);
    if (!n)
      return std::nullopt; // float(y[i]) raises in RTOC
    yv.push_back(std::move(*n));
  }
  std::vector<number> xv;
  auto x = member(msg, "x");
  if (x == nullptr || x->IsNull() || (x->IsArray() && x->Empty())) {
    // One server timestamp shared by every value of the request.
    xv.assign(yv.size(), number{now, float_text(now)});
  } else {
    for (auto* e : as_list(*x)) {
      auto n = number_of(*e);
      if (!n)
        return std::nullopt;
      xv.push_back(std::move(*n));
    }
    if (xv.size() < yv.size())
      return std::nullopt; // x[i] raises IndexError in RTOC
  }
  auto dname = name_or(member(msg, "dname"), "noDevice", "noDevice");
  std::vector<std::string> snames;
  if (auto s = member(msg, "sname")) {
    for (auto* e : as_list(*s))
      snames.push_back(e->IsString() ? std::string{view(*e)} : "noSignal");
  } else {
    snames.push_back("");
  }
  std::vector<std::string> units;
  if (auto u = member(msg, "unit"))
    for (auto* e : as_list(*u))
      units.push_back(unit_text(*e));
  out.samples.reserve(yv.size());
  for (size_t i = 0; i < yv.size(); ++i) {
    sample s;
    s.dname = dname;
    // Each name, unit and number belongs to one value: moved, not copied.
    s.sname = i < snames.size() ? std::move(snames[i]) : "Unnamed";
    if (i < units.size())
      s.unit = std::move(units[i]);
    s.x = std::move(xv[i]);
    s.y = std::move(yv[i]);
    out.samples.push_back(std::move(s));
  }
  return out;
}

std::optional<std::vector<double>> doubles_of(const value& v) {
  std::vector<double> out;
  for (auto* e : as_list(v)) {
    if (!e->IsNumber())
      return std::nullopt;
    out.push_back(e->GetDouble());
  }
  return out;
}

std::optional<plot_request> parse_plot(const value& msg, const value& y) {
  plot_request out;
  out.dname = name_or(member(msg, "dname"), "noDevice", "noDevice");
  // RTOC wants a string; the docs show a one-element list: take both.
  out.sname = "noSignal";
  if (auto s = member(msg, "sname")) {
    if (s->IsString())
      out.sname = std::string{view(*s)};
    else if (s->IsArray() && s->Size() == 1 && (*s)[0].IsString())
      out.sname = std::string{view((*s)[0])};
  }
  if (auto u = member(msg, "unit")) {
    if (u->IsArray())
      out.unit = u->Empty() ? "" : unit_text((*u)[u->Size() - 1]);
    else
      out.unit = unit_text(*u);
  }
  if (y.IsObject() || y.IsString() || y.IsNull() || y.IsBool())
    return std::nullopt;
  auto yv = doubles_of(y);
  if (!yv)
    return std::nullopt;
  std::vector<double> xv;
  auto x = member(msg, "x");
  if (x != nullptr && !x->IsNull()) {
    auto parsed = doubles_of(*x);
    if (!parsed)
      return std::nullopt;
    xv = std::move(*parsed);
  }
  if (yv->empty()) {
    // RTOC: y == [] plots x over its indices.
    yv = std::move(xv);
    xv.clear();
  }
  if (x == nullptr || x->IsNull() || xv.empty()) {
    // The docs promise indices when x is missing (RTOC raised instead).
    xv.clear();
    for (size_t i = 0; i < yv->size(); ++i)
      xv.push_back(static_cast<double>(i));
  }
  out.stored = xv.size() == yv->size();
  if (out.stored) {
    out.x = std::move(xv);
    out.y = std::move(*yv);
  }
  return out;
}

std::optional<event_request> parse_event(const value& v, double now) {
  // RTOC's addNewEvent(text, sname, dname, x, priority, id, value).
  static constexpr const char* keys[] = {"text",     "sname", "dname", "x",
                                         "priority", "id",    "value"};
  const value* field[7] = {};
  if (v.IsArray()) {
    if (v.Size() > 7)
      return std::nullopt; // too many positional arguments
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      field[i] = &v[i];
  } else if (v.IsObject()) {
    for (auto& m : v.GetObject()) {
      bool known = false;
      for (size_t i = 0; i < 7; ++i)
        if (view(m.name) == keys[i]) {
          field[i] = &m.value;
          known = true;
        }
      if (!known)
        return std::nullopt; // an unexpected keyword argument
    }
  } else {
    return std::nullopt;
  }
  event_request ev;
  if (field[0] != nullptr)
    ev.text = field[0]->IsString() ? std::string{view(*field[0])}
                                   : text_of(*field[0]);
  ev.sname = name_or(field[1], "noName", "noSignal");
  ev.dname = name_or(field[2], "noDevice", "noDevice");
  ev.x = now;
  if (field[3] != nullptr && !field[3]->IsNull()) {
    if (!field[3]->IsNumber())
      return std::nullopt;
    ev.x = field[3]->GetDouble();
  }
  if (field[4] != nullptr && field[4]->IsInt() && field[4]->GetInt() >= 0 &&
      field[4]->GetInt() <= 2)
    ev.priority = field[4]->GetInt();
  if (field[5] != nullptr && !field[5]->IsNull())
    ev.id = field[5]->IsString() ? std::string{view(*field[5])}
                                 : text_of(*field[5]);
  else
    ev.id = sha1_hex(ev.sname + ev.dname + ev.text);
  if (field[6] != nullptr)
    ev.value_json = text_of(*field[6]);
  return ev;
}

std::optional<subscription> parse_subscription(const value& v) {
  if (!v.IsArray() || v.Size() != 2 || !v[0].IsString() || !v[1].IsString())
    return std::nullopt;
  auto kind = view(v[0]);
  if (kind != "signal" && kind != "device")
    return std::nullopt;
  return subscription{kind == "device", std::string{view(v[1])}};
}

std::string parse_all_kind(const value& v) {
  if (v.IsBool() && v.GetBool())
    return "signal"; // the docs' `true`: every signal
  if (v.IsString() && (view(v) == "signal" || view(v) == "device"))
    return std::string{view(v)};
  return ""; // RTOC ignores anything else
}

std::optional<std::vector<std::string>> string_list(const value& v) {
  if (!v.IsArray())
    return std::nullopt;
  std::vector<std::string> out;
  for (auto& e : v.GetArray()) {
    if (!e.IsString())
      return std::nullopt;
    out.emplace_back(view(e));
  }
  return out;
}

/// A number field of a getSignal dict: false when present but no number.
bool read_bound(const value& obj, const char* key, bool& has, double& out) {
  auto v = member(obj, key);
  if (v == nullptr || v->IsNull())
    return true;
  if (!v->IsNumber())
    return false;
  has = true;
  out = v->GetDouble();
  return true;
}

std::optional<signal_request> parse_get_signal(const value& v) {
  signal_request out;
  if (v.IsString() && view(v) == "all") {
    out.all = true;
    return out;
  }
  if (v.IsArray()) {
    auto names = string_list(v);
    if (!names)
      return std::nullopt;
    out.names = std::move(*names);
    return out;
  }
  if (!v.IsObject())
    return std::nullopt;
  auto dname = member(v, "dname");
  auto sname = member(v, "sname");
  if (dname == nullptr || sname == nullptr || !dname->IsString() ||
      !sname->IsString()) {
    out.incomplete_query = true;
    return out;
  }
  signal_dict q;
  q.name = std::string{view(*dname)} + "." + std::string{view(*sname)};
  auto& w = q.window;
  if (!read_bound(v, "xmin", w.has_xmin, w.xmin) ||
      !read_bound(v, "xmax", w.has_xmax, w.xmax))
    return std::nullopt;
  if (auto n = member(v, "maxN"); n != nullptr && !n->IsNull()) {
    if (!n->IsNumber() || n->GetDouble() < 0)
      return std::nullopt;
    w.max_n = static_cast<uint64_t>(n->GetDouble());
  }
  if (auto db = member(v, "database"))
    w.database = truthy(*db);
  out.query = std::move(q);
  return out;
}

std::optional<remove_request> parse_remove(const value& v) {
  if (!v.IsArray() || v.Size() > 2)
    return std::nullopt;
  remove_request out;
  if (v.Size() >= 1) {
    if (!v[0].IsArray())
      return std::nullopt;
    for (auto& e : v[0].GetArray()) {
      if (e.IsInt64())
        out.signals.emplace_back(e.GetInt64());
      else if (e.IsString())
        out.signals.emplace_back(std::string{view(e)});
      else
        return std::nullopt;
    }
  }
  if (v.Size() == 2) {
    if (!v[1].IsArray())
      return std::nullopt;
    for (auto& e : v[1].GetArray()) {
      if (!e.IsInt64())
        return std::nullopt;
      out.events.push_back(e.GetInt64());
    }
  }
  return out;
}

/// Handles the keys in RTOC's order; false for a key of the wrong shape.
bool parse_keys(const value& msg, double now, request& out) {
  if (auto v = member(msg, "authorize"))
    out.authorize = v->IsString() ? std::string{view(*v)} : text_of(*v);
  if (auto y = member(msg, "y")) {
    auto plot = member(msg, "plot");
    if (plot != nullptr && truthy(*plot)) {
      if (!(out.plot = parse_plot(msg, *y)))
        return false;
    } else if (!(out.data = parse_data(msg, *y, now))) {
      return false;
    }
  }
  out.get_signal_list = member(msg, "getSignalList") != nullptr;
  out.get_plugin_list = member(msg, "getPluginList") != nullptr;
  if (auto v = member(msg, "event"))
    if (!(out.event = parse_event(*v, now)))
      return false;
  if (auto v = member(msg, "subscribe"))
    if (!(out.subscribe = parse_subscription(*v)))
      return false;
  if (auto v = member(msg, "unsubscribe"))
    if (!(out.unsubscribe = parse_subscription(*v)))
      return false;
  if (auto v = member(msg, "subscribeAll"))
    out.subscribe_all = parse_all_kind(*v);
  if (auto v = member(msg, "unsubscribeAll"))
    out.unsubscribe_all = parse_all_kind(*v);
  out.get_event_list = member(msg, "getEventList") != nullptr;
  if (auto v = member(msg, "getEvent"))
    if (!(out.get_event = string_list(*v)))
      return false;
  if (auto v = member(msg, "getSignal"))
    if (!(out.get_signal = parse_get_signal(*v)))
      return false;
  if (auto v = member(msg, "getLatest")) {
    latest_request latest;
    if (v->IsBool() && v->GetBool()) {
      latest.all = true;
    } else if (v->IsArray()) {
      auto names = string_list(*v);
      if (!names)
        return false;
      latest.names = std::move(*names);
    }
    out.get_latest = std::move(latest);
  }
  out.get_session = member(msg, "getSession") != nullptr;
  if (auto v = member(msg, "remove"))
    if (!(out.remove = parse_remove(*v)))
      return false;
  if (auto v = member(msg, "plugin")) {
    if (!v->IsObject())
      return false;
    out.plugin_json = text_of(*v);
  }
  if (auto v = member(msg, "logger")) {
    if (!v->IsObject())
      return false;
    logger_request lr;
    for (auto& m : v->GetObject())
      lr.items.push_back({std::string{view(m.name)}, text_of(m.value)});
    out.logger = std::move(lr);
  }
  if (auto v = member(msg, "userAction")) {
    if (!v->IsString())
      return false;
    out.user_action = std::string{view(*v)};
  }
  if (auto v = member(msg, "automation")) {
    if (!v->IsObject())
      return false;
    out.automation_json = text_of(*v);
  }
  return true;
}

void write_string(writer_type& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_key(writer_type& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_raw(writer_type& w, std::string_view json) {
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

void write_doubles(writer_type& w, const std::vector<double>& xs) {
  w.StartArray();
  for (auto x : xs)
    w.Double(x);
  w.EndArray();
}

/// [dname, sname, evID, text, x, value, priority, id]
void write_event_row(writer_type& w, const event_view& e) {
  w.StartArray();
  write_string(w, e.dname);
  write_string(w, e.sname);
  w.Int64(e.event_id);
  write_string(w, e.text);
  w.Double(e.x);
  write_raw(w, e.value_json);
  w.Int(e.priority);
  write_string(w, e.id);
  w.EndArray();
}

std::string finish_buffer(const rapidjson::StringBuffer& buf) {
  return {buf.GetString(), buf.GetSize()};
}

std::string write_session(const session_view& x) {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
  w.StartObject();
  w.Key("maxLength");
  w.Uint64(x.max_length);
  w.Key("signals");
  w.StartObject();
  for (auto& s : x.signals) {
    write_key(w, std::to_string(s.id));
    w.StartArray();
    w.Int64(s.device_id);
    auto names = split_name(s.name);
    write_string(w, names ? names->second : s.name);
    write_doubles(w, s.x);
    write_doubles(w, s.y);
    write_string(w, s.unit);
    w.EndArray();
  }
  w.EndObject();
  w.Key("events");
  w.StartObject();
  for (auto& e : x.events) {
    write_key(w, std::to_string(e.event_id));
    // The session's own row form: [devID, sigID, evID, text, x, value,
    // priority, id].
    w.StartArray();
    w.Int64(e.device_id);
    w.Int64(e.signal_id);
    w.Int64(e.event_id);
    write_string(w, e.text);
    w.Double(e.x);
    write_raw(w, e.value_json);
    w.Int(e.priority);
    write_string(w, e.id);
    w.EndArray();
  }
  w.EndObject();
  w.Key("devices");
  w.StartObject();
  for (auto& d : x.devices) {
    write_key(w, std::to_string(d.id));
    write_string(w, d.name);
  }
  w.EndObject();
  w.EndObject();
  return finish_buffer(buf);
}

/// RTOC's answer to one sub-key of a request to an unknown plugin.
void write_plugin_answer(writer_type& w, std::string_view plugin,
                         std::string_view key) {
  if (key == "start") {
    w.StartArray();
    w.Bool(false);
    write_string(w, "PLUGIN not found: '" + std::string{plugin} + "'\n");
    w.EndArray();
  } else if (key == "stop") {
    w.Bool(true);
  } else if (key.size() >= 2 && key.substr(key.size() - 2) == "()") {
    w.StartArray();
    w.Bool(false);
    write_string(w, "Plugin " + std::string{plugin} + " not found or started");
    w.EndArray();
  } else {
    w.Bool(false);
  }
}

} // namespace

// -- parsing
// --------------------------------------------------------------------

std::optional<request> parse_request(std::string_view text, double now) {
  if (!json::unparsable_for_rapidjson(text).empty() ||
      json::nesting_depth(text) > max_depth)
    return std::nullopt;
  rapidjson::Document doc;
  json::parse<parse_flags>(doc, text);
  if (doc.HasParseError() || !doc.IsObject() || doc.MemberCount() == 0)
    return std::nullopt;
  request out;
  if (!parse_keys(doc, now, out))
    return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>>
parse_string_list(std::string_view json) {
  rapidjson::Document doc;
  json::parse<parse_flags>(doc, json);
  if (doc.HasParseError())
    return std::nullopt;
  return string_list(doc);
}

std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0F];
  }
  return out;
}

std::optional<std::pair<std::string, std::string>>
split_name(std::string_view name) {
  auto dot = name.find('.');
  if (dot == std::string_view::npos)
    return std::nullopt;
  return std::make_pair(std::string{name.substr(0, dot)},
                        std::string{name.substr(dot + 1)});
}

// -- writing
// --------------------------------------------------------------------

std::string float_text(double x) {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
  w.Double(x);
  return finish_buffer(buf);
}

struct reply_writer::impl {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
};

reply_writer::reply_writer() : impl_(new impl) {
  impl_->w.StartObject();
  impl_->w.Key("error");
  impl_->w.Bool(false);
}

reply_writer::~reply_writer() {
  delete impl_;
}

void reply_writer::sent() {
  impl_->w.Key("sent");
  impl_->w.Bool(true);
}

void reply_writer::signal_list(
    const std::vector<std::pair<std::string, std::string>>& xs) {
  auto& w = impl_->w;
  w.Key("signalList");
  w.StartArray();
  for (auto& [dev, sig] : xs) {
    w.StartArray();
    write_string(w, dev);
    write_string(w, sig);
    w.EndArray();
  }
  w.EndArray();
}

void reply_writer::plugin_list() {
  impl_->w.Key("pluginList");
  impl_->w.StartObject();
  impl_->w.EndObject();
}

void reply_writer::events(const std::vector<event_view>& xs) {
  auto& w = impl_->w;
  w.Key("events");
  w.StartObject();
  for (auto& e : xs) {
    write_key(w, std::to_string(e.event_id));
    write_event_row(w, e);
  }
  w.EndObject();
}

void reply_writer::events_by_signal(
    const std::vector<std::pair<std::string, std::vector<event_view>>>& xs) {
  auto& w = impl_->w;
  w.Key("events");
  w.StartObject();
  for (auto& [name, events] : xs) {
    write_key(w, name);
    w.StartArray();
    for (auto& e : events)
      write_event_row(w, e);
    w.EndArray();
  }
  w.EndObject();
}

void reply_writer::signals(const std::vector<signal_view>& xs) {
  auto& w = impl_->w;
  w.Key("signals");
  w.StartObject();
  for (auto& s : xs) {
    write_key(w, s.name);
    w.StartArray();
    write_doubles(w, s.x);
    write_doubles(w, s.y);
    write_string(w, s.unit);
    w.Int64(s.id);
    w.Double(s.xmin);
    w.Double(s.xmax);
    w.EndArray();
  }
  w.EndObject();
}

void reply_writer::signals_false() {
  impl_->w.Key("signals");
  impl_->w.Bool(false);
}

void reply_writer::latest_all(const std::vector<latest_view>& xs) {
  auto& w = impl_->w;
  w.Key("latest");
  w.StartObject();
  for (auto& l : xs) {
    write_key(w, l.name);
    w.StartArray();
    w.Double(l.x);
    w.Double(l.y);
    write_string(w, l.unit);
    w.Int64(l.id);
    w.Double(l.first_x);
    w.Double(l.last_x);
    w.EndArray();
  }
  w.EndObject();
}

void reply_writer::latest_selected(const std::vector<latest_view>& xs) {
  auto& w = impl_->w;
  w.Key("latest");
  w.StartObject();
  for (auto& l : xs) {
    write_key(w, l.name);
    w.StartArray();
    w.Double(l.x);
    w.Double(l.y);
    write_string(w, l.unit);
    w.EndArray();
  }
  w.EndObject();
}

void reply_writer::session(const session_view& x) {
  // RTWebsocketClient reads "session"; docs/WEBSOCKET.rst says
  // "getSession": both, the same object.
  auto text = write_session(x);
  impl_->w.Key("session");
  write_raw(impl_->w, text);
  impl_->w.Key("getSession");
  write_raw(impl_->w, text);
}

void reply_writer::removed(uint64_t signals, uint64_t events) {
  auto& w = impl_->w;
  w.Key("remove");
  w.StartArray();
  w.Uint64(signals);
  w.Uint64(events);
  w.EndArray();
}

void reply_writer::plugin_not_found(std::string_view plugin_json) {
  rapidjson::Document doc;
  json::parse<parse_flags>(doc, plugin_json);
  auto& w = impl_->w;
  w.Key("plugin");
  w.StartObject();
  if (doc.IsObject()) {
    for (auto& p : doc.GetObject()) {
      w.Key(p.name.GetString(), p.name.GetStringLength());
      if (!p.value.IsObject()) {
        w.Bool(false);
        continue;
      }
      w.StartObject();
      for (auto& k : p.value.GetObject()) {
        w.Key(k.name.GetString(), k.name.GetStringLength());
        write_plugin_answer(w, view(p.name), view(k.name));
      }
      w.EndObject();
    }
  }
  w.EndObject();
}

void reply_writer::logger(
    const std::vector<std::pair<std::string, std::string>>& xs) {
  auto& w = impl_->w;
  w.Key("logger");
  w.StartObject();
  for (auto& [key, answer] : xs) {
    write_key(w, key);
    write_raw(w, answer);
  }
  w.EndObject();
}

void reply_writer::user_action_unknown(std::string_view name) {
  auto& w = impl_->w;
  w.Key("userAction");
  w.StartObject();
  w.Key("name");
  write_string(w, name);
  w.Key("success");
  w.Bool(false);
  w.Key("type");
  w.String("text");
  w.Key("data");
  w.String("Action is incorrect");
  w.EndObject();
}

void reply_writer::automation_empty() {
  auto& w = impl_->w;
  w.Key("automation");
  w.StartObject();
  w.Key("events");
  w.StartObject();
  w.EndObject();
  w.Key("actions");
  w.StartObject();
  w.EndObject();
  w.Key("active");
  w.StartObject();
  w.Key("events");
  w.Bool(false);
  w.Key("actions");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
}

std::string reply_writer::finish() {
  impl_->w.EndObject();
  return finish_buffer(impl_->buf);
}

std::string error_reply() {
  return R"({"error":true})";
}

std::string authorized_reply(bool yes) {
  return yes ? R"({"authorized":true})" : R"({"authorized":false})";
}

std::string newconnected_push() {
  return R"({"client":"newconnected"})";
}

std::string sample_push(const sample& s, int64_t signal_id) {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
  w.StartObject();
  w.Key("signal");
  w.StartObject();
  w.Key("x");
  w.StartArray();
  w.RawValue(s.x.text.data(), s.x.text.size(), rapidjson::kNumberType);
  w.EndArray();
  w.Key("y");
  w.StartArray();
  w.RawValue(s.y.text.data(), s.y.text.size(), rapidjson::kNumberType);
  w.EndArray();
  w.Key("unit");
  write_string(w, s.unit);
  w.Key("dname");
  write_string(w, s.dname);
  w.Key("sname");
  write_string(w, s.sname);
  w.Key("id");
  w.Int64(signal_id);
  w.EndObject();
  w.EndObject();
  return finish_buffer(buf);
}

std::string new_signal_push(std::string_view dname, std::string_view sname,
                            int64_t signal_id) {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
  w.StartObject();
  w.Key("signal");
  w.StartObject();
  w.Key("x");
  w.StartArray();
  w.EndArray();
  w.Key("y");
  w.StartArray();
  w.EndArray();
  w.Key("unit");
  w.Null();
  w.Key("dname");
  write_string(w, dname);
  w.Key("sname");
  write_string(w, sname);
  w.Key("id");
  w.Int64(signal_id);
  w.EndObject();
  w.EndObject();
  return finish_buffer(buf);
}

std::string event_push(const event_view& e) {
  rapidjson::StringBuffer buf;
  writer_type w{buf};
  w.StartObject();
  w.Key("event");
  w.StartObject();
  w.Key("x");
  w.Double(e.x);
  w.Key("text");
  write_string(w, e.text);
  w.Key("dname");
  write_string(w, e.dname);
  w.Key("sname");
  write_string(w, e.sname);
  w.Key("priority");
  w.Int(e.priority);
  w.Key("value");
  write_raw(w, e.value_json);
  w.Key("id");
  write_string(w, e.id);
  w.Key("eventId");
  w.Int64(e.event_id);
  w.EndObject();
  w.EndObject();
  return finish_buffer(buf);
}

} // namespace signalbox::rtoc
