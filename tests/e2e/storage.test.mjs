// A full store (issue 15, "Faults with nothing lost"): with store.max-size
// the LMDB map stops growing there, and a file system can be really full
// (the last test). Persistent writes beyond it answer 507
// with a clear error and store nothing; reads, in-memory values and their
// notifications keep working; removing records makes room again without a
// restart; and every write that was acknowledged survives kill -9.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';

import { expectError, expectJson, expectStatus } from './lib/http.mjs';
import { scrape, valueOf } from './lib/metrics.mjs';
import { nodesOnOneDataDir, runToExit, SignalboxNode, TempDir } from './lib/node.mjs';

const LIMITS = ['--store.map-size=65536', '--store.max-size=262144'];
const CHUNK = 'x'.repeat(15000);

test('at store.max-size writes get 507, and nothing acknowledged is lost', { timeout: 60000 }, async (t) => {
  const start = await nodesOnOneDataDir(t, { args: LIMITS });
  let node = await start();
  const put = (key, persistent, value = CHUNK) => node.api.put(`/api/values/${key}`, { value, persistent, notify: true });

  // Fill the store: every 201 is a write the node promised to keep.
  const acknowledged = [];
  let refusal;
  for (let i = 0; i < 100; ++i) {
    const reply = await put(`full-${i}`, true);
    if (reply.status === 201) {
      acknowledged.push(`full-${i}`);
      continue;
    }
    refusal = reply;
    break;
  }
  assert.ok(refusal, 'the store never filled up');
  assert.ok(acknowledged.length >= 4, `only ${acknowledged.length} writes fitted`);
  const error = expectError(refusal, 507);
  assert.match(error, /cannot store shared value 'full-\d+': .*is full.*store\.max-size/);
  // The refused key does not exist: nothing of the write was kept.
  expectStatus(await node.api.get(`/api/values/full-${acknowledged.length}`), 404);

  // Reads go on; in-memory values are written and notified as before.
  expectJson(await node.api.get(`/api/values/${acknowledged[0]}`), 200);
  const client = await node.connect();
  expectJson(await put('in-memory', false, 'still works'), 201);
  assert.equal((await client.next({ cmd: 'dbchange', key: 'in-memory' })).value, 'still works');

  // Removing records makes room, without a restart.
  for (const key of acknowledged.splice(0, 3)) expectStatus(await node.api.delete(`/api/values/${key}`), 204);
  expectJson(await put('after-room', true), 201);
  acknowledged.push('after-room');

  const { samples: metrics } = await scrape(node.port);
  assert.ok(valueOf(metrics, 'signalbox_store_commit_failures_total') >= 1);

  // kill -9: every acknowledged write is there after the restart.
  await node.kill9();
  node = await start();
  for (const key of acknowledged) {
    const got = expectJson(await node.api.get(`/api/values/${key}`), 200);
    assert.equal(got.value, CHUNK, key);
  }
});

test('store.max-size below store.map-size is refused at start-up', async () => {
  const dir = await TempDir.create();
  try {
    const r = await runToExit([`--store.directory=${dir.file('data')}`, '--ttm.port=0', '--store.map-size=1048576', '--store.max-size=65536'], { cwd: dir.path });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /store\.map-size must not be larger than store\.max-size/);
  } finally {
    await dir.remove();
  }
});

// A really full file system: the store on a 512 KiB tmpfs, with no
// store.max-size. LMDB reports the short write that meets the end of the
// disk as EIO; the node sees the file system is out of room and answers
// 507 as for ENOSPC. Mounting needs root (CAP_SYS_ADMIN): elsewhere the
// test is skipped and says why.
test('on a full file system writes get 507, and removals make room', { timeout: 60000 }, async (t) => {
  const dir = await TempDir.create();
  const mountPoint = dir.file('data');
  await fs.promises.mkdir(mountPoint);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (mount.status !== 0) {
    await dir.remove();
    t.skip(`cannot mount a tmpfs here: ${(mount.stderr || mount.error?.message || '').trim()}`);
    return;
  }
  const nodes = [];
  t.after(async () => {
    for (const n of nodes) await n.dispose();
    spawnSync('umount', [mountPoint]);
    await dir.remove();
  });
  const start = async () => {
    const n = await SignalboxNode.start({ dir });
    nodes.push(n);
    return n;
  };
  let node = await start();
  const put = (key) => node.api.put(`/api/values/${key}`, { value: CHUNK, persistent: true });

  const acknowledged = [];
  let refusal;
  for (let i = 0; i < 100 && !refusal; ++i) {
    const reply = await put(`disk-${i}`);
    if (reply.status === 201) acknowledged.push(`disk-${i}`);
    else refusal = reply;
  }
  assert.ok(refusal, 'the file system never filled up');
  assert.match(expectError(refusal, 507), /cannot store shared value 'disk-\d+': .*No space left on device/);
  expectJson(await node.api.get(`/api/values/${acknowledged[0]}`), 200);

  for (const key of acknowledged.splice(0, 6)) expectStatus(await node.api.delete(`/api/values/${key}`), 204);
  expectJson(await put('after-room'), 201);
  acknowledged.push('after-room');

  await node.kill9();
  node = await start();
  for (const key of acknowledged) assert.equal(expectJson(await node.api.get(`/api/values/${key}`), 200).value, CHUNK, key);
});
