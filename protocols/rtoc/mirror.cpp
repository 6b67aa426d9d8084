#include "protocols/rtoc/mirror.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/group_manager.hpp>

#include "core/log.hpp"
#include "protocols/rtoc/codec.hpp"

namespace signalbox::rtoc {

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

sample make_sample(const char* dname, const std::string& sname, double y,
                   double now) {
  sample s;
  s.dname = dname;
  s.sname = sname;
  s.x = {now, float_text(now)};
  s.y = {y, float_text(y)};
  if (std::floor(y) == y && std::fabs(y) < 1e15)
    s.y.text = std::to_string(static_cast<int64_t>(y));
  return s;
}

/// A shared value as a number: the whole text must be one.
std::optional<double> number_in(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  char* end = nullptr;
  auto x = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(x))
    return std::nullopt;
  return x;
}

int32_t priority_of(job_status status) {
  switch (status) {
  case job_status::crashed:
  case job_status::failed_to_start:
  case job_status::killed_by_watchdog:
  case job_status::exited_with_error:
    return 2;
  case job_status::starting:
    return 1;
  default:
    return 0;
  }
}

/// A member coming up (priority 0, value 1) or lost (priority 2, value 0)
/// as an event on cluster.<member>.
std::optional<event_request> member_event(const cluster_changed& change,
                                          double now) {
  if (change.name.empty() || change.state == member_state::connecting)
    return std::nullopt;
  bool up = change.state == member_state::up;
  event_request ev;
  ev.dname = "cluster";
  ev.sname = change.name;
  ev.text = to_string(change.state);
  ev.x = now;
  ev.priority = up ? 0 : 2;
  ev.value_json = up ? "1" : "0";
  ev.id = sha1_hex(ev.sname + ev.dname + ev.text);
  return ev;
}

} // namespace

std::optional<sample> mirror_sample(const domain_event& event, double now) {
  if (auto g = std::get_if<gpio_changed>(&event))
    return make_sample("gpio", g->name, g->value, now);
  if (auto v = std::get_if<value_changed>(&event)) {
    if (v->reason == value_change::removed)
      return std::nullopt;
    if (auto y = number_in(v->value))
      return make_sample("values", v->key, *y, now);
  }
  return std::nullopt;
}

std::optional<event_request> mirror_event(const domain_event& event,
                                          double now) {
  if (auto c = std::get_if<cluster_changed>(&event))
    return member_event(*c, now);
  auto j = std::get_if<job_status_changed>(&event);
  if (j == nullptr)
    return std::nullopt;
  event_request ev;
  ev.dname = "jobs";
  ev.sname = j->name;
  ev.text = to_string(j->status);
  ev.x = now;
  ev.priority = priority_of(j->status);
  ev.value_json = j->exit_code >= 0 ? std::to_string(j->exit_code) : "null";
  ev.id = sha1_hex(ev.sname + ev.dname + ev.text);
  return ev;
}

caf::actor spawn_mirror(caf::actor_system& sys, rtoc_directory_actor directory,
                        uint64_t keep_events) {
  return sys.spawn([directory, keep_events](caf::event_based_actor* self) {
    // The node created these groups before any actor started.
    for (auto name :
         {groups::jobs, groups::gpio, groups::values, groups::cluster})
      self->join(self->system().groups().get_local(name));
    return caf::behavior{
        [=](notify_atom, const notification_ptr& n) {
          auto now = now_seconds();
          if (auto s = mirror_sample(n->event(), now))
            self->send(directory, put_atom_v, std::vector<sample>{*s});
          else if (auto e = mirror_event(n->event(), now)) {
            e->keep = keep_events;
            self->send(directory, rtoc_event_atom_v, *e);
          }
        },
        [](ok_atom) {},
        [](caf::error& err) {
          log::warning("rtoc mirror: " + caf::to_string(err));
        },
    };
  });
}

} // namespace signalbox::rtoc
