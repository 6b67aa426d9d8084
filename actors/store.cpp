#include "actors/store.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/result.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/errors.hpp"

namespace signalbox {

namespace {

using self_pointer = store_actor::stateful_pointer<store_state>;

caf::expected<lmdb::table> table_of(const lmdb::env& env,
                                    const std::string& name) {
  if (auto t = env.find_table(name))
    return *t;
  return make_error(ec::invalid_argument, "unknown store table '" + name + "'");
}

// LMDB rejects empty keys and keys longer than its limit; checking here
// answers the one bad request instead of failing its whole batch.
caf::error check_key(const lmdb::env& env, const std::string& key) {
  if (key.empty())
    return make_error(ec::invalid_argument, "a store key must not be empty");
  if (key.size() > env.max_key_size())
    return make_error(ec::invalid_argument,
                      "a store key of " + std::to_string(key.size()) +
                          " bytes is longer than the limit of " +
                          std::to_string(env.max_key_size()) + " bytes");
  return {};
}

// A packed batch whose sizes add up, with keys LMDB takes.
caf::error check_batch(const lmdb::env& env, const store_batch& b) {
  if (b.key_size == 0 || b.key_size > env.max_key_size())
    return make_error(ec::invalid_argument,
                      "a store batch's key size must be 1.." +
                          std::to_string(env.max_key_size()) + " bytes");
  if (b.keys.size() % b.key_size != 0 ||
      b.values.size() != b.size() * size_t{b.value_size})
    return make_error(ec::invalid_argument,
                      "a store batch's keys and values do not match its "
                      "sizes");
  return {};
}

// The table of a single-record request, once table and key are known good.
caf::expected<lmdb::table> record_table(const lmdb::env& env,
                                        const std::string& table,
                                        const std::string& key) {
  auto t = table_of(env, table);
  if (!t)
    return t;
  if (auto err = check_key(env, key))
    return err;
  return t;
}

// Adds a write to the batch; the first write of a batch schedules its commit
// behind every message that is already in the mailbox.
void enqueue(self_pointer self, pending_write write) {
  auto& st = self->state;
  st.batch.push_back(std::move(write));
  if (!st.commit_scheduled) {
    st.commit_scheduled = true;
    self->send(caf::actor_cast<store_actor>(self), commit_atom_v);
  }
}

/// The records of `table` with keys in [from, to) (see the interface),
/// after committing what is pending: a reader sees its own writes.
caf::expected<std::vector<store_record>>
read_range(store_state& st, const std::string& table, const std::string& from,
           const std::string& to, uint64_t limit, bool reverse) {
  auto t = table_of(*st.env, table);
  if (!t)
    return t.error();
  st.commit();
  try {
    std::vector<store_record> records;
    auto txn = st.env->begin_read();
    txn.scan_range(
        *t, from, to, limit, reverse,
        [&](std::string_view key, std::string_view value) {
          records.push_back(store_record{std::string{key}, std::string{value}});
        });
    return records;
  } catch (const std::exception& e) {
    return make_error(ec::storage_failure, e.what());
  }
}

/// Without store.sync: flushes the commits once the interval since the
/// first unsynced one has passed, and arms the timer (a delayed
/// commit_atom) while commits wait for it.
void sync_when_due(self_pointer self) {
  auto& st = self->state;
  if (st.sync_interval.count() == 0)
    return;
  // The actor clock: simulated in the deterministic tests.
  auto now = self->clock().now();
  if (st.sync_armed && now >= st.sync_due) {
    st.sync_armed = false;
    try {
      st.env->sync();
      st.unsynced = false;
    } catch (const std::exception&) {
      // A failed flush is retried at the next interval; the data is in
      // the page cache meanwhile (a killed process loses nothing).
    }
  }
  if (st.unsynced && !st.sync_armed) {
    st.sync_armed = true;
    st.sync_due = now + st.sync_interval;
    self->delayed_send(caf::actor_cast<store_actor>(self), st.sync_interval,
                       commit_atom_v);
  }
}

/// Whether `w` only removes records: it may use the room past
/// store.max-size that lets a full store be emptied.
bool removes_only(const pending_write& w) {
  return w.packed.size() == 0 &&
         std::none_of(w.ops.begin(), w.ops.end(),
                      [](const store_op& op) { return op.value.has_value(); });
}

/// Whether `w` only writes records (no removals), more than one.
bool all_puts(const pending_write& w) {
  return w.ops.size() > 1 &&
         std::all_of(w.ops.begin(), w.ops.end(),
                     [](const store_op& op) { return op.value.has_value(); });
}

} // namespace

caf::expected<std::shared_ptr<lmdb::env>>
open_store_env(const store_options& opts) {
  try {
    return lmdb::env::open(opts, opts.tables);
  } catch (const std::exception& e) {
    return make_error(ec::storage_failure, e.what());
  }
}

store_metrics store_metrics::registered_in(metrics::registry& reg) {
  store_metrics out;
  out.commits = reg.counters("signalbox_store_commits_total",
                             "LMDB write transactions committed")
                    ->with({});
  out.failures =
      reg.counters("signalbox_store_commit_failures_total",
                   "LMDB write transactions that failed (every write of the "
                   "batch was answered with the error)")
          ->with({});
  out.commit_seconds =
      reg.histograms("signalbox_store_commit_duration_seconds",
                     "time to apply and commit one batch of writes")
          ->with({});
  return out;
}

caf::expected<store_actor> spawn_store(caf::actor_system& sys,
                                       const store_options& opts,
                                       store_metrics counts) {
  auto env = open_store_env(opts);
  if (!env)
    return env.error();
  return sys.spawn<caf::detached>(
      [env = std::move(*env), counts = std::move(counts), sync = opts.sync,
       sync_interval = opts.sync_interval](
          store_actor::stateful_pointer<store_state> self) {
        self->state.counts = counts;
        if (!sync)
          self->state.sync_interval = sync_interval;
        return store_behavior(self, env);
      });
}

store_state::~store_state() {
  if (env)
    commit();
}

caf::error store_state::commit() {
  if (batch.empty())
    return {};
  // Taken out first: whatever happens, these writes are answered now and a
  // new batch starts empty.
  auto writes = std::move(batch);
  batch.clear();
  auto started = std::chrono::steady_clock::now();
  try {
    // env::write replays this function from the start after growing a full
    // map, so every answer is (re)decided inside the transaction that
    // commits.
    env->write(
        [&](lmdb::txn& t) {
          for (auto& w : writes) {
            w.removed = 0;
            if (w.packed.size() > 0) {
              const auto& b = w.packed;
              t.put_all(
                  w.table, b.size(), [&b](size_t i) { return b.key(i); },
                  [&b](size_t i) { return b.value(i); });
              continue;
            }
            if (all_puts(w)) {
              // Many records of one table, usually neighbours: one cursor.
              const auto& ops = w.ops;
              t.put_all(
                  w.table, ops.size(),
                  [&ops](size_t i) -> std::string_view { return ops[i].key; },
                  [&ops](size_t i) -> std::string_view {
                    return *ops[i].value;
                  });
              continue;
            }
            for (auto& op : w.ops) {
              if (op.value)
                t.put(w.table, op.key, *op.value);
              else if (!op.range_end.empty())
                w.removed += t.del_range(w.table, op.key, op.range_end);
              else
                w.removed += t.del(w.table, op.key) ? 1 : 0;
            }
          }
        },
        std::all_of(writes.begin(), writes.end(), removes_only));
  } catch (const lmdb::error& e) {
    counts.failures->add();
    auto err =
        make_error(e.full() ? ec::storage_full : ec::storage_failure, e.what());
    for (auto& w : writes)
      std::visit([&](auto& rp) { rp.deliver(err); }, w.reply);
    return err;
  } catch (const std::exception& e) {
    counts.failures->add();
    auto err = make_error(ec::storage_failure, e.what());
    for (auto& w : writes)
      std::visit([&](auto& rp) { rp.deliver(err); }, w.reply);
    return err;
  }
  counts.commits->add();
  counts.commit_seconds->observe(std::chrono::steady_clock::now() - started);
  unsynced = sync_interval.count() > 0;
  for (auto& w : writes) {
    if (auto* rp = std::get_if<caf::typed_response_promise<ok_atom>>(&w.reply))
      rp->deliver(caf::ok_atom_v);
    else if (auto* rp =
                 std::get_if<caf::typed_response_promise<bool>>(&w.reply))
      rp->deliver(w.removed > 0);
    else
      std::get<caf::typed_response_promise<uint64_t>>(w.reply).deliver(
          w.removed);
  }
  return {};
}

store_actor::behavior_type
store_behavior(store_actor::stateful_pointer<store_state> self,
               std::shared_ptr<lmdb::env> env) {
  self->state.env = std::move(env);
  return {
      [self](put_atom, const std::string& table, std::string& key,
             std::string& value) -> caf::result<ok_atom> {
        auto& env = *self->state.env;
        auto t = record_table(env, table, key);
        if (!t)
          return t.error();
        auto rp = self->make_response_promise<ok_atom>();
        enqueue(self, pending_write{
                          *t, {{std::move(key), std::move(value), {}}}, rp});
        return rp;
      },
      [self](put_atom, const std::string& table,
             std::vector<store_record>& records) -> caf::result<ok_atom> {
        auto& env = *self->state.env;
        auto t = table_of(env, table);
        if (!t)
          return t.error();
        pending_write w{*t, {}, {}};
        w.ops.reserve(records.size());
        for (auto& r : records) {
          if (auto err = check_key(env, r.key))
            return err;
          w.ops.push_back({std::move(r.key), std::move(r.value), {}});
        }
        auto rp = self->make_response_promise<ok_atom>();
        w.reply = rp;
        enqueue(self, std::move(w));
        return rp;
      },
      [self](put_atom, const std::string& table,
             store_batch& batch) -> caf::result<ok_atom> {
        auto& env = *self->state.env;
        auto t = table_of(env, table);
        if (!t)
          return t.error();
        if (auto err = check_batch(env, batch))
          return err;
        pending_write w{*t, {}, {}};
        w.packed = std::move(batch);
        auto rp = self->make_response_promise<ok_atom>();
        w.reply = rp;
        enqueue(self, std::move(w));
        return rp;
      },
      [self](delete_atom, const std::string& table,
             std::string& key) -> caf::result<bool> {
        auto& env = *self->state.env;
        auto t = record_table(env, table, key);
        if (!t)
          return t.error();
        auto rp = self->make_response_promise<bool>();
        enqueue(self,
                pending_write{*t, {{std::move(key), std::nullopt, {}}}, rp});
        return rp;
      },
      [self](delete_atom, const std::string& table, std::string& from,
             std::string& to) -> caf::result<uint64_t> {
        auto& env = *self->state.env;
        auto t = record_table(env, table, from);
        if (!t)
          return t.error();
        if (to <= from)
          return make_error(ec::invalid_argument,
                            "an empty key range to remove from store table '" +
                                table + "'");
        auto rp = self->make_response_promise<uint64_t>();
        enqueue(self,
                pending_write{
                    *t, {{std::move(from), std::nullopt, std::move(to)}}, rp});
        return rp;
      },
      [self](get_atom, const std::string& table, const std::string& from,
             const std::string& to, uint64_t limit,
             bool reverse) -> caf::result<std::vector<store_record>> {
        return read_range(self->state, table, from, to, limit, reverse);
      },
      [self](get_atom, const std::string& table)
          -> caf::result<std::vector<store_record>> {
        // The whole table: the range from its first key, unbounded.
        return read_range(self->state, table, "", "", 0, false);
      },
      [self](get_atom, const std::string& table,
             const std::string& key) -> caf::result<std::string> {
        auto t = record_table(*self->state.env, table, key);
        if (!t)
          return t.error();
        self->state.commit();
        try {
          auto value = self->state.env->begin_read().get(*t, key);
          if (!value)
            return make_error(ec::not_found, "no key '" + key +
                                                 "' in store table '" + table +
                                                 "'");
          return std::move(*value);
        } catch (const std::exception& e) {
          return make_error(ec::storage_failure, e.what());
        }
      },
      [self](flush_atom) -> caf::result<ok_atom> {
        if (auto err = self->state.commit())
          return err;
        // A no-op when every commit already synced; needed without sync.
        try {
          self->state.env->sync();
          self->state.unsynced = false;
        } catch (const std::exception& e) {
          return make_error(ec::storage_failure, e.what());
        }
        return caf::ok_atom_v;
      },
      [self](commit_atom) {
        auto& st = self->state;
        st.commit_scheduled = false;
        st.commit();
        sync_when_due(self);
      },
  };
}

} // namespace signalbox
