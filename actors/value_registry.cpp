#include "actors/value_registry.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/shared_value.hpp"
#include "core/errors.hpp"
#include "core/utf8.hpp"
#include "store/value_records.hpp"

namespace signalbox {

namespace {

using self_pointer =
    value_registry_actor::stateful_pointer<value_registry_state>;

shared_value_actor spawn_key(self_pointer self, const std::string& key,
                             std::optional<value_info> initial) {
  // Linked: key actors end with the registry (each holds a handle to the
  // other, so neither would otherwise go away). A retired key actor exits
  // normally, which does not affect the registry.
  auto actor = self->spawn<caf::linked>(
      shared_value, key, std::move(initial), self->state.store,
      caf::actor_cast<value_registry_actor>(self));
  self->state.keys.emplace(key, value_registry_state::entry{actor, 0});
  return actor;
}

/// The key actor of `key`, or nullptr.
value_registry_state::entry* find(self_pointer self, const std::string& key) {
  auto i = self->state.keys.find(key);
  return i == self->state.keys.end() ? nullptr : &i->second;
}

caf::error no_such_value(const std::string& key) {
  return make_error(ec::not_found, "no shared value '" + key + "'");
}

} // namespace

caf::error validate_value_write(const value_options& opts,
                                const std::string& key,
                                const value_write& write) {
  if (key.empty())
    return make_error(ec::invalid_argument, "key must not be empty");
  if (key.size() > opts.max_key_bytes)
    return make_error(ec::invalid_argument,
                      "key is longer than " +
                          std::to_string(opts.max_key_bytes) + " bytes");
  if (!valid_utf8(key))
    return make_error(ec::invalid_argument, "key is not valid UTF-8");
  if (write.value.size() > opts.max_value_bytes)
    return make_error(ec::invalid_argument,
                      "value is longer than " +
                          std::to_string(opts.max_value_bytes) + " bytes");
  if (!valid_utf8(write.value))
    return make_error(ec::invalid_argument, "value is not valid UTF-8");
  if (write.provider.size() > opts.max_key_bytes || !valid_utf8(write.provider))
    return make_error(ec::invalid_argument,
                      "provider must be valid UTF-8 of at most " +
                          std::to_string(opts.max_key_bytes) + " bytes");
  return caf::none;
}

value_registry_actor::behavior_type
value_registry(self_pointer self, store_actor store, value_options opts,
               std::vector<value_info> initial) {
  self->state.store = std::move(store);
  self->state.opts = opts;
  for (auto& x : initial) {
    auto key = x.key;
    spawn_key(self, key, std::move(x));
  }
  return {
      [=](list_atom) -> caf::result<std::vector<value_info>> {
        auto& keys = self->state.keys;
        if (keys.empty())
          return std::vector<value_info>{};
        // Fan-in: ask every key actor, keep the present values, answer once
        // all have answered.
        struct pending {
          std::vector<value_info> values;
          size_t outstanding;
        };
        auto acc = std::make_shared<pending>();
        acc->outstanding = keys.size();
        auto rp = self->make_response_promise<std::vector<value_info>>();
        auto done = [acc, rp]() mutable {
          if (--acc->outstanding > 0)
            return;
          std::sort(acc->values.begin(), acc->values.end(),
                    [](auto& a, auto& b) { return a.key < b.key; });
          rp.deliver(std::move(acc->values));
        };
        for (auto& [key, e] : keys) {
          ++e.forwarded;
          self->request(e.actor, caf::infinite, get_atom_v)
              .then(
                  [acc, done](value_info& x) mutable {
                    acc->values.push_back(std::move(x));
                    done();
                  },
                  [done](caf::error&) mutable { done(); });
        }
        return rp;
      },
      [=](get_atom, const std::string& key) -> caf::result<value_info> {
        auto e = find(self, key);
        if (e == nullptr)
          return no_such_value(key);
        ++e->forwarded;
        return self->delegate(e->actor, get_atom_v);
      },
      [=](put_atom, const std::string& key,
          value_write& write) -> caf::result<value_put_result> {
        if (auto err = validate_value_write(self->state.opts, key, write))
          return err;
        auto e = find(self, key);
        if (e == nullptr) {
          if (self->state.keys.size() >= self->state.opts.max_keys)
            return make_error(ec::conflict,
                              "the node already holds the maximum of " +
                                  std::to_string(self->state.opts.max_keys) +
                                  " shared values");
          spawn_key(self, key, std::nullopt);
          e = find(self, key);
        }
        ++e->forwarded;
        return self->delegate(e->actor, put_atom_v, std::move(write));
      },
      [=](delete_atom, const std::string& key) -> caf::result<ok_atom> {
        auto e = find(self, key);
        if (e == nullptr)
          return no_such_value(key);
        ++e->forwarded;
        return self->delegate(e->actor, delete_atom_v);
      },
      [=](retire_atom, const std::string& key, uint64_t handled) {
        auto e = find(self, key);
        // Retire only when nothing forwarded is still in flight: otherwise a
        // later write would reach a terminated actor (or, worse, a new actor
        // whose store write could overtake the old actor's delete).
        if (e == nullptr || e->forwarded != handled)
          return;
        self->send(e->actor, retire_atom_v);
        self->state.keys.erase(key);
      },
  };
}

caf::expected<value_registry_actor>
spawn_value_registry(caf::actor_system& sys, store_actor store,
                     const value_options& opts) {
  std::vector<value_info> initial;
  caf::error failure;
  {
    caf::scoped_actor self{sys};
    self->request(store, std::chrono::seconds(30), get_atom_v,
                  std::string{"values"})
        .receive(
            [&](std::vector<store_record>& records) {
              for (auto& rec : records) {
                auto x = value_records::decode(rec.key, rec.value);
                if (!x) {
                  failure = make_error(ec::storage_failure,
                                       "unreadable record of shared value '" +
                                           rec.key + "' in the store");
                  return;
                }
                initial.push_back(std::move(*x));
              }
            },
            [&](caf::error& err) { failure = err; });
  }
  if (failure)
    return failure;
  return sys.spawn(value_registry, std::move(store), opts, std::move(initial));
}

} // namespace signalbox
