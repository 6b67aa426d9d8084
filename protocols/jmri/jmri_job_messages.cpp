#include "protocols/jmri/jmri_job_messages.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocols/jmri/jmri_bridge.hpp"

namespace signalbox {

std::optional<jmri_message> job_message(const job_status_changed& event,
                                        const std::string& locale) {
  std::string what;
  std::string type;
  switch (event.status) {
  case job_status::running:
    what = "started";
    type = "info";
    break;
  case job_status::exited:
    what = "exited";
    type = "success";
    break;
  case job_status::exited_with_error:
    what = "exited with error code " + std::to_string(event.exit_code);
    type = "warning";
    break;
  case job_status::crashed:
    what = event.term_signal > 0
               ? "crashed (signal " + std::to_string(event.term_signal) + ")"
               : "crashed";
    type = "error";
    break;
  case job_status::killed_by_watchdog:
    what = "was killed by the watchdog";
    type = "error";
    break;
  case job_status::failed_to_start:
    what = "failed to start";
    type = "error";
    break;
  default:
    return std::nullopt;
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("job");
  w.StartObject();
  w.Key("id");
  w.Uint64(event.job_id);
  w.Key("name");
  w.String(event.name.data(),
           static_cast<rapidjson::SizeType>(event.name.size()));
  w.Key("status");
  w.Int(static_cast<int>(event.status));
  w.Key("exit_code");
  if (event.exit_code >= 0 && event.status != job_status::running)
    w.Int(event.exit_code);
  else
    w.Null();
  w.Key("signal");
  if (event.term_signal > 0)
    w.Int(event.term_signal);
  else
    w.Null();
  w.EndObject();
  w.EndObject();
  jmri_message msg;
  msg.message = "Job " + std::to_string(event.job_id) + " (" + event.name +
                ") " + what + ".";
  msg.type = type;
  msg.context_json.assign(buf.GetString(), buf.GetSize());
  msg.locale = locale;
  return msg;
}

caf::actor spawn_jmri_job_messages(caf::actor_system& sys,
                                   jmri_directory_actor directory,
                                   std::string locale) {
  auto message_for =
      [locale](const domain_event& e) -> std::optional<jmri_message> {
    if (auto ev = std::get_if<job_status_changed>(&e))
      return job_message(*ev, locale);
    return std::nullopt;
  };
  return spawn_jmri_bridge(sys, std::move(directory), groups::jobs,
                           std::move(message_for), jmri_reach::cluster);
}

} // namespace signalbox
