#include "actors/value_replica.hpp"

#include <caf/actor_system.hpp>
#include <caf/group_manager.hpp>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/notification.hpp"

namespace signalbox {

namespace {

using self_pointer = value_replica_actor::stateful_pointer<value_replica_state>;

bool is_master(self_pointer self) {
  return self->state.cfg.self_name == self->state.cfg.master;
}

value_write write_of(const value_info& x) {
  return {x.value, x.persistent, x.notify, x.provider};
}

bool same(const value_info& x, const value_info& y) {
  return x.value == y.value && x.persistent == y.persistent &&
         x.notify == y.notify && x.provider == y.provider;
}

// -- the master ---------------------------------------------------------------

/// Sends a committed change to every clone, in the master's order.
void publish_update(self_pointer self, caf::message update) {
  self->send(self->state.cluster, cluster_publish_atom_v,
             std::string{value_topics::updates}, std::move(update));
}

void reply_to(self_pointer self, const std::string& clone,
              caf::message answer) {
  self->send(self->state.cluster, cluster_publish_atom_v,
             value_topics::replies(clone), std::move(answer));
}

/// Writes on this node, then tells the clones; `done` gets the outcome.
template <class Done>
void put_here(self_pointer self, const std::string& key, value_write write,
              Done done) {
  self->request(self->state.local, caf::infinite, put_atom_v, key,
                std::move(write))
      .then(
          [=](value_put_result& result) mutable {
            publish_update(self, caf::make_message(put_atom_v, result.info));
            done(caf::expected<value_put_result>{std::move(result)});
          },
          [=](caf::error& err) mutable {
            done(caf::expected<value_put_result>{std::move(err)});
          });
}

template <class Done>
void delete_here(self_pointer self, const std::string& key, Done done) {
  self->request(self->state.local, caf::infinite, delete_atom_v, key)
      .then(
          [=](ok_atom) mutable {
            publish_update(self, caf::make_message(delete_atom_v, key));
            done(caf::error{});
          },
          [=](caf::error& err) mutable { done(std::move(err)); });
}

/// A clone's write, delete or snapshot request.
uint64_t serve_clone(self_pointer self, const caf::message& msg) {
  if (msg.match_elements<put_atom, uint64_t, std::string, std::string,
                         value_write>()) {
    auto req = msg.get_as<uint64_t>(1);
    auto origin = msg.get_as<std::string>(2);
    put_here(self, msg.get_as<std::string>(3), msg.get_as<value_write>(4),
             [=](caf::expected<value_put_result> result) {
               if (result)
                 reply_to(self, origin,
                          caf::make_message(ok_atom_v, req, *result));
               else
                 reply_to(self, origin, caf::make_message(req, result.error()));
             });
    return 1;
  }
  if (msg.match_elements<delete_atom, uint64_t, std::string, std::string>()) {
    auto req = msg.get_as<uint64_t>(1);
    auto origin = msg.get_as<std::string>(2);
    delete_here(self, msg.get_as<std::string>(3), [=](caf::error err) {
      if (err)
        reply_to(self, origin, caf::make_message(req, std::move(err)));
      else
        reply_to(self, origin, caf::make_message(ok_atom_v, req));
    });
    return 1;
  }
  if (msg.match_elements<get_atom, std::string>()) {
    auto origin = msg.get_as<std::string>(1);
    // The snapshot leaves after every update published before this list
    // was answered, on the same link: the clone applies them in order.
    self->request(self->state.local, caf::infinite, list_atom_v)
        .then([=](std::vector<value_info>& all) {
          reply_to(self, origin, caf::make_message(list_atom_v, all));
        });
    return 1;
  }
  return 0;
}

// -- a clone ------------------------------------------------------------------

caf::error master_unreachable(self_pointer self) {
  return make_error(ec::unavailable,
                    "the shared-value master " + self->state.cfg.master +
                        " is unreachable: writes are refused until it is "
                        "back (reads still answer)");
}

/// Sends `msg` to the master (the member taking its topic).
void to_master(self_pointer self, caf::message msg) {
  self->send(self->state.cluster, cluster_owner_atom_v,
             std::string{value_topics::master}, std::move(msg));
}

/// A number for a request to the master, whose answer comes as a delivery
/// on this clone's reply topic, or else is overdue after cfg.timeout.
uint64_t new_request(self_pointer self) {
  auto& st = self->state;
  auto req = ++st.next_request;
  self->delayed_send(self, st.cfg.timeout, watchdog_atom_v, req);
  return req;
}

void apply_here(self_pointer self, const caf::message& update) {
  auto& local = self->state.local;
  auto log_failure = [](caf::error& err) {
    log::warning("cluster: applying a shared-value update failed: " +
                 text_of(err));
  };
  if (update.match_elements<put_atom, value_info>()) {
    auto& info = update.get_as<value_info>(1);
    self->request(local, caf::infinite, put_atom_v, info.key, write_of(info))
        .then([](value_put_result&) {}, log_failure);
  } else if (update.match_elements<delete_atom, std::string>()) {
    self->request(local, caf::infinite, delete_atom_v,
                  update.get_as<std::string>(1))
        .then([](ok_atom) {},
              [](caf::error&) {
                // Absent already: the clone had missed its creation.
              });
  }
}

void take_in_order(self_pointer self, const caf::message& msg);

/// Makes the local values equal to the master's `snapshot`, then applies
/// the updates that arrived meanwhile.
void apply_snapshot(self_pointer self, std::vector<value_info> snapshot) {
  self->request(self->state.local, caf::infinite, list_atom_v)
      .then([=](std::vector<value_info>& here) {
        std::map<std::string, const value_info*> theirs;
        for (auto& x : snapshot)
          theirs.emplace(x.key, &x);
        for (auto& x : here)
          if (theirs.count(x.key) == 0)
            apply_here(self, caf::make_message(delete_atom_v, x.key));
        std::map<std::string, const value_info*> ours;
        for (auto& x : here)
          ours.emplace(x.key, &x);
        for (auto& x : snapshot)
          if (auto i = ours.find(x.key);
              i == ours.end() || !same(*i->second, x))
            apply_here(self, caf::make_message(put_atom_v, x));
        auto& st = self->state;
        st.syncing = false;
        for (auto& held : st.held)
          take_in_order(self, held);
        st.held.clear();
        log::info("cluster: shared values caught up with " + st.cfg.master +
                  " (" + std::to_string(snapshot.size()) + " values)");
      });
}

void catch_up(self_pointer self) {
  auto& st = self->state;
  st.syncing = true;
  st.held.clear();
  to_master(self, caf::make_message(get_atom_v, st.cfg.self_name));
}

void fail_waiting(self_pointer self, const caf::error& err) {
  for (auto& [req, p] : self->state.waiting)
    p.fail(err);
  self->state.waiting.clear();
}

/// The master's answer to request `req`.
void answered(self_pointer self, uint64_t req, caf::message answer) {
  auto& waiting = self->state.waiting;
  auto i = waiting.find(req);
  if (i == waiting.end())
    return; // too late: answered 503 already
  auto p = std::move(i->second);
  waiting.erase(i);
  if (answer.match_elements<ok_atom, uint64_t, value_put_result>())
    p.put.deliver(answer.get_as<value_put_result>(2));
  else if (answer.match_elements<ok_atom, uint64_t>())
    p.remove.deliver(ok_atom_v);
  else if (answer.match_elements<uint64_t, caf::error>())
    p.fail(answer.get_as<caf::error>(1));
}

bool is_answer(const caf::message& msg) {
  return msg.match_elements<ok_atom, uint64_t, value_put_result>() ||
         msg.match_elements<ok_atom, uint64_t>() ||
         msg.match_elements<uint64_t, caf::error>();
}

void take_answer(self_pointer self, const caf::message& msg) {
  auto req = msg.match_elements<uint64_t, caf::error>()
                 ? msg.get_as<uint64_t>(0)
                 : msg.get_as<uint64_t>(1);
  answered(self, req, msg);
}

/// An update or an answer of the master, in the order the master sent
/// them: an answer follows the update of its write.
void take_in_order(self_pointer self, const caf::message& msg) {
  if (is_answer(msg))
    take_answer(self, msg);
  else
    apply_here(self, msg);
}

uint64_t serve_master(self_pointer self, const std::string& topic,
                      const caf::message& msg) {
  auto& st = self->state;
  if (msg.match_elements<list_atom, std::vector<value_info>>()) {
    apply_snapshot(self, msg.get_as<std::vector<value_info>>(1));
    return 1;
  }
  if (topic != value_topics::updates && !is_answer(msg))
    return 0;
  // While a snapshot is applied, answers wait with the updates: a write
  // answered before its update is applied would not be readable here.
  if (st.syncing)
    st.held.push_back(msg);
  else
    take_in_order(self, msg);
  return 1;
}

void on_member(self_pointer self, const cluster_changed& x) {
  auto& st = self->state;
  if (x.name != st.cfg.master)
    return;
  st.master_up = x.state == member_state::up;
  if (st.master_up) {
    catch_up(self);
  } else {
    st.syncing = false;
    st.held.clear();
    fail_waiting(self, master_unreachable(self));
  }
}

} // namespace

value_replica_actor::behavior_type
value_replica(value_replica_actor::stateful_pointer<value_replica_state> self,
              value_registry_actor local, cluster_router_actor cluster,
              value_replica_settings cfg) {
  auto& st = self->state;
  st.local = std::move(local);
  st.cluster = std::move(cluster);
  st.cfg = std::move(cfg);
  st.members = self->system().groups().get_local(groups::cluster);
  // Typed actors cannot join a group in CAF 0.17; subscribing the control
  // block delivers the same messages.
  st.members->subscribe(self->ctrl());
  self->attach_functor([members = st.members, ctrl = self->ctrl()](
                           const caf::error&) { members->unsubscribe(ctrl); });
  auto handler = caf::actor_cast<cluster_handler_actor>(self);
  self->send(st.cluster, put_atom_v, cluster_handler_atom_v,
             std::string{value_topics::service}, handler);
  if (is_master(self)) {
    self->send(st.cluster, put_atom_v, cluster_topics_atom_v,
               std::string{value_topics::master});
  } else {
    self->send(st.cluster, put_atom_v, cluster_topics_atom_v,
               std::string{value_topics::updates});
    self->send(st.cluster, put_atom_v, cluster_topics_atom_v,
               value_topics::replies(st.cfg.self_name));
  }
  return {
      // -- reads: always this node's ------------------------------------------
      [=](list_atom) { return self->delegate(self->state.local, list_atom_v); },
      [=](get_atom, const std::string& key) {
        return self->delegate(self->state.local, get_atom_v, key);
      },
      // -- writes: on the master ----------------------------------------------
      [=](put_atom, const std::string& key,
          value_write& write) -> caf::result<value_put_result> {
        // Checked before the promise is made: a promise takes the answer
        // over, and an error returned after it would never be sent.
        if (!is_master(self) && !self->state.master_up)
          return master_unreachable(self);
        auto rp = self->make_response_promise<value_put_result>();
        if (is_master(self)) {
          put_here(self, key, std::move(write),
                   [rp](caf::expected<value_put_result> r) mutable {
                     if (r)
                       rp.deliver(std::move(*r));
                     else
                       rp.deliver(r.error());
                   });
          return rp;
        }
        auto req = new_request(self);
        to_master(self,
                  caf::make_message(put_atom_v, req, self->state.cfg.self_name,
                                    key, std::move(write)));
        self->state.waiting[req].put = rp;
        return rp;
      },
      [=](delete_atom, const std::string& key) -> caf::result<ok_atom> {
        if (!is_master(self) && !self->state.master_up)
          return master_unreachable(self);
        auto rp = self->make_response_promise<ok_atom>();
        if (is_master(self)) {
          delete_here(self, key, [rp](caf::error err) mutable {
            if (err)
              rp.deliver(std::move(err));
            else
              rp.deliver(ok_atom_v);
          });
          return rp;
        }
        auto req = new_request(self);
        to_master(self, caf::make_message(delete_atom_v, req,
                                          self->state.cfg.self_name, key));
        self->state.waiting[req].remove = rp;
        return rp;
      },
      [=](retire_atom, const std::string&, uint64_t) {
        // The registry's own key actors send this to the registry, never
        // to its replica.
      },
      // -- the cluster --------------------------------------------------------
      [=](cluster_deliver_atom, const std::string& topic,
          const caf::message& msg) -> uint64_t {
        if (is_master(self))
          return topic == value_topics::master ? serve_clone(self, msg) : 0;
        return serve_master(self, topic, msg);
      },
      [=](notify_atom, const notification_ptr& n) {
        if (auto x = std::get_if<cluster_changed>(&n->event()))
          on_member(self, *x);
      },
      [=](watchdog_atom, uint64_t req) {
        auto& st = self->state;
        auto i = st.waiting.find(req);
        if (i == st.waiting.end())
          return;
        auto err = make_error(
            ec::unavailable,
            "the shared-value master " + st.cfg.master +
                " did not answer in time; the write may still be applied");
        auto p = std::move(i->second);
        st.waiting.erase(i);
        p.fail(err);
      },
  };
}

} // namespace signalbox
