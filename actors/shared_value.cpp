#include "actors/shared_value.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/group_manager.hpp>

#include "core/errors.hpp"
#include "store/value_records.hpp"

namespace signalbox {

namespace {

constexpr const char* values_table = "values";

using self_pointer = shared_value_actor::stateful_pointer<shared_value_state>;

void publish(self_pointer self, value_changed event) {
  // Typed actors cannot send() to groups in CAF 0.17.
  caf::anon_send(self->state.group, notify_atom_v,
                 make_notification(std::move(event)));
}

/// After a removal the key actor holds nothing; the registry may retire it
/// once every request it forwarded has been handled.
void offer_retirement(self_pointer self) {
  if (!self->state.current)
    self->send(self->state.registry, retire_atom_v, self->state.key,
               self->state.handled);
}

/// Applies a committed write: updates the state, publishes and answers.
value_put_result apply_write(self_pointer self, value_info next) {
  auto& st = self->state;
  bool added = !st.current.has_value();
  if (next.notify)
    publish(self,
            value_changed{st.key, next.value,
                          added ? value_change::added : value_change::updated});
  st.current = next;
  return value_put_result{std::move(next), added};
}

} // namespace

shared_value_actor::behavior_type
shared_value(self_pointer self, std::string key,
             std::optional<value_info> initial, store_actor store,
             value_registry_actor registry) {
  auto& st = self->state;
  st.key = std::move(key);
  st.current = std::move(initial);
  st.store = std::move(store);
  st.registry = std::move(registry);
  st.group = self->system().groups().get_local(groups::values);
  return {
      [=](get_atom) -> caf::result<value_info> {
        ++self->state.handled;
        if (!self->state.current) {
          offer_retirement(self);
          return make_error(ec::not_found,
                            "no shared value '" + self->state.key + "'");
        }
        return *self->state.current;
      },
      [=](put_atom, value_write& write) -> caf::result<value_put_result> {
        auto& st = self->state;
        ++st.handled;
        value_info next{st.key, std::move(write.value), write.persistent,
                        write.notify, std::move(write.provider)};
        bool was_persistent = st.current && st.current->persistent;
        if (!next.persistent && !was_persistent)
          return apply_write(self, std::move(next));
        auto rp = self->make_response_promise<value_put_result>();
        auto on_store_error = [=](caf::error& err) mutable {
          rp.deliver(make_error(storage_code_of(err),
                                "cannot store shared value '" +
                                    self->state.key + "': " + text_of(err)));
          offer_retirement(self);
        };
        if (next.persistent) {
          auto record = value_records::encode(next);
          // `await`: no other request of this key runs until the commit, so
          // the store sees this key's writes in order.
          self->request(st.store, caf::infinite, put_atom_v,
                        std::string{values_table}, st.key, std::move(record))
              .await(
                  [=](ok_atom) mutable {
                    rp.deliver(apply_write(self, std::move(next)));
                  },
                  on_store_error);
        } else {
          // persistent -> in memory only: the stored copy must go, or a
          // restart would bring back the old value.
          self->request(st.store, caf::infinite, delete_atom_v,
                        std::string{values_table}, st.key)
              .await(
                  [=](bool) mutable {
                    rp.deliver(apply_write(self, std::move(next)));
                  },
                  on_store_error);
        }
        return rp;
      },
      [=](delete_atom) -> caf::result<ok_atom> {
        auto& st = self->state;
        ++st.handled;
        if (!st.current) {
          offer_retirement(self);
          return make_error(ec::not_found, "no shared value '" + st.key + "'");
        }
        auto removed = *st.current;
        auto finish = [=] {
          self->state.current.reset();
          if (removed.notify)
            publish(self,
                    value_changed{removed.key, "", value_change::removed});
          offer_retirement(self);
        };
        if (!removed.persistent) {
          finish();
          return ok_atom_v;
        }
        auto rp = self->make_response_promise<ok_atom>();
        self->request(st.store, caf::infinite, delete_atom_v,
                      std::string{values_table}, st.key)
            .await(
                [=](bool) mutable {
                  finish();
                  rp.deliver(ok_atom_v);
                },
                [=](caf::error& err) mutable {
                  rp.deliver(make_error(storage_code_of(err),
                                        "cannot remove shared value '" +
                                            removed.key +
                                            "': " + text_of(err)));
                });
        return rp;
      },
      [=](retire_atom) { self->quit(); },
  };
}

} // namespace signalbox
