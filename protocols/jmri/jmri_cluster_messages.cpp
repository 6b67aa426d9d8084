#include "protocols/jmri/jmri_cluster_messages.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/group_manager.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace signalbox {

namespace {

/// The directory's cluster topic for every client of a node
/// (jmri_directory.cpp): delivering on it reaches this node's clients only.
constexpr const char* local_clients_topic = "jmri";

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
  return sys.spawn([directory, locale](caf::event_based_actor* self) {
    self->join(self->system().groups().get_local(groups::cluster));
    return caf::behavior{
        [=](notify_atom, const notification_ptr& n) {
          auto change = std::get_if<cluster_changed>(&n->event());
          if (change == nullptr)
            return;
          if (auto msg = cluster_message(*change, locale))
            self->send(directory, cluster_deliver_atom_v,
                       std::string{local_clients_topic},
                       caf::make_message(jmri_send_atom_v, std::move(*msg)));
        },
        // The directory's answer (copies delivered) is not needed here.
        [](uint64_t) {},
    };
  });
}

} // namespace signalbox
