// What survives a restart of the node on the same data directory: persistent
// values (also after kill -9, for every write that was acknowledged), API
// jobs with their ids; and what does not: non-persistent values.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectError, expectJson, expectStatus } from './lib/http.mjs';
import { jobBody } from './lib/jobs.mjs';
import { nodesOnOneDataDir } from './lib/node.mjs';

// No jobs that could outlive a killed node; one configured job to check
// that API ids never collide with configured ones.
const config = renderConfig({
  jobs: { definitions: [{ name: 'configured', command: ['/bin/true'], autostart: false }] },
});

const path = (key) => `/api/values/${encodeURIComponent(key)}`;

/**
 * Runs `body(start)` with a data directory that outlives single nodes;
 * `start()` starts a node on it. Every node and the directory are cleaned
 * up, whatever happens.
 */
async function withDataDir(t, body) {
  await body(await nodesOnOneDataDir(t, { config }));
}

test('a persistent value survives a restart, a non-persistent one does not', async (t) => {
  await withDataDir(t, async (start) => {
    let node = await start();
    expectJson(await node.api.put(path('kept'), { value: 'v1', persistent: true, notify: false, provider: 'e2e' }), 201);
    expectJson(await node.api.put(path('kept'), { value: 'v2', persistent: true, notify: false, provider: 'e2e' }), 200);
    expectJson(await node.api.put(path('forgotten'), { value: 'x', persistent: false, notify: true }), 201);
    expectJson(await node.api.put(path('dropped later'), { value: 'y', persistent: true, notify: true }), 201);
    await node.stopCleanly();

    node = await start();
    assert.deepEqual(expectJson(await node.api.get(path('kept')), 200), {
      key: 'kept',
      value: 'v2',
      persistent: true,
      notify: false,
      provider: 'e2e',
    });
    expectError(await node.api.get(path('forgotten')), 404);
    // A restart re-announces nothing, but the restored value behaves like any
    // other: updating it is an update (200), not an add.
    expectJson(await node.api.put(path('kept'), { value: 'v3', persistent: true, notify: false, provider: 'e2e' }), 200);
    expectStatus(await node.api.delete(path('dropped later')), 204);
    await node.stopCleanly();

    node = await start();
    assert.equal(expectJson(await node.api.get(path('kept')), 200).value, 'v3');
    // A delete of a persistent value is persistent too.
    expectError(await node.api.get(path('dropped later')), 404);
    const keys = expectJson(await node.api.get('/api/values'), 200).map((v) => v.key);
    assert.deepEqual(keys, ['kept']);
  });
});

test('a value that becomes non-persistent is not restored', async (t) => {
  await withDataDir(t, async (start) => {
    let node = await start();
    expectJson(await node.api.put(path('demoted'), { value: 'p', persistent: true, notify: true }), 201);
    expectJson(await node.api.put(path('demoted'), { value: 'np', persistent: false, notify: true }), 200);
    await node.stopCleanly();
    node = await start();
    expectError(await node.api.get(path('demoted')), 404);
  });
});

test('API-created jobs survive a restart with the same id; deleted ones stay deleted', async (t) => {
  await withDataDir(t, async (start) => {
    let node = await start();
    const kept = expectJson(
      await node.api.post('/api/jobs', jobBody('kept-job', ['/bin/sh', '-c', 'echo kept'], { restart: 'on-failure', env: { A: '1' } })),
      201,
    );
    const removed = expectJson(await node.api.post('/api/jobs', jobBody('removed-job', ['/bin/true'])), 201);
    expectStatus(await node.api.delete(`/api/jobs/${removed.id}`), 204);
    await node.stopCleanly();

    node = await start();
    const restored = expectJson(await node.api.get(`/api/jobs/${kept.id}`), 200);
    assert.equal(restored.id, kept.id);
    assert.equal(restored.name, 'kept-job');
    assert.deepEqual(restored.command, ['/bin/sh', '-c', 'echo kept']);
    expectError(await node.api.get(`/api/jobs/${removed.id}`), 404);
    const list = expectJson(await node.api.get('/api/jobs'), 200);
    assert.deepEqual(
      list.map((j) => [j.id, j.name]).sort((a, b) => a[0] - b[0]),
      [
        [1, 'configured'],
        [kept.id, 'kept-job'],
      ],
    );
    // New ids after a restart collide with nothing that exists or existed.
    const fresh = expectJson(await node.api.post('/api/jobs', jobBody('fresh-job', ['/bin/true'])), 201);
    assert.ok(![1, kept.id, removed.id].includes(fresh.id), `fresh id ${fresh.id}`);
  });
});

