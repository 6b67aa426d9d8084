#include "protocols/ttmnotify/codec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/http/subprotocol_codec.hpp"

namespace signalbox::ttmnotify {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(json_writer& w, const std::string& str) {
  w.String(str.data(), static_cast<rapidjson::SizeType>(str.size()));
}

void encode_event(json_writer& w, const job_list_changed& x) {
  w.Key("cmd");
  w.String("refresh");
  w.Key("reason");
  w.String(x.added ? "newjob" : "jobremoved");
  w.Key("jobid");
  w.Uint64(x.job_id);
}

void encode_event(json_writer& w, const job_status_changed& x) {
  w.Key("cmd");
  w.String("updatejob");
  w.Key("jobid");
  w.Uint64(x.job_id);
  w.Key("status");
  w.Int(static_cast<int>(x.status));
}

void encode_event(json_writer& w, const gpio_changed& x) {
  w.Key("cmd");
  w.String("gpioupdate");
  w.Key("gpio");
  write_string(w, x.name);
  w.Key("value");
  w.Int(x.value);
}

void encode_event(json_writer& w, const value_changed& x) {
  w.Key("cmd");
  w.String("dbchange");
  w.Key("key");
  write_string(w, x.key);
  w.Key("value");
  if (x.reason == value_change::removed)
    w.String("");
  else
    write_string(w, x.value);
  w.Key("reason");
  w.String(to_string(x.reason));
}

void encode_event(json_writer& w, const cluster_changed& x) {
  w.Key("cmd");
  w.String("clusterupdate");
  w.Key("name");
  write_string(w, x.name);
  w.Key("address");
  write_string(w, x.address);
  w.Key("state");
  w.String(to_string(x.state));
}

} // namespace

std::string encode(const domain_event& event) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  std::visit([&](const auto& x) { encode_event(w, x); }, event);
  w.EndObject();
  return std::string{buf.GetString(), buf.GetSize()};
}

negotiation negotiate(const std::string& offered) {
  switch (http::choose_subprotocol(offered, {subprotocol}).outcome) {
  case http::subprotocol_choice::selected:
    return negotiation::selected;
  case http::subprotocol_choice::rejected:
    return negotiation::rejected;
  default:
    return negotiation::none;
  }
}

} // namespace signalbox::ttmnotify
