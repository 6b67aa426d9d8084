// A small RAII wrapper over LMDB's C API (<lmdb.h>): one environment with
// named tables, read-only and write transactions, and write transactions
// that grow the map when it is full. Every failure is an lmdb::error whose
// text names the environment's directory and LMDB's own explanation, so that
// the node can print it as it is.
//
// Thread rules (LMDB's): the environment is opened with MDB_NOTLS, so read
// transactions are not tied to a thread; a write transaction must begin and
// end on the same OS thread, and only one may be open in the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <lmdb.h>

#include "store/options.hpp"

namespace signalbox::lmdb {

/// An LMDB (or file system) failure. `code()` is LMDB's return code (an
/// MDB_* constant or an errno value).
class error : public std::runtime_error {
public:
  error(int code, const std::string& text)
      : std::runtime_error(text), code_(code) {}

  int code() const noexcept { return code_; }

  /// The store cannot take more: the map reached store.max-size, or the
  /// file system is full (or over quota; a commit's short write, which
  /// LMDB reports as EIO, on a file system with under 1 MiB free, counts as
  /// ENOSPC). Writes fail until space is back; reads keep working.
  bool full() const noexcept;

private:
  int code_;
};

/// A named database of an environment.
using table = MDB_dbi;

/// Counters of an environment since it was opened, for tests and metrics.
struct env_stats {
  uint64_t write_commits = 0; // successful write-transaction commits
  uint64_t map_resizes = 0;   // times the map was grown after MDB_MAP_FULL
  uint64_t syncs = 0;         // forced flushes to disk (sync())
};

class txn;

/// One LMDB environment in its own directory. It holds an exclusive lock on
/// the directory (the file "signalbox.lock") for its lifetime, so that a
/// second node, or a second open in this process (which LMDB forbids), fails
/// with a clear error instead of corrupting the store.
class env {
public:
  /// Opens (creating if needed) the environment in `opts.directory` with the
  /// named `tables`, each created if missing. Throws lmdb::error.
  static std::shared_ptr<env> open(const store_options& opts,
                                   const std::vector<std::string>& tables);

  ~env();
  env(const env&) = delete;
  env& operator=(const env&) = delete;

  /// The directory of the environment.
  const std::string& path() const { return path_; }

  /// The handle of table `name`, or nullopt when it was not opened.
  std::optional<table> find_table(std::string_view name) const;

  /// Begins a read-only transaction.
  txn begin_read();

  /// Begins a write transaction; it must end on the calling thread.
  txn begin_write();

  /// Runs `fn` in a new write transaction and commits it. When the map is
  /// full (in `fn` or at the commit), the transaction is aborted, the map
  /// doubled and `fn` run again from the start in a fresh transaction: `fn`
  /// must therefore produce its effects only through the transaction (or
  /// overwrite them on every run). Throws lmdb::error for any other failure,
  /// and when the map cannot grow any further.
  ///
  /// `removals_only`: `fn` only removes records. Removing needs a few new
  /// pages too (copy-on-write), so a map full at store.max-size would
  /// refuse the very removals that make room: these may grow it past the
  /// limit, which is set back right after the commit (LMDB keeps it no
  /// smaller than the data).
  void write(const std::function<void(txn&)>& fn, bool removals_only = false);

  /// The current size of the map in bytes.
  uint64_t map_size() const;

  /// Doubles the map, up to store.max-size; throws lmdb::error with
  /// MDB_MAP_FULL (full()) when it is there already, unless
  /// `past_the_limit` (removals; see write). No transaction may be open in
  /// the process.
  void grow_map(bool past_the_limit = false);

  /// Flushes the data to disk (mdb_env_sync with force): needed for
  /// durability when the environment was opened without sync.
  void sync();

  /// The longest key LMDB accepts (keys must also be non-empty).
  size_t max_key_size() const;

  /// A snapshot of the counters.
  env_stats stats() const;

private:
  friend class txn;

  env() = default;

  /// One write transaction, growing the map as write() says; true when it
  /// had to pass store.max-size (removals only).
  bool commit_growing(const std::function<void(txn&)>& fn, bool removals_only);

  // Throws an lmdb::error for `rc` != 0 that says what failed and where.
  void check(int rc, const char* operation) const;

  MDB_env* handle_ = nullptr;
  int lock_fd_ = -1;
  std::string path_;
  std::map<std::string, table, std::less<>> tables_;
  uint64_t max_size_ = 0; // store.max-size, rounded to pages; 0: none
  std::atomic<uint64_t> write_commits_{0};
  std::atomic<uint64_t> map_resizes_{0};
  std::atomic<uint64_t> syncs_{0};
};

/// A read-only or write transaction. Destroying it without commit aborts it.
class txn {
public:
  txn(txn&& other) noexcept;
  txn& operator=(txn&& other) noexcept;
  ~txn();

  /// The value of `key` in table `t`, or nullopt when absent.
  std::optional<std::string> get(table t, std::string_view key) const;

  /// Writes `key` = `value` into table `t` (write transactions only).
  void put(table t, std::string_view key, std::string_view value);

  /// Writes `n` records into table `t` through one cursor, `key_at(i)` and
  /// `value_at(i)` giving record i's parts. LMDB looks for a key on the
  /// cursor's current page before searching from the root, so a run of
  /// neighbouring keys (one signal's new samples) is cheaper than as many
  /// put() calls.
  template <class KeyAt, class ValueAt>
  void put_all(table t, size_t n, KeyAt key_at, ValueAt value_at) {
    auto c = open_cursor(t);
    for (size_t i = 0; i < n; ++i)
      cursor_put(c.get(), key_at(i), value_at(i));
  }

  /// Removes `key` from table `t`; answers whether it existed.
  bool del(table t, std::string_view key);

  /// Calls `fn(key, value)` for every record of table `t`, in key order. The
  /// views are valid only during the call.
  void
  scan(table t,
       const std::function<void(std::string_view, std::string_view)>& fn) const;

  /// Calls `fn(key, value)` for the records of table `t` with keys in
  /// [`from`, `to`) (an empty `to`: no upper bound), in key order or, with
  /// `reverse`, from the last one down; at most `limit` of them (0: all).
  void scan_range(
      table t, std::string_view from, std::string_view to, uint64_t limit,
      bool reverse,
      const std::function<void(std::string_view, std::string_view)>& fn) const;

  /// Removes the records of table `t` with keys in [`from`, `to`) (write
  /// transactions only); answers how many there were.
  uint64_t del_range(table t, std::string_view from, std::string_view to);

  /// Commits; the transaction is over whether or not this throws.
  void commit();

  /// Aborts; no effect when already over.
  void abort() noexcept;

  /// True until commit or abort.
  bool active() const { return handle_ != nullptr; }

private:
  friend class env;

  using cursor_ptr = std::unique_ptr<MDB_cursor, void (*)(MDB_cursor*)>;

  /// A cursor on table `t`, closed before the transaction ends (also when
  /// an exception passes): a cursor of a write transaction must not
  /// outlive it.
  cursor_ptr open_cursor(table t) const;
  void cursor_put(MDB_cursor* c, std::string_view key, std::string_view value);

  txn(env& owner, MDB_txn* handle, bool write)
      : env_(&owner), handle_(handle), write_(write) {}

  env* env_;
  MDB_txn* handle_;
  bool write_;
};

} // namespace signalbox::lmdb
