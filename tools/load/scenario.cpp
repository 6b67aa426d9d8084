#include "tools/load/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace signalbox::load {

const std::vector<std::string> latency_metrics = {
    "ttm_delivery",  "rest_write", "sio_command_do", "sio_command_ok",
    "jmri_delivery", "rtoc_write", "rtoc_delivery"};

namespace {

using json = rapidjson::Value;

[[noreturn]] void fail(const std::string& field, const std::string& what) {
  throw scenario_error{field + ": " + what};
}

// Unknown fields are errors: a typo ("durtion_ms") would otherwise silently
// run the default.
void only_fields(const json& obj, const std::string& where,
                 std::set<std::string> allowed) {
  for (auto& m : obj.GetObject()) {
    std::string name = m.name.GetString();
    if (allowed.count(name) == 0)
      fail(where.empty() ? name : where + "." + name, "unknown field");
  }
}

const json* member(const json& obj, const char* name) {
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::string path(const std::string& where, const char* name) {
  return where.empty() ? name : where + "." + name;
}

double number(const json& obj, const std::string& where, const char* name,
              double def, double min, double max) {
  auto* v = member(obj, name);
  if (!v)
    return def;
  if (!v->IsNumber() || !std::isfinite(v->GetDouble()) ||
      v->GetDouble() < min || v->GetDouble() > max) {
    std::ostringstream os;
    os << "must be a number in [" << min << ", " << max << "]";
    fail(path(where, name), os.str());
  }
  return v->GetDouble();
}

uint64_t integer(const json& obj, const std::string& where, const char* name,
                 uint64_t def, uint64_t min, uint64_t max) {
  auto* v = member(obj, name);
  if (!v)
    return def;
  if (!v->IsUint64() || v->GetUint64() < min || v->GetUint64() > max)
    fail(path(where, name), "must be an integer in [" + std::to_string(min) +
                                ", " + std::to_string(max) + "]");
  return v->GetUint64();
}

std::string text(const json& obj, const std::string& where, const char* name,
                 std::string def) {
  auto* v = member(obj, name);
  if (!v)
    return def;
  if (!v->IsString() || v->GetStringLength() == 0)
    fail(path(where, name), "must be a non-empty string");
  return v->GetString();
}

bool boolean(const json& obj, const std::string& where, const char* name,
             bool def) {
  auto* v = member(obj, name);
  if (!v)
    return def;
  if (!v->IsBool())
    fail(path(where, name), "must be true or false");
  return v->GetBool();
}

// Keys and line names go into URL paths unencoded.
bool path_safe(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_' || c == '.';
  });
}

void parse_flooder(const json& g, const std::string& where, client_group& out) {
  if (!member(g, "interface"))
    fail(path(where, "interface"), "is required");
  std::string interface = text(g, where, "interface", "");
  if (interface == "jmri_tcp")
    out.interface = flooder_interface::jmri_tcp;
  else if (interface == "jmri_ws")
    out.interface = flooder_interface::jmri_ws;
  else if (interface == "rtoc")
    out.interface = flooder_interface::rtoc;
  else if (interface == "realdds")
    out.interface = flooder_interface::realdds;
  else
    fail(path(where, "interface"),
         R"(must be "jmri_tcp", "jmri_ws", "rtoc" or "realdds")");
  out.reads = boolean(g, where, "reads", true);
  // As for the RTOC and realdds groups, whose clients share the scenario's
  // one node for those interfaces.
  bool jmri = out.interface == flooder_interface::jmri_tcp ||
              out.interface == flooder_interface::jmri_ws;
  if (!jmri && member(g, "port"))
    fail(path(where, "port"), R"(applies to interface "jmri_tcp" and )"
                              R"("jmri_ws" only)");
}

