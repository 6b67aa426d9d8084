#include "store/lmdb.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <system_error>
#include <unistd.h>

namespace signalbox::lmdb {

namespace {

/// The key of the settling commit after removals at the limit (written and
/// removed in one transaction: it never stays).
constexpr std::string_view settle_key = "\x01signalbox-settle";

} // namespace

bool error::full() const noexcept {
  return code_ == MDB_MAP_FULL || code_ == ENOSPC || code_ == EDQUOT;
}

namespace {

/// Free space below which a failed write is taken for a full file system.
constexpr uint64_t nearly_full_bytes = 1024 * 1024;

/// Whether the file system holding `path` has (almost) no room left for an
/// unprivileged writer.
bool short_of_space(const std::string& path) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0)
    return false;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < nearly_full_bytes;
}

// Growing stops after this many doublings within one write: far beyond any
// real store (64 KiB doubled 40 times is 64 PiB), it only ends a loop that
// would otherwise go on until mmap fails.
constexpr int max_map_growths = 40;

MDB_val to_val(std::string_view bytes) {
  // LMDB never writes through mv_data of a key or of a value passed to
  // mdb_put without MDB_RESERVE: the const_cast is safe.
  return MDB_val{bytes.size(), const_cast<char*>(bytes.data())};
}

std::string_view to_view(const MDB_val& val) {
  return {static_cast<const char*>(val.mv_data), val.mv_size};
}

// Map sizes should be a multiple of the OS page size.
size_t round_to_pages(uint64_t bytes) {
  auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  return static_cast<size_t>((bytes + page - 1) / page * page);
}

// Creates `dir` (and its parents) unless it is already a directory.
void create_directory(const std::string& dir) {
  std::error_code err;
  std::filesystem::create_directories(dir, err);
  if (err)
    throw error(err.value(), "cannot create the store directory '" + dir +
                                 "': " + err.message());
  if (!std::filesystem::is_directory(dir, err))
    throw error(ENOTDIR, "the store directory '" + dir +
                             "' exists but is not a directory");
}

// Opens and exclusively locks `dir`/signalbox.lock. The descriptor is
// close-on-exec: a job's child process must never inherit the lock and keep
// a restarted node out of its own store.
int lock_directory(const std::string& dir) {
  auto file = dir + "/signalbox.lock";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    throw error(err, "cannot open the lock file '" + file +
                         "': " + std::strerror(err));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      throw error(err, "the store directory '" + dir +
                           "' is in use (locked by another process, or "
                           "already open in this one)");
    throw error(err, "cannot lock '" + file + "': " + std::strerror(err));
  }
  return fd;
}

} // namespace

// -- env ----------------------------------------------------------------------

std::shared_ptr<env> env::open(const store_options& opts,
                               const std::vector<std::string>& tables) {
  // Constructed first so that its destructor releases whatever a failing
  // step below already acquired.
  std::shared_ptr<env> result{new env};
  result->path_ = opts.directory;
  create_directory(opts.directory);
  result->lock_fd_ = lock_directory(opts.directory);
  result->check(mdb_env_create(&result->handle_), "mdb_env_create");
  auto& self = *result;
  self.check(
      mdb_env_set_maxdbs(self.handle_, static_cast<MDB_dbi>(tables.size())),
      "mdb_env_set_maxdbs");
  self.max_size_ = opts.max_size > 0 ? round_to_pages(opts.max_size) : 0;
  if (opts.map_size > 0)
    self.check(mdb_env_set_mapsize(self.handle_, round_to_pages(opts.map_size)),
               "mdb_env_set_mapsize");
  // MDB_NOTLS: actors move between scheduler threads, so reader slots must
  // belong to transactions, not threads. Without sync, commits skip fsync
  // (the data still reaches the page cache: a killed process loses nothing,
  // a power cut may lose the last commits).
  unsigned flags = MDB_NOTLS;
  if (!opts.sync)
    flags |= MDB_NOSYNC | MDB_NOMETASYNC;
  self.check(mdb_env_open(self.handle_, opts.directory.c_str(), flags, 0600),
             "mdb_env_open");
  // Reader slots of processes that died (kill -9) are freed here.
  int dead = 0;
  self.check(mdb_reader_check(self.handle_, &dead), "mdb_reader_check");
  std::map<std::string, table, std::less<>> handles;
  self.write([&](txn& t) {
    handles.clear();
    for (auto& name : tables) {
      table dbi = 0;
      self.check(mdb_dbi_open(t.handle_, name.c_str(), MDB_CREATE, &dbi),
                 ("mdb_dbi_open '" + name + "'").c_str());
      handles.emplace(name, dbi);
    }
  });
  self.tables_ = std::move(handles);
  return result;
}

env::~env() {
  if (handle_ != nullptr)
    mdb_env_close(handle_);
  if (lock_fd_ >= 0)
    ::close(lock_fd_);
}

