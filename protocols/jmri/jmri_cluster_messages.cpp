#include "protocols/jmri/jmri_cluster_messages.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/jmri/jmri_bridge.hpp"

namespace signalbox {

namespace {

std::string context_of(const cluster_changed& event) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("cluster");
  w.StartObject();
  w.Key("name");
  w.String(event.name);
  w.Key("address");
  w.String(event.address);
  w.Key("state");
  w.String(to_string(event.state));
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

} // namespace

std::optional<jmri_message> cluster_message(const cluster_changed& event,
                                            const std::string& locale) {
  if (event.name.empty())
    return std::nullopt;
  jmri_message msg;
  switch (event.state) {
  case member_state::up:
    msg.type = "success";
    break;
  case member_state::down:
    msg.type = "warning";
    break;
  default:
    return std::nullopt;
  }
  msg.message = "Cluster member " + event.name + " (" + event.address +
                ") is " + to_string(event.state) + ".";
  msg.context_json = context_of(event);
  msg.locale = locale;
  return msg;
}

caf::actor spawn_jmri_cluster_messages(caf::actor_system& sys,
                                       jmri_directory_actor directory,
                                       std::string locale) {
  auto message_for =
      [locale](const domain_event& e) -> std::optional<jmri_message> {
    if (auto change = std::get_if<cluster_changed>(&e))
      return cluster_message(*change, locale);
    return std::nullopt;
  };
  // Every node sees the change itself: its own clients only.
  return spawn_jmri_bridge(sys, std::move(directory), groups::cluster,
                           std::move(message_for), jmri_reach::this_node);
}

} // namespace signalbox