client_group parse_group(const json& g, const std::string& where) {
  if (!g.IsObject())
    fail(where, "must be an object");
  client_group out;
  std::string type = text(g, where, "type", "");
  if (type == "ttm_subscriber") {
    out.type = client_type::ttm_subscriber;
    only_fields(g, where, {"type", "count", "port"});
  } else if (type == "realdds_subscriber") {
    out.type = client_type::realdds_subscriber;
    only_fields(g, where, {"type", "count"});
  } else if (type == "rest_writer") {
    out.type = client_type::rest_writer;
    only_fields(g, where,
                {"type", "count", "rate", "target", "key", "persistent",
                 "gpios", "port"});
  } else if (type == "sio_user") {
    out.type = client_type::sio_user;
    only_fields(g, where, {"type", "count", "rate", "port"});
  } else if (type == "sio_monitor") {
    out.type = client_type::sio_monitor;
    only_fields(g, where, {"type", "count", "think_ms", "port"});
  } else if (type == "jmri_client") {
    out.type = client_type::jmri_client;
    only_fields(g, where, {"type", "count", "transport", "port"});
  } else if (type == "rtoc_writer") {
    out.type = client_type::rtoc_writer;
    only_fields(g, where,
                {"type", "count", "rate", "batch", "signals", "window",
                 "samples", "password", "aes"});
  } else if (type == "rtoc_subscriber") {
    out.type = client_type::rtoc_subscriber;
    only_fields(g, where, {"type", "count", "password", "aes"});
  } else if (type == "flooder") {
    out.type = client_type::flooder;
    only_fields(g, where, {"type", "count", "interface", "reads", "port"});
  } else {
    fail(path(where, "type"),
         "must be one of ttm_subscriber, realdds_subscriber, rest_writer, "
         "sio_user, sio_monitor, jmri_client, rtoc_writer, rtoc_subscriber, "
         "flooder");
  }
  if (!member(g, "count"))
    fail(path(where, "count"), "is required");
  out.count = static_cast<uint32_t>(integer(g, where, "count", 0, 1, 100000));
  out.port = static_cast<uint16_t>(integer(g, where, "port", 0, 1, 65535));
  if (out.type == client_type::rest_writer ||
      out.type == client_type::sio_user) {
    if (!member(g, "rate"))
      fail(path(where, "rate"), "is required");
    out.rate = number(g, where, "rate", 0, 0.001, 100000);
  }
  if (out.type == client_type::rtoc_writer) {
    // 0: as fast as the window of requests in flight allows.
    out.rate = number(g, where, "rate", 0, 0, 100000);
    out.batch = static_cast<uint32_t>(integer(g, where, "batch", 1, 1, 10000));
    out.signals =
        static_cast<uint32_t>(integer(g, where, "signals", 1, 1, 1000));
    if (out.signals > out.batch)
      fail(path(where, "signals"),
           "must not exceed batch: a request carries one value per signal "
           "at least");
    out.window = static_cast<uint32_t>(integer(g, where, "window", 1, 1, 1000));
    out.samples = integer(g, where, "samples", 0, 0, uint64_t{1} << 40);
  }
  if (out.type == client_type::rtoc_writer ||
      out.type == client_type::rtoc_subscriber) {
    if (auto* pw = member(g, "password")) {
      // An empty password is RTOC's "none": allowed, unlike other texts.
      if (!pw->IsString())
        fail(path(where, "password"), "must be a string");
      out.password = pw->GetString();
    }
    out.aes = boolean(g, where, "aes", !out.password.empty());
    if (out.aes && out.password.empty())
      fail(path(where, "aes"), "needs a password (the AES key comes from it)");
  }
  out.think_ms =
      static_cast<uint32_t>(integer(g, where, "think_ms", 0, 0, 60000));
  if (out.type == client_type::rest_writer) {
    std::string target = text(g, where, "target", "value");
    if (target == "value")
      out.target = write_target::value;
    else if (target == "gpio")
      out.target = write_target::gpio;
    else if (target == "message")
      out.target = write_target::message;
    else
      fail(path(where, "target"), "must be \"value\", \"gpio\" or \"message\"");
    out.key = text(g, where, "key", "");
    if (!path_safe(out.key))
      fail(path(where, "key"), "may hold only letters, digits, - _ .");
    out.persistent = boolean(g, where, "persistent", false);
    if (auto* gp = member(g, "gpios")) {
      if (!gp->IsArray())
        fail(path(where, "gpios"), "must be an array of line names");
      for (rapidjson::SizeType i = 0; i < gp->Size(); ++i) {
        auto field = path(where, "gpios") + "[" + std::to_string(i) + "]";
        auto& line = (*gp)[i];
        if (!line.IsString() || line.GetStringLength() == 0 ||
            !path_safe(line.GetString()))
          fail(field, "must be a line name (letters, digits, - _ .)");
        out.gpios.emplace_back(line.GetString());
      }
    }
    if (out.target == write_target::gpio) {
      // Two writers on one line would each write values the line already
      // has, which the node does not report: no expected count then.
      if (out.gpios.size() != out.count)
        fail(path(where, "gpios"),
             "needs exactly one output line per writer (count " +
                 std::to_string(out.count) + ")");
      std::set<std::string> unique(out.gpios.begin(), out.gpios.end());
      if (unique.size() != out.gpios.size())
        fail(path(where, "gpios"), "must not name a line twice");
      if (!out.key.empty())
        fail(path(where, "key"), "applies to target \"value\" only");
    } else if (!out.gpios.empty()) {
      fail(path(where, "gpios"), "applies to target \"gpio\" only");
    }
    if (out.target == write_target::message) {
      // A message is not stored: nothing to name or to make durable.
      if (!out.key.empty())
        fail(path(where, "key"), "applies to target \"value\" only");
      if (member(g, "persistent"))
        fail(path(where, "persistent"), "applies to target \"value\" only");
    }
  }
  if (out.type == client_type::jmri_client) {
    std::string transport = text(g, where, "transport", "ws");
    if (transport == "ws")
      out.transport = jmri_transport::ws;
    else if (transport == "tcp")
      out.transport = jmri_transport::tcp;
    else
      fail(path(where, "transport"), "must be \"ws\" or \"tcp\"");
  }
  if (out.type == client_type::flooder)
    parse_flooder(g, where, out);
  return out;
}

