// The LMDB wrapper against a real environment in a temporary directory:
// round trips, persistence across reopen, map growth from a tiny map, and
// the clear errors of a directory that cannot be created, a store in use
// and a corrupt store.
#define CAF_SUITE lmdb

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <utility>

#include "fixture.hpp"
#include "store/lmdb.hpp"

using namespace signalbox;
using signalbox::test::temp_dir;

namespace {

const std::vector<std::string> tables{"values", "jobs", "meta"};

using records = std::vector<std::pair<std::string, std::string>>;

store_options options_in(const std::string& dir, uint64_t map_size = 1 << 20,
                         bool sync = true) {
  store_options opts;
  opts.directory = dir;
  opts.map_size = map_size;
  opts.sync = sync;
  return opts;
}

records scan_all(lmdb::env& env, lmdb::table t) {
  records result;
  env.begin_read().scan(t, [&](std::string_view k, std::string_view v) {
    result.emplace_back(std::string{k}, std::string{v});
  });
  return result;
}

// The text of the lmdb::error that `fn` throws ("" when it throws none).
template <class F>
std::string error_text_of(F fn) {
  try {
    fn();
  } catch (const lmdb::error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(open creates the directory and the named tables) {
  temp_dir dir;
  auto path = dir.str() + "/nested/data";
  auto env = lmdb::env::open(options_in(path), tables);
  CAF_CHECK(std::filesystem::is_directory(path));
  CAF_CHECK(std::filesystem::exists(path + "/data.mdb"));
  CAF_CHECK_EQUAL(env->path(), path);
  for (auto& name : tables)
    CAF_CHECK(env->find_table(name).has_value());
  CAF_CHECK(!env->find_table("nope").has_value());
  // Distinct tables are distinct databases.
  auto values = *env->find_table("values");
  auto jobs = *env->find_table("jobs");
  CAF_CHECK_NOT_EQUAL(values, jobs);
}

CAF_TEST(put get del and scan round trip) {
  temp_dir dir;
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  auto values = *env->find_table("values");
  auto jobs = *env->find_table("jobs");
  env->write([&](lmdb::txn& t) {
    t.put(values, "b", "2");
    t.put(values, "a", "1");
    t.put(values, "c", std::string("with\0nul", 8));
    t.put(jobs, "a", "job");
    // Within the transaction its own writes are visible.
    CAF_CHECK(t.get(values, "a") == std::optional<std::string>{"1"});
  });
  auto r = env->begin_read();
  CAF_CHECK(r.get(values, "a") == std::optional<std::string>{"1"});
  CAF_CHECK_EQUAL(r.get(values, "c")->size(), 8u);
  CAF_CHECK(!r.get(values, "zz").has_value());
  CAF_CHECK(r.get(jobs, "a") == std::optional<std::string>{"job"});
  r.abort();
  // Scans are in key order, per table.
  CAF_CHECK(
      scan_all(*env, values) ==
      (records{{"a", "1"}, {"b", "2"}, {"c", std::string("with\0nul", 8)}}));
  CAF_CHECK(scan_all(*env, jobs) == (records{{"a", "job"}}));
  CAF_CHECK(scan_all(*env, *env->find_table("meta")).empty());
  // Overwrite and delete.
  bool existed = false;
  bool missing = true;
  env->write([&](lmdb::txn& t) {
    t.put(values, "a", "one");
    existed = t.del(values, "b");
    missing = t.del(values, "never");
  });
  CAF_CHECK(existed);
  CAF_CHECK(!missing);
  CAF_CHECK(scan_all(*env, values) ==
            (records{{"a", "one"}, {"c", std::string("with\0nul", 8)}}));
}

CAF_TEST(put_all writes a batch through one cursor) {
  temp_dir dir;
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  auto values = *env->find_table("values");
  env->write([&](lmdb::txn& t) { t.put(values, "m", "old"); });
  // Out of order, an existing key, and a key on either side of it: the
  // cursor's page shortcut must not place any of them wrongly.
  records batch{{"n", "2"}, {"m", "new"}, {"a", "1"}, {"z", "3"}, {"b", "4"}};
  env->write([&](lmdb::txn& t) {
    t.put_all(
        values, batch.size(),
        [&](size_t i) -> std::string_view { return batch[i].first; },
        [&](size_t i) -> std::string_view { return batch[i].second; });
  });
  CAF_CHECK(
      scan_all(*env, values) ==
      (records{{"a", "1"}, {"b", "4"}, {"m", "new"}, {"n", "2"}, {"z", "3"}}));
  // Many neighbouring keys, as a signal's samples are: all there, in order.
  records many;
  for (int i = 0; i < 2000; ++i) {
    char key[8];
    std::snprintf(key, sizeof key, "k%05d", i);
    many.emplace_back(key, std::to_string(i));
  }
  env->write([&](lmdb::txn& t) {
    t.put_all(
        values, many.size(),
        [&](size_t i) -> std::string_view { return many[i].first; },
        [&](size_t i) -> std::string_view { return many[i].second; });
  });
  auto all = scan_all(*env, values);
  CAF_CHECK_EQUAL(all.size(), 2005u);
  CAF_CHECK(std::is_sorted(all.begin(), all.end()));
}

CAF_TEST(a transaction that is not committed leaves no trace) {
  temp_dir dir;
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  auto values = *env->find_table("values");
  auto before = env->stats().write_commits;
  {
    auto t = env->begin_write();
    t.put(values, "k", "v");
  } // destroyed: aborted
  auto t = env->begin_write();
  t.put(values, "k2", "v");
  t.abort();
  CAF_CHECK(!t.active());
  CAF_CHECK(scan_all(*env, values).empty());
  CAF_CHECK_EQUAL(env->stats().write_commits, before);
  // A finished transaction cannot be committed.
  CAF_CHECK(contains(error_text_of([&] { t.commit(); }), "finished"));
}

CAF_TEST(every write counts one commit) {
  temp_dir dir;
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  auto values = *env->find_table("values");
  auto before = env->stats().write_commits;
  env->write([&](lmdb::txn& t) { t.put(values, "a", "1"); });
  env->write([&](lmdb::txn& t) {
    for (int i = 0; i < 10; ++i)
      t.put(values, std::to_string(i), "x");
  });
  CAF_CHECK_EQUAL(env->stats().write_commits, before + 2);
  CAF_CHECK_EQUAL(env->stats().map_resizes, 0u);
}

CAF_TEST(data survives closing and reopening) {
  temp_dir dir;
  {
    auto env = lmdb::env::open(options_in(dir.str()), tables);
    auto jobs = *env->find_table("jobs");
    env->write([&](lmdb::txn& t) { t.put(jobs, "7", "{\"name\":\"x\"}"); });
  }
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  CAF_CHECK(scan_all(*env, *env->find_table("jobs")) ==
            (records{{"7", "{\"name\":\"x\"}"}}));
}

CAF_TEST(a full map grows and the write is replayed) {
  temp_dir dir;
  auto env = lmdb::env::open(options_in(dir.str(), 64 * 1024), tables);
  auto values = *env->find_table("values");
  CAF_CHECK_EQUAL(env->map_size(), 64u * 1024);
  // 4 MiB in one transaction, 64 times the initial map.
  const std::string chunk(64 * 1024, 'x');
  int runs = 0;
  env->write([&](lmdb::txn& t) {
    ++runs;
    for (int i = 0; i < 64; ++i)
      t.put(values, "key" + std::to_string(100 + i), chunk);
  });
  CAF_CHECK_GREATER(runs, 1);
  CAF_CHECK_GREATER(env->stats().map_resizes, 0u);
  CAF_CHECK_GREATER(env->map_size(), 4u * 1024 * 1024);
  auto all = scan_all(*env, values);
  CAF_REQUIRE_EQUAL(all.size(), 64u);
  CAF_CHECK_EQUAL(all.front().first, "key100");
  CAF_CHECK(all.front().second == chunk);
  // Small writes later, in many transactions, keep working.
  for (int i = 0; i < 50; ++i)
    env->write([&](lmdb::txn& t) { t.put(values, "small", chunk); });
  env.reset();
  // Reopening with the tiny configured map adopts the size the data needs.
  auto again = lmdb::env::open(options_in(dir.str(), 64 * 1024), tables);
  CAF_CHECK_EQUAL(scan_all(*again, *again->find_table("values")).size(), 65u);
  again->write([&](lmdb::txn& t) {
    t.put(*again->find_table("values"), "after", chunk);
  });
}

CAF_TEST(a map at store.max - size fails as full and has room after removals) {
  temp_dir dir;
  auto opts = options_in(dir.str(), 64 * 1024);
  opts.max_size = 256 * 1024;
  auto env = lmdb::env::open(opts, tables);
  auto values = *env->find_table("values");
  const std::string chunk(16 * 1024, 'x');
  int stored = 0;
  std::string full_text;
  for (; stored < 100; ++stored) {
    try {
      env->write([&](lmdb::txn& t) {
        t.put(values, "k" + std::to_string(100 + stored), chunk);
      });
    } catch (const lmdb::error& e) {
      CAF_CHECK(e.full());
      full_text = e.what();
      break;
    }
  }
  CAF_MESSAGE("stored " << stored << " chunks, then: " << full_text);
  CAF_CHECK_GREATER(stored, 4);
  CAF_CHECK_LESS(stored, 16);
  CAF_CHECK_EQUAL(env->map_size(), 256u * 1024);
  CAF_CHECK(contains(full_text, "is full"));
  CAF_CHECK(contains(full_text, dir.str()));
  // Everything stored before stays readable.
  CAF_CHECK_EQUAL(scan_all(*env, values).size(), static_cast<size_t>(stored));
  // Removals may pass the limit for their copy-on-write pages, and the
  // map is set back after them.
  env->write(
      [&](lmdb::txn& t) {
        t.del(values, "k100");
        t.del(values, "k101");
      },
      true);
  CAF_CHECK_LESS(env->map_size(), 256u * 1024 + 64 * 1024);
  // The pages they freed take the same write again.
  env->write([&](lmdb::txn& t) { t.put(values, "again", chunk); });
  CAF_CHECK_EQUAL(scan_all(*env, values).size(),
                  static_cast<size_t>(stored - 1));
}

CAF_TEST(an error of the file system being full counts as full) {
  CAF_CHECK(lmdb::error(ENOSPC, "no space").full());
  CAF_CHECK(lmdb::error(EDQUOT, "quota").full());
  CAF_CHECK(lmdb::error(MDB_MAP_FULL, "map").full());
  CAF_CHECK(!lmdb::error(EIO, "io").full());
  CAF_CHECK(!lmdb::error(MDB_CORRUPTED, "corrupt").full());
}

CAF_TEST(an environment without sync syncs on request) {
  temp_dir dir;
  {
    auto env = lmdb::env::open(options_in(dir.str(), 1 << 20, false), tables);
    auto meta = *env->find_table("meta");
    env->write([&](lmdb::txn& t) { t.put(meta, "version", "1"); });
    env->sync();
    CAF_CHECK_EQUAL(env->stats().syncs, 1u);
  }
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  CAF_CHECK(scan_all(*env, *env->find_table("meta")) ==
            (records{{"version", "1"}}));
}

CAF_TEST(a directory that cannot be created is a clear error) {
  temp_dir dir;
  auto file = dir.str() + "/regular-file";
  std::ofstream{file} << "not a directory";
  auto path = file + "/data";
  auto text = error_text_of([&] { lmdb::env::open(options_in(path), tables); });
  CAF_MESSAGE("error: " << text);
  CAF_CHECK(contains(text, path));
  CAF_CHECK(contains(text, "Not a directory"));
  // An existing regular file as the directory itself.
  text = error_text_of([&] { lmdb::env::open(options_in(file), tables); });
  CAF_MESSAGE("error: " << text);
  CAF_CHECK(contains(text, file));
  CAF_CHECK(contains(text, "Not a directory"));
}

CAF_TEST(a store in use is a clear error until it is closed) {
  temp_dir dir;
  auto first = lmdb::env::open(options_in(dir.str()), tables);
  auto text =
      error_text_of([&] { lmdb::env::open(options_in(dir.str()), tables); });
  CAF_MESSAGE("error: " << text);
  CAF_CHECK(contains(text, dir.str()));
  CAF_CHECK(contains(text, "in use"));
  first.reset();
  auto second = lmdb::env::open(options_in(dir.str()), tables);
  CAF_CHECK(second->find_table("values").has_value());
}

CAF_TEST(a corrupt store is a clear error) {
  temp_dir dir;
  {
    std::ofstream data{dir.str() + "/data.mdb", std::ios::binary};
    std::string garbage(64 * 1024, '\x5a');
    data << garbage;
  }
  auto text =
      error_text_of([&] { lmdb::env::open(options_in(dir.str()), tables); });
  CAF_MESSAGE("error: " << text);
  CAF_CHECK(contains(text, dir.str()));
  CAF_CHECK(contains(text, "mdb_env_open"));
  CAF_CHECK(contains(text, "MDB_INVALID"));
}

CAF_TEST(keys have LMDB limits) {
  temp_dir dir;
  auto env = lmdb::env::open(options_in(dir.str()), tables);
  auto values = *env->find_table("values");
  CAF_CHECK_EQUAL(env->max_key_size(), 511u);
  auto t = env->begin_write();
  t.put(values, std::string(511, 'k'), "fits");
  auto text =
      error_text_of([&] { t.put(values, std::string(512, 'k'), "too long"); });
  CAF_CHECK(contains(text, "mdb_put"));
  CAF_CHECK(contains(text, "MDB_BAD_VALSIZE"));
  // A rejected key does not spoil the transaction.
  t.commit();
  CAF_CHECK_EQUAL(scan_all(*env, values).size(), 1u);
}
