// The node's persistence: the `store` actor (interfaces.hpp) over one LMDB
// environment with the tables of store.tables ("values", "jobs", "meta" and
// those the services add).
//
// Group commit: a write (put or delete) is not applied when it arrives; it
// joins the pending batch, and the first write of a batch sends the actor a
// `commit_atom`, which lands behind every message already in the mailbox.
// When the commit_atom is handled, all writes of the batch are applied in ONE
// write transaction, committed, and only then answered. If the map is full,
// the transaction is aborted, the map doubled and the batch replayed from
// its list. If the commit fails, every write of the batch is answered with
// ec::storage_failure: nothing was acknowledged, so nothing acknowledged is
// lost. The write transaction begins and ends inside one handler, so it never
// spans messages (LMDB ties it to the OS thread).
//
// Reads commit the pending batch first (and so answer those writes first),
// then read in a read-only transaction: a reader sees its own earlier writes
// and never sees data that is not yet durable.
//
// Without store.sync, commits skip fsync and a timer (a delayed commit_atom)
// flushes them every store.sync-interval. A write when the map has reached
// store.max-size, or the disk is full, is answered with ec::storage_full
// (REST 507) and nothing of its batch is stored; reads go on, and writes
// succeed again once records are removed or the disk has room.
//
// The actor runs detached because a commit blocks in fsync.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "core/metrics.hpp"
#include "store/lmdb.hpp"
#include "store/options.hpp"

namespace signalbox {

/// Opens the node's LMDB environment with the tables of `opts.tables`. A
/// directory that cannot be created, a store in use by another process, or a
/// corrupt environment is ec::storage_failure with a text naming the directory
/// and the cause.
caf::expected<std::shared_ptr<lmdb::env>>
open_store_env(const store_options& opts);

/// What the store counts (GET /metrics). Default-constructed: counters of
/// its own, seen by nobody (tests, tools).
struct store_metrics {
  std::shared_ptr<metrics::counter> commits =
      std::make_shared<metrics::counter>();
  std::shared_ptr<metrics::counter> failures =
      std::make_shared<metrics::counter>();
  std::shared_ptr<metrics::histogram> commit_seconds =
      std::make_shared<metrics::histogram>(metrics::latency_buckets());

  /// The node's, registered in `reg`.
  static store_metrics registered_in(metrics::registry& reg);
};

/// Opens the environment (a failure is a start-up error, see
/// open_store_env), then spawns the store actor detached.
caf::expected<store_actor> spawn_store(caf::actor_system& sys,
                                       const store_options& opts,
                                       store_metrics counts = {});

/// One change of a pending write.
struct store_op {
  std::string key;
  std::optional<std::string> value; // nullopt: remove the key
  std::string range_end; // with no value: remove every key in [key, end)
};

/// A write of the pending batch (one request: one or many changes), kept
/// until its commit: the list a batch is replayed from after the map grew.
struct pending_write {
  lmdb::table table = 0;
  std::vector<store_op> ops;
  std::variant<caf::typed_response_promise<ok_atom>,
               caf::typed_response_promise<bool>,
               caf::typed_response_promise<uint64_t>>
      reply;
  uint64_t removed = 0; // removals, decided inside the transaction
  /// Packed records, instead of `ops` (empty for most writes).
  store_batch packed = {};
};

/// The state of the store actor.
struct store_state {
  std::shared_ptr<lmdb::env> env;
  std::vector<pending_write> batch;
  bool commit_scheduled = false; // a commit_atom is in the mailbox
  store_metrics counts;
  /// Without store.sync: commits reach the disk this long after (a forced
  /// sync); zero when every commit syncs itself.
  std::chrono::milliseconds sync_interval{0};
  bool unsynced = false;   // committed since the last sync
  bool sync_armed = false; // a commit_atom is on its way to sync
  caf::actor_clock::time_point sync_due;

  static inline const char* name = "signalbox.store";

  store_state() = default;
  store_state(const store_state&) = delete;
  store_state& operator=(const store_state&) = delete;

  /// Commits the pending batch on actor exit, before the environment closes.
  ~store_state();

  /// Applies and commits the pending batch in one write transaction, then
  /// answers each of its writes; on failure answers each with the error,
  /// which is also returned. No effect (and no error) for an empty batch.
  caf::error commit();
};

/// The store's behavior over an open environment. spawn_store runs it
/// detached; the deterministic tests spawn it on the test scheduler.
store_actor::behavior_type
store_behavior(store_actor::stateful_pointer<store_state> self,
               std::shared_ptr<lmdb::env> env);

} // namespace signalbox
