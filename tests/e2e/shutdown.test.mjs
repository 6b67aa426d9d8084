// An orderly shutdown on SIGTERM (and SIGINT): WebSocket clients are closed
// with 1001 (going away), running jobs are stopped (SIGKILL after the grace
// period for those ignoring SIGTERM), acknowledged writes are kept, and the
// node exits with code 0.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { raw, renderConfig } from './lib/config.mjs';
import { expectJson } from './lib/http.mjs';
import { Status, updateOf } from './lib/jobs.mjs';
import { nodesOnOneDataDir, processAlive, processGone } from './lib/node.mjs';

const config = renderConfig({
  jobs: {
    'stop-grace': raw('300ms'),
    definitions: [
      { name: 'sleeper', command: ['/bin/sh', '-c', 'exec sleep 300'] },
      { name: 'ignores-sigterm', command: ['/bin/sh', '-c', "trap '' TERM; exec sleep 300"] },
    ],
  },
});

const path = (key) => `/api/values/${encodeURIComponent(key)}`;

/** The pids of all configured jobs once each is Running. */
async function runningPids(node, client) {
  const pids = [];
  for (const job of expectJson(await node.api.get('/api/jobs'), 200)) {
    // Connected before reading the list: a later transition is a frame.
    if (job.status !== Status.Running) await client.next((m) => updateOf(job.id)(m) && m.status === Status.Running, 10000);
    const { pid } = expectJson(await node.api.get(`/api/jobs/${job.id}`), 200);
    assert.ok(pid > 0 && processAlive(pid), `job ${job.id} runs as ${pid}`);
    pids.push(pid);
  }
  return pids;
}

function withDataDir(t) {
  return nodesOnOneDataDir(t, { config });
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal}: clients closed with 1001, jobs stopped, writes kept, exit code 0`, { timeout: 30000 }, async (t) => {
    const start = await withDataDir(t);
    let node = await start();
    const clients = [await node.connect({ label: 'root' }), await node.connect({ path: '/ttmnotify', label: '/ttmnotify' })];
    const pids = await runningPids(node, clients[0]);
    assert.equal(pids.length, 2);

    expectJson(await node.api.put(path('before-shutdown'), { value: 'kept', persistent: true, notify: true }), 201);
    // More writes in flight while the signal arrives: whatever was
    // acknowledged must be kept.
    const acked = new Map();
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      node.api.put(path(`racing-${i}`), { value: `r${i}`, persistent: true, notify: true }).then(
        (reply) => {
          if (reply.status === 201) acked.set(`racing-${i}`, `r${i}`);
        },
        () => {},
      ),
    );
    const signalledAt = Date.now();
    node.child.kill(signal);

    for (const client of clients) assert.equal((await client.waitClose(10000)).code, 1001, client.label);
    const { code, signal: killedBy } = await node.waitExit(15000);
    assert.deepEqual({ code, signal: killedBy }, { code: 0, signal: null }, node.describe());
    // The job that ignores SIGTERM is killed after the 300 ms grace.
    const took = Date.now() - signalledAt;
    assert.ok(took < 5000, `shutdown took ${took} ms`);
    await Promise.all(inFlight);
    for (const pid of pids) {
      assert.equal(processAlive(pid), false, `job process ${pid} still runs after the node exited`);
      assert.ok(processGone(pid), `job process ${pid} was not reaped by the node before it exited`);
    }

    node = await start();
    assert.equal(expectJson(await node.api.get(path('before-shutdown')), 200).value, 'kept');
    for (const [key, value] of acked) assert.equal(expectJson(await node.api.get(path(key)), 200).value, value, key);
    // The restarted node runs its autostart jobs again and stops cleanly.
    await node.stopCleanly();
  });
}

test('SIGTERM with an idle client connected exits promptly, every time', { timeout: 45000 }, async (t) => {
  // The plainest case, repeated: one client, nothing else going on.
  const start = await withDataDir(t);
  for (let run = 0; run < 5; ++run) {
    const node = await start({ config: renderConfig({ store: { sync: true } }) });
    const client = await node.connect();
    node.child.kill('SIGTERM');
    assert.equal((await client.waitClose(5000)).code, 1001, `run ${run}`);
    const { code, signal } = await node.waitExit(5000);
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, `run ${run}\n${node.describe()}`);
  }
});