std::string metric_list() {
  std::string out;
  for (auto& m : latency_metrics)
    out += (out.empty() ? "" : ", ") + m;
  return out;
}

assertions parse_assertions(const json& a) {
  const std::string where = "assert";
  if (!a.IsObject())
    fail(where, "must be an object");
  only_fields(a, where,
              {"max_lost", "max_out_of_order", "max_failed_connections",
               "max_failed_requests", "all_commands_finished", "max_p99_us",
               "min_delivered_per_second", "max_flooders_closed"});
  assertions out;
  constexpr uint64_t big = uint64_t{1} << 53;
  auto opt = [&](const char* name) -> std::optional<uint64_t> {
    if (!member(a, name))
      return std::nullopt;
    return integer(a, where, name, 0, 0, big);
  };
  out.max_lost = opt("max_lost");
  out.max_out_of_order = opt("max_out_of_order");
  out.max_failed_connections = opt("max_failed_connections");
  out.max_failed_requests = opt("max_failed_requests");
  out.max_flooders_closed = opt("max_flooders_closed");
  out.all_commands_finished = boolean(a, where, "all_commands_finished", false);
  if (member(a, "min_delivered_per_second"))
    out.min_delivered_per_second =
        number(a, where, "min_delivered_per_second", 0, 0, 1e12);
  if (auto* p = member(a, "max_p99_us")) {
    std::string field = path(where, "max_p99_us");
    if (!p->IsObject())
      fail(field, "must be an object {metric: microseconds}");
    for (auto& m : p->GetObject()) {
      std::string name = m.name.GetString();
      if (std::find(latency_metrics.begin(), latency_metrics.end(), name) ==
          latency_metrics.end())
        fail(field + "." + name, "unknown metric (" + metric_list() + ")");
      out.max_p99_us[name] = integer(*p, field, name.c_str(), 0, 0, big);
    }
  }
  return out;
}

} // namespace

uint32_t scenario::count_of(client_type type) const {
  return count_where([type](const client_group& g) { return g.type == type; });
}

uint32_t scenario::writers_of(write_target target) const {
  return count_where([target](const client_group& g) {
    return g.type == client_type::rest_writer && g.target == target;
  });
}

uint32_t scenario::jmri_clients_over(jmri_transport transport) const {
  return count_where([transport](const client_group& g) {
    return g.type == client_type::jmri_client && g.transport == transport;
  });
}