/**
 * Writes persistent values with `writers` concurrent sequential writers
 * (each up to `perWriter` writes) and kill -9s the node as soon as
 * `killAfterAcks` writes were acknowledged, with the others in flight. A
 * removal of an existing persistent value races along. Returns the
 * acknowledged writes: key -> value (null for the acknowledged removal).
 */
async function killDuringWrites(t, node, { writers, perWriter, killAfterAcks }) {
  expectJson(await node.api.put(path('delete-me'), { value: 'x', persistent: true, notify: true }), 201);
  const acked = new Map();
  let killed = false;
  let sent = 0;
  const kill = () => {
    if (killed) return;
    killed = true;
    process.kill(node.pid, 'SIGKILL');
  };
  const writer = async (w) => {
    for (let i = 0; i < perWriter && !killed; ++i) {
      const key = `durable-${w}-${i}`;
      const value = valueOf(w, i);
      ++sent;
      let reply;
      try {
        reply = await node.api.put(path(key), { value, persistent: true, notify: true });
      } catch (err) {
        if (killed) return; // cut off by the kill: not acknowledged
        throw err;
      }
      if (reply.status === 201) acked.set(key, value);
      else if (!killed) throw new Error(`unexpected reply before the kill: ${reply}`);
      if (acked.size >= killAfterAcks) kill();
    }
  };
  const removal = node.api.delete(path('delete-me')).then(
    (reply) => reply.status === 204 && acked.set('delete-me', null),
    () => {},
  );
  await Promise.all([...Array.from({ length: writers }, (_, w) => writer(w)), removal]);
  assert.ok(killed, `only ${acked.size} writes were acknowledged and no kill happened`);
  const { signal } = await node.waitExit();
  assert.equal(signal, 'SIGKILL');
  t.diagnostic(`${acked.size} acknowledged of ${sent + 1} sent when the kill took effect`);
  return acked;
}

const valueOf = (w, i) => `value-${w}-${i}-${'d'.repeat(((w * 7 + i) % 50) * 10)}`;

/** Every acknowledged write is there; others are absent or whole. */
async function assertDurable(node, acked, { writers, perWriter }) {
  for (const [key, value] of acked) {
    if (value === null) expectError(await node.api.get(path(key)), 404);
    else assert.equal(expectJson(await node.api.get(path(key)), 200).value, value, `acknowledged ${key}`);
  }
  for (let w = 0; w < writers; ++w)
    for (let i = 0; i < perWriter; ++i) {
      const key = `durable-${w}-${i}`;
      if (acked.has(key)) continue;
      const reply = await node.api.get(path(key));
      if (reply.status !== 404) assert.equal(expectJson(reply, 200).value, valueOf(w, i), `unacknowledged ${key} torn`);
    }
}

test('every acknowledged write of 50 concurrent persistent PUTs survives kill -9', async (t) => {
  await withDataDir(t, async (start) => {
    const shape = { writers: 50, perWriter: 1 };
    const acked = await killDuringWrites(t, await start(), { ...shape, killAfterAcks: 1 });
    await assertDurable(await start(), acked, shape);
  });
});

test('every acknowledged write of a steady stream of persistent PUTs survives kill -9', async (t) => {
  await withDataDir(t, async (start) => {
    // Eight writers keep eight requests in flight at any moment, so the kill
    // always lands in the middle of writes.
    const shape = { writers: 8, perWriter: 100 };
    const acked = await killDuringWrites(t, await start(), { ...shape, killAfterAcks: 200 });
    await assertDurable(await start(), acked, shape);
  });
});