void env::check(int rc, const char* operation) const {
  if (rc == 0)
    return;
  throw error(rc, std::string{operation} + " failed for the store in '" +
                      path_ + "': " + mdb_strerror(rc));
}

std::optional<table> env::find_table(std::string_view name) const {
  if (auto i = tables_.find(name); i != tables_.end())
    return i->second;
  return std::nullopt;
}

txn env::begin_read() {
  MDB_txn* handle = nullptr;
  int rc = mdb_txn_begin(handle_, nullptr, MDB_RDONLY, &handle);
  if (rc == MDB_MAP_RESIZED) {
    // Another process grew the map: adopt its size and try again.
    check(mdb_env_set_mapsize(handle_, 0), "mdb_env_set_mapsize");
    rc = mdb_txn_begin(handle_, nullptr, MDB_RDONLY, &handle);
  }
  check(rc, "mdb_txn_begin (read)");
  return txn{*this, handle, false};
}

txn env::begin_write() {
  MDB_txn* handle = nullptr;
  int rc = mdb_txn_begin(handle_, nullptr, 0, &handle);
  if (rc == MDB_MAP_RESIZED) {
    check(mdb_env_set_mapsize(handle_, 0), "mdb_env_set_mapsize");
    rc = mdb_txn_begin(handle_, nullptr, 0, &handle);
  }
  check(rc, "mdb_txn_begin (write)");
  return txn{*this, handle, true};
}

void env::write(const std::function<void(txn&)>& fn, bool removals_only) {
  commit_growing(fn, removals_only);
  if (!removals_only || max_size_ == 0 || map_size() < max_size_)
    return;
  // Removals at the limit. LMDB reuses the pages a commit frees only from
  // the second commit after it on (seen: without this, the next write
  // still failed as full): make that one now, a record written and
  // removed again, so that the next write finds the room.
  auto any = tables_.begin()->second;
  commit_growing(
      [any](txn& t) {
        t.put(any, settle_key, "");
        t.del(any, settle_key);
      },
      true);
  check(mdb_env_set_mapsize(handle_, static_cast<size_t>(max_size_)),
        "mdb_env_set_mapsize (back to store.max-size)");
}

bool env::commit_growing(const std::function<void(txn&)>& fn,
                         bool removals_only) {
  bool past_the_limit = false;
  for (int growths = 0;; ++growths) {
    try {
      auto t = begin_write();
      fn(t);
      t.commit();
      break;
    } catch (const error& e) {
      // The transaction is already aborted here (destroyed by unwinding).
      if (e.code() != MDB_MAP_FULL || growths == max_map_growths)
        throw;
    }
    past_the_limit = past_the_limit || (removals_only && max_size_ > 0 &&
                                        map_size() >= max_size_);
    grow_map(removals_only);
  }
  return past_the_limit;
}

uint64_t env::map_size() const {
  MDB_envinfo info;
  check(mdb_env_info(handle_, &info), "mdb_env_info");
  return info.me_mapsize;
}

void env::grow_map(bool past_the_limit) {
  auto size = map_size();
  auto grown = size * 2;
  if (max_size_ > 0 && size >= max_size_) {
    if (!past_the_limit)
      throw error(MDB_MAP_FULL,
                  "the store in '" + path_ + "' is full: it holds " +
                      std::to_string(size) + " bytes, store.max-size");
    // A removal's copy-on-write pages: a little room, given back after.
    grown = size + std::max<uint64_t>(max_size_ / 8, 64 * 1024);
  } else if (max_size_ > 0) {
    grown = std::min(grown, max_size_);
  }
  check(mdb_env_set_mapsize(handle_, static_cast<size_t>(grown)),
        "mdb_env_set_mapsize (growing the map)");
  ++map_resizes_;
}

void env::sync() {
  check(mdb_env_sync(handle_, 1), "mdb_env_sync");
  ++syncs_;
}

size_t env::max_key_size() const {
  return static_cast<size_t>(mdb_env_get_maxkeysize(handle_));
}

env_stats env::stats() const {
  return env_stats{write_commits_.load(), map_resizes_.load(), syncs_.load()};
}

// -- txn ----------------------------------------------------------------------

txn::txn(txn&& other) noexcept
    : env_(other.env_), handle_(other.handle_), write_(other.write_) {
  other.handle_ = nullptr;
}

txn& txn::operator=(txn&& other) noexcept {
  if (this != &other) {
    abort();
    env_ = other.env_;
    handle_ = other.handle_;
    write_ = other.write_;
    other.handle_ = nullptr;
  }
  return *this;
}

txn::~txn() {
  abort();
}

std::optional<std::string> txn::get(table t, std::string_view key) const {
  auto k = to_val(key);
  MDB_val v;
  int rc = mdb_get(handle_, t, &k, &v);
  if (rc == MDB_NOTFOUND)
    return std::nullopt;
  env_->check(rc, "mdb_get");
  return std::string{to_view(v)};
}

