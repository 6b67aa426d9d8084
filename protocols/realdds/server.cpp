#include "protocols/realdds/server.hpp"

#include <algorithm>
#include <functional>

#include <caf/actor_system.hpp>
#include <caf/group_manager.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/errors.hpp"
#include "protocols/realdds/notification_codec.hpp"
#include "protocols/realdds/outbox_codec.hpp"

namespace signalbox::realdds {

namespace {

struct server_state {
  static inline const char* name = "realdds-server";

  server_settings cfg;
  std::shared_ptr<server_counters> counters;
  outbox box;
  /// The node's options: its GPIO output lines and shared values.
  std::vector<option_value> options;
  bool flush_armed = false; // a log-flush timer is under way
  bool drain_armed = false; // a drain message is in the mailbox
};

using server_pointer = realdds_server_actor::stateful_pointer<server_state>;

option_value* find_option(server_state& st, const std::string& name) {
  auto i = std::find_if(st.options.begin(), st.options.end(),
                        [&](const option_value& o) { return o.name == name; });
  return i == st.options.end() ? nullptr : &*i;
}

void load_options(server_state& st, const std::vector<gpio_info>& lines,
                  const std::vector<value_info>& values) {
  st.options.clear();
  for (auto& line : lines)
    if (line.direction == gpio_direction::output)
      st.options.push_back(
          {line.name, option_value::kind::gpio, line.value, {}});
  for (auto& v : values)
    st.options.push_back({v.key, option_value::kind::text, 0, v.value});
}

std::vector<encoded> initialization(const server_state& st) {
  auto now = now_ns();
  return {device_header(now), device_options(st.options, now)};
}

/// Writes `m` to the DDS topic in the configured data_format.
void write_dds(server_state& st, const encoded& m) {
  auto& bytes = st.cfg.format == data_format::cbor ? m.cbor : m.json;
  if (!st.cfg.dds->write(st.cfg.format, bytes))
    ++st.counters->dds_failures;
}

/// realdds' rule: a reader that matched gets the initialization before
/// anything else is written to it.
void initialize_new_readers(server_state& st) {
  if (!st.cfg.dds || !st.cfg.dds->take_new_readers())
    return;
  for (auto& m : initialization(st))
    write_dds(st, m);
}

/// Writes `messages`, each encoded once per format, to DDS and the mirror.
void publish(server_state& st, std::vector<encoded> messages) {
  if (messages.empty())
    return;
  initialize_new_readers(st);
  bool to_dds = st.cfg.dds && st.cfg.dds->readers() > 0;
  bool to_mirror = st.cfg.mirror && st.cfg.mirror->size() > 0;
  for (auto& m : messages) {
    if (to_dds)
      write_dds(st, m);
    if (to_mirror)
      st.cfg.mirror->broadcast(frames_of(m));
    if (st.cfg.tap)
      st.cfg.tap(m);
  }
  st.counters->messages += messages.size();
}

/// Whether anybody would get a message: with no DDS reader and no mirror
/// client, notifications are not even encoded (VOLATILE: a reader that
/// matches later would not get them either).
bool anyone_listening(const server_state& st) {
  return (st.cfg.dds && st.cfg.dds->readers() > 0) ||
         (st.cfg.mirror &&
          (st.cfg.mirror->size() > 0 || st.cfg.mirror->has_waiting())) ||
         st.cfg.tap;
}

void arm_drain(server_pointer self) {
  auto& st = self->state;
  if (st.drain_armed || !st.box.has_finished())
    return;
  st.drain_armed = true;
  self->send(self, realdds_drain_atom_v);
}

void arm_flush(server_pointer self) {
  auto& st = self->state;
  if (st.flush_armed || st.box.empty())
    return;
  st.flush_armed = true;
  self->delayed_send(self, st.cfg.log_flush, flush_atom_v);
}

void queue(server_pointer self, encoded notification, uint64_t now) {
  auto& st = self->state;
  if (!st.box.add(std::move(notification), now))
    ++st.counters->dropped;
  arm_drain(self);
}

void queue_log(server_pointer self, const log_entry& entry) {
  auto& st = self->state;
  st.box.add_log(entry);
  ++st.counters->log_entries;
  arm_drain(self); // the entry closed a full `log` notification
  arm_flush(self);
}

// -- domain events ------------------------------------------------------------

struct event_handler {
  server_pointer self;
  uint64_t now;