scenario parse_scenario(const std::string& text_in,
                        const std::string& default_name) {
  rapidjson::Document doc;
  doc.Parse(text_in.c_str(), text_in.size());
  if (doc.HasParseError())
    throw scenario_error{"invalid JSON at offset " +
                         std::to_string(doc.GetErrorOffset()) + ": " +
                         rapidjson::GetParseError_En(doc.GetParseError())};
  if (!doc.IsObject())
    throw scenario_error{"the scenario must be a JSON object"};
  only_fields(doc, "",
              {"name", "host", "ttm_port", "socketio_port", "jmri_port",
               "jmri_tcp_port", "rtoc_port", "realdds_port", "connect_rate",
               "connect_timeout_ms", "duration_ms", "drain_ms", "clients",
               "assert"});
  scenario s;
  s.name = text(doc, "", "name", default_name);
  s.host = text(doc, "", "host", s.host);
  s.ttm_port =
      static_cast<uint16_t>(integer(doc, "", "ttm_port", 1777, 1, 65535));
  s.socketio_port =
      static_cast<uint16_t>(integer(doc, "", "socketio_port", 5000, 1, 65535));
  s.jmri_port =
      static_cast<uint16_t>(integer(doc, "", "jmri_port", 12080, 1, 65535));
  s.jmri_tcp_port =
      static_cast<uint16_t>(integer(doc, "", "jmri_tcp_port", 2056, 1, 65535));
  s.rtoc_port =
      static_cast<uint16_t>(integer(doc, "", "rtoc_port", 5050, 1, 65535));
  s.realdds_port =
      static_cast<uint16_t>(integer(doc, "", "realdds_port", 5151, 1, 65535));
  s.connect_rate = number(doc, "", "connect_rate", 0, 0, 1e6);
  s.connect_timeout_ms = static_cast<uint32_t>(
      integer(doc, "", "connect_timeout_ms", 10000, 1, 3600000));
  s.duration_ms =
      static_cast<uint32_t>(integer(doc, "", "duration_ms", 3000, 1, 86400000));
  s.drain_ms =
      static_cast<uint32_t>(integer(doc, "", "drain_ms", 5000, 0, 3600000));
  auto* clients = member(doc, "clients");
  if (!clients)
    fail("clients", "is required");
  if (!clients->IsArray() || clients->Empty())
    fail("clients", "must be a non-empty array of client groups");
  for (rapidjson::SizeType i = 0; i < clients->Size(); ++i)
    s.clients.push_back(
        parse_group((*clients)[i], "clients[" + std::to_string(i) + "]"));
  if (s.count_of(client_type::rtoc_subscriber) > 0 &&
      s.count_of(client_type::rtoc_writer) == 0)
    fail("clients", "rtoc_subscriber needs at least one rtoc_writer to hear");
  if (s.count_of(client_type::sio_user) > 0 &&
      s.count_of(client_type::sio_monitor) == 0)
    fail("clients", "sio_user needs at least one sio_monitor to talk to");
  std::set<std::string> lines;
  for (auto& g : s.clients)
    for (auto& line : g.gpios)
      if (!lines.insert(line).second)
        fail("clients", "gpio line \"" + line + "\" is written by two groups");
  if (auto* a = member(doc, "assert"))
    s.checks = parse_assertions(*a);
  return s;
}

scenario load_scenario(const std::string& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    throw scenario_error{file + ": cannot be read"};
  std::ostringstream buf;
  buf << in.rdbuf();
  auto name = file.substr(file.find_last_of('/') + 1);
  if (auto dot = name.rfind('.'); dot != std::string::npos && dot > 0)
    name.erase(dot);
  try {
    return parse_scenario(buf.str(), name);
  } catch (const scenario_error& e) {
    throw scenario_error{file + ": " + e.what()};
  }
}

const char* to_string(client_type type) {
  switch (type) {
  case client_type::ttm_subscriber:
    return "ttm_subscriber";
  case client_type::rest_writer:
    return "rest_writer";
  case client_type::sio_user:
    return "sio_user";
  case client_type::sio_monitor:
    return "sio_monitor";
  case client_type::jmri_client:
    return "jmri_client";
  case client_type::rtoc_writer:
    return "rtoc_writer";
  case client_type::rtoc_subscriber:
    return "rtoc_subscriber";
  case client_type::realdds_subscriber:
    return "realdds_subscriber";
  case client_type::flooder:
    return "flooder";
  }
  return "?";
}

const char* to_string(flooder_interface interface) {
  switch (interface) {
  case flooder_interface::jmri_tcp:
    return "jmri_tcp";
  case flooder_interface::jmri_ws:
    return "jmri_ws";
  case flooder_interface::rtoc:
    return "rtoc";
  case flooder_interface::realdds:
    return "realdds";
  }
  return "?";
}

} // namespace signalbox::load