void txn::put(table t, std::string_view key, std::string_view value) {
  auto k = to_val(key);
  auto v = to_val(value);
  env_->check(mdb_put(handle_, t, &k, &v, 0), "mdb_put");
}

txn::cursor_ptr txn::open_cursor(table t) const {
  MDB_cursor* raw = nullptr;
  env_->check(mdb_cursor_open(handle_, t, &raw), "mdb_cursor_open");
  return cursor_ptr{raw, mdb_cursor_close};
}

void txn::cursor_put(MDB_cursor* c, std::string_view key,
                     std::string_view value) {
  auto k = to_val(key);
  auto v = to_val(value);
  env_->check(mdb_cursor_put(c, &k, &v, 0), "mdb_cursor_put");
}

bool txn::del(table t, std::string_view key) {
  auto k = to_val(key);
  int rc = mdb_del(handle_, t, &k, nullptr);
  if (rc == MDB_NOTFOUND)
    return false;
  env_->check(rc, "mdb_del");
  return true;
}

void txn::scan(
    table t,
    const std::function<void(std::string_view, std::string_view)>& fn) const {
  auto cursor = open_cursor(t);
  auto* raw = cursor.get();
  MDB_val k;
  MDB_val v;
  for (int rc = mdb_cursor_get(raw, &k, &v, MDB_FIRST); rc != MDB_NOTFOUND;
       rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT)) {
    env_->check(rc, "mdb_cursor_get");
    fn(to_view(k), to_view(v));
  }
}

namespace {

bool below(std::string_view key, std::string_view to) {
  return to.empty() || key < to;
}

} // namespace

void txn::scan_range(
    table t, std::string_view from, std::string_view to, uint64_t limit,
    bool reverse,
    const std::function<void(std::string_view, std::string_view)>& fn) const {
  auto cursor = open_cursor(t);
  auto* raw = cursor.get();
  MDB_val k;
  MDB_val v;
  uint64_t n = 0;
  auto wanted = [&](int rc) {
    if (rc == MDB_NOTFOUND)
      return false;
    env_->check(rc, "mdb_cursor_get");
    return limit == 0 || n < limit;
  };
  if (!reverse) {
    // LMDB refuses an empty key: from "" is from the first record.
    k = to_val(from);
    for (int rc = mdb_cursor_get(raw, &k, &v,
                                 from.empty() ? MDB_FIRST : MDB_SET_RANGE);
         wanted(rc) && below(to_view(k), to);
         rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT), ++n)
      fn(to_view(k), to_view(v));
    return;
  }
  // Backwards: start at the last key below `to` (or the very last one).
  int rc;
  if (to.empty()) {
    rc = mdb_cursor_get(raw, &k, &v, MDB_LAST);
  } else {
    k = to_val(to);
    rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE);
    rc = rc == MDB_NOTFOUND ? mdb_cursor_get(raw, &k, &v, MDB_LAST)
                            : mdb_cursor_get(raw, &k, &v, MDB_PREV);
  }
  for (; wanted(rc) && to_view(k) >= from;
       rc = mdb_cursor_get(raw, &k, &v, MDB_PREV), ++n)
    if (below(to_view(k), to))
      fn(to_view(k), to_view(v));
}

uint64_t txn::del_range(table t, std::string_view from, std::string_view to) {
  auto cursor = open_cursor(t);
  auto* raw = cursor.get();
  MDB_val v;
  uint64_t n = 0;
  for (;;) {
    // Seek afresh after every deletion: where a cursor stands after
    // mdb_cursor_del at the end of a table is not worth relying on.
    MDB_val k = to_val(from);
    int rc =
        mdb_cursor_get(raw, &k, &v, from.empty() ? MDB_FIRST : MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
      break;
    env_->check(rc, "mdb_cursor_get");
    if (!below(to_view(k), to))
      break;
    env_->check(mdb_cursor_del(raw, 0), "mdb_cursor_del");
    ++n;
  }
  return n;
}

void txn::commit() {
  if (handle_ == nullptr)
    throw error(EINVAL, "commit of a finished transaction of the store in '" +
                            env_->path_ + "'");
  // mdb_txn_commit frees the transaction whatever it returns.
  int rc = mdb_txn_commit(handle_);
  handle_ = nullptr;
  // LMDB reports a short write as EIO, and a write that fills the file
  // system is a short write: seen on a full tmpfs.
  if (rc == EIO && short_of_space(env_->path_))
    rc = ENOSPC;
  env_->check(rc, "mdb_txn_commit");
  if (write_)
    ++env_->write_commits_;
}

void txn::abort() noexcept {
  if (handle_ != nullptr) {
    mdb_txn_abort(handle_);
    handle_ = nullptr;
  }
}

} // namespace signalbox::lmdb