  void operator()(const job_list_changed&) const {
    // Jobs added or removed: their status notifications say enough.
  }

  void operator()(const cluster_changed&) const {
    // The server joins no cluster group: each node is one device's view.
  }

  void operator()(const job_status_changed& x) const {
    if (!anyone_listening(self->state))
      return;
    if (auto entry = job_status_entry(x, now))
      queue_log(self, *entry);
    queue(self, job_status_notification(x, now), now);
  }

  void operator()(const gpio_changed& x) const {
    auto o = find_option(self->state, x.name);
    if (o)
      o->number = x.value;
    if (!anyone_listening(self->state))
      return;
    queue(self, gpio_notification(x, now), now);
    if (o)
      queue(self, option_update(*o, now), now);
  }

  void operator()(const value_changed& x) const {
    auto& st = self->state;
    auto listening = anyone_listening(st);
    if (listening)
      queue(self, value_notification(x, now), now);
    if (x.reason == value_change::removed) {
      st.options.erase(std::remove_if(st.options.begin(), st.options.end(),
                                      [&](const option_value& o) {
                                        return o.name == x.key &&
                                               o.type ==
                                                   option_value::kind::text;
                                      }),
                       st.options.end());
      return;
    }
    auto o = find_option(st, x.key);
    if (!o) {
      st.options.push_back({x.key, option_value::kind::text, 0, {}});
      o = &st.options.back();
    }
    if (o->type != option_value::kind::text)
      return; // a GPIO line of the same name keeps the option
    o->text = x.value;
    if (listening)
      queue(self, option_update(*o, now), now);
  }
};

// -- controls -----------------------------------------------------------------

/// A reply to the control of mirror client `client` goes to that client;
/// the reply to a DDS control (client 0) is a notification for everyone.
void reply(server_pointer self, uint64_t client, encoded message) {
  auto& st = self->state;
  if (client == 0) {
    queue(self, std::move(message), now_ns());
    return;
  }
  if (st.cfg.mirror) {
    st.cfg.mirror->send_to(client, frames_of(message));
    ++st.counters->messages;
  }
}

/// Delivered once a control is handled (its reply, if any, is out).
using control_done = caf::typed_response_promise<ok_atom>;

/// Re-reads the options (a value written with notify=false announces
/// nothing), then calls `next`; on failure the options known are used.
void refresh_options(server_pointer self, std::function<void()> next) {
  auto& st = self->state;
  auto timeout = st.cfg.request_timeout;
  self->request(st.cfg.gpio, timeout, list_atom_v)
      .then(
          [self, timeout, next](std::vector<gpio_info>& lines) {
            self->request(self->state.cfg.values, timeout, list_atom_v)
                .then(
                    [self, lines, next](std::vector<value_info>& values) {
                      load_options(self->state, lines, values);
                      next();
                    },
                    [next](caf::error&) { next(); });
          },
          [next](caf::error&) { next(); });
}

void set_gpio(server_pointer self, uint64_t client, const sample_id& sample,
              const std::string& control, option_value wanted,
              control_done done) {
  auto& st = self->state;
  self->request(st.cfg.gpio, st.cfg.request_timeout, put_atom_v, wanted.name,
                static_cast<int32_t>(wanted.number))
      .then(
          [self, client, sample, control, wanted,
           done](gpio_info& line) mutable {
            wanted.number = line.value;
            reply(self, client, set_option_reply(control, sample, wanted));
            done.deliver(ok_atom_v);
          },
          [self, client, sample, control, done](caf::error& err) mutable {
            reply(self, client, error_reply(control, sample, text_of(err)));
            done.deliver(ok_atom_v);
          });
}

void set_text(server_pointer self, uint64_t client, const sample_id& sample,
              const std::string& control, option_value wanted,
              control_done done) {
  auto& st = self->state;
  auto timeout = st.cfg.request_timeout;
  auto fail = [self, client, sample, control, done](caf::error& err) mutable {
    reply(self, client, error_reply(control, sample, text_of(err)));
    done.deliver(ok_atom_v);
  };
  // Keep the value's persistence: read it, then write as REST does.
  self->request(st.cfg.values, timeout, get_atom_v, wanted.name)
      .then(
          [self, client, sample, control, wanted, timeout, fail,
           done](value_info& current) {
            value_write write{wanted.text, current.persistent, true, "realdds"};
            self->request(self->state.cfg.values, timeout, put_atom_v,
                          wanted.name, std::move(write))
                .then(
                    [self, client, sample, control, wanted,
                     done](value_put_result& put) mutable {
                      wanted.text = put.info.value;
                      reply(self, client,
                            set_option_reply(control, sample, wanted));
                      done.deliver(ok_atom_v);
                    },
                    fail);
          },
          fail);
}

void handle(server_pointer self, const std::string& json,
            const sample_id& sample, uint64_t client, control_done done) {
  auto action = handle_control(json, sample, self->state.options);
  if (action.reply || !action.set) {
    if (action.reply)
      reply(self, client, std::move(*action.reply));
    done.deliver(ok_atom_v);
    return;
  }
  auto& wanted = action.set->value;
  if (wanted.type == option_value::kind::gpio)
    set_gpio(self, client, sample, action.control_json, wanted,
             std::move(done));
  else
    set_text(self, client, sample, action.control_json, wanted,
             std::move(done));
}

realdds_server_actor::behavior_type
server_impl(server_pointer self, server_settings cfg,
            std::shared_ptr<server_counters> counters) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.counters = std::move(counters);
  // A typed actor has no join in CAF 0.17: subscribe directly, and leave
  // when the actor ends (a group holds its subscribers strongly). The node
  // created these groups before any actor started.
  auto& manager = self->system().groups();
  for (auto name :
       {groups::jobs, groups::gpio, groups::values, groups::job_output}) {
    auto group = manager.get_local(name);
    group->subscribe(self->ctrl());
    auto* who = self->ctrl();
    self->attach_functor([group, who] { group->unsubscribe(who); });
  }
  // The options before anything else: a reader or client that matches now
  // gets them in its initialization. Changes published meanwhile wait in the
  // mailbox and apply in order afterwards.
  self->request(st.cfg.gpio, st.cfg.request_timeout, list_atom_v)
      .await(
          [self](std::vector<gpio_info>& lines) {
            self->request(self->state.cfg.values,
                          self->state.cfg.request_timeout, list_atom_v)
                .await(
                    [self, lines](std::vector<value_info>& values) {
                      load_options(self->state, lines, values);
                    },
                    [](caf::error&) {});
          },
          [](caf::error&) {});
  return {
      [self](notify_atom, const notification_ptr& n) {
        std::visit(event_handler{self, now_ns()}, n->event());
      },
      [self](output_atom, const job_output& x) {
        if (anyone_listening(self->state))
          queue_log(self, job_output_entry(x.job, x.line));
      },
      [self](realdds_control_atom, std::string& json, std::string& writer,
             int64_t sequence, uint64_t client) -> caf::result<ok_atom> {
        // Answered once the control's reply is out: a mirror client has
        // one control at a time here, however fast it writes.
        auto done = self->make_response_promise<ok_atom>();
        sample_id sample{std::move(writer), sequence};
        refresh_options(self,
                        [self, json = std::move(json), sample, client, done] {
                          handle(self, json, sample, client, done);
                        });
        return done;
      },
      [self](realdds_join_atom) {
        auto& st = self->state;
        if (!st.cfg.mirror || !st.cfg.mirror->has_waiting())
          return;
        std::vector<mirror_frames> init;
        for (auto& m : initialization(st))
          init.push_back(frames_of(m));
        st.cfg.mirror->admit(init);
      },
      [self](realdds_matched_atom) { initialize_new_readers(self->state); },
      [self](flush_atom) {
        auto& st = self->state;
        st.flush_armed = false;
        publish(st, st.box.take(now_ns()));
      },
      [self](realdds_drain_atom) {
        auto& st = self->state;
        st.drain_armed = false;
        publish(st, st.box.take_finished());
        arm_flush(self); // log entries still open wait for the timer
      },
  };
}

} // namespace

realdds_server_actor spawn_server(caf::actor_system& sys,
                                  server_settings settings,
                                  std::shared_ptr<server_counters> counters) {
  return sys.spawn(server_impl, std::move(settings), std::move(counters));
}

} // namespace signalbox::realdds
