// Every job status of the seed's enumeration, produced by real processes and
// observed as updatejob frames (plus the REST view afterwards): normal exit,
// exit with error, crashes, failed starts, stop (also of a job that ignores
// SIGTERM), the watchdog, readiness notification, restart policies, and the
// environment a job gets.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { raw, renderConfig } from './lib/config.mjs';
import { expectJson } from './lib/http.mjs';
import { hasNoProcess, nextStatuses, statusesUntil, Status } from './lib/jobs.mjs';
import { processAlive, processGone, SignalboxNode, TempDir } from './lib/node.mjs';
import { eventually, notYet } from './lib/wait.mjs';

const STOP_GRACE_MS = 300;

// A job that sets a shared value through the API the node tells it about.
const PROVIDER_SCRIPT = [
  "const id = process.env.SIGNALBOX_JOB_ID;",
  "const url = new URL('/api/values/from-job-' + id, process.env.SIGNALBOX_URL);",
  "fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' },",
  "  body: JSON.stringify({ value: 'provided', persistent: false, notify: true, provider: 'job-' + id }) })",
  "  .then((r) => process.exit(r.status === 201 ? 0 : 10), () => process.exit(11));",
].join('\n');

/** The configured jobs; ids are 1..n in this order. */
function definitions(dir) {
  const sh = (script) => ['/bin/sh', '-c', script];
  return [
    { name: 'true', command: ['/bin/true'] },
    { name: 'exit-3', command: sh('exit 3') },
    { name: 'segv', command: sh('kill -SEGV $$') },
    { name: 'abort', command: sh('kill -ABRT $$') },
    { name: 'missing-binary', command: ['/nonexistent/program'] },
    { name: 'bad-cwd', command: ['/bin/true'], cwd: '/nonexistent-directory' },
    { name: 'sleeper', command: sh('exec sleep 300') },
    { name: 'ignores-sigterm', command: sh("trap '' TERM; echo 'ignoring SIGTERM'; exec sleep 300") },
    { name: 'watchdog-silent', command: sh('exec sleep 300'), 'watchdog-sec': 1 },
    {
      // Pings every 0.2 s for 4 s, twice its 2 s deadline, then exits 0.
      name: 'watchdog-pinging',
      command: sh('i=0; while [ $i -lt 20 ]; do systemd-notify WATCHDOG=1 || exit 9; sleep 0.2; i=$((i+1)); done'),
      'watchdog-sec': 2,
    },
    {
      // Ready only once the test has created the file.
      name: 'notify-ready',
      command: sh(`while [ ! -e ${dir.file('ready-go')} ]; do sleep 0.02; done; systemd-notify --ready || exit 9; exec sleep 300`),
      notify: true,
    },
    { name: 'always', command: sh('echo run; exit 0'), restart: 'always' },
    {
      // Fails on its first run, succeeds on the second.
      name: 'on-failure',
      command: sh(`if [ -e ${dir.file('failed-once')} ]; then exit 0; fi; touch ${dir.file('failed-once')}; exit 1`),
      restart: 'on-failure',
    },
    {
      name: 'env-echo',
      command: sh('echo "url=$SIGNALBOX_URL id=$SIGNALBOX_JOB_ID wd=$WATCHDOG_USEC notify=${NOTIFY_SOCKET:+set} custom=$CUSTOM"'),
      env: { CUSTOM: 'abc' },
      'watchdog-sec': 30,
    },
    { name: 'provider', command: [process.execPath, '-e', PROVIDER_SCRIPT] },
  ].map((job) => ({ autostart: false, ...job }));
}

describe('job statuses', () => {
  let dir;
  let node;
  let api;
  const id = {};

  before(async () => {
    dir = await TempDir.create();
    const defs = definitions(dir);
    defs.forEach((d, i) => (id[d.name] = i + 1));
    node = await SignalboxNode.start({
      dir,
      config: renderConfig({ jobs: { 'stop-grace': raw(`${STOP_GRACE_MS}ms`), definitions: defs } }),
    });
    api = node.api;
  });
  after(async () => {
    try {
      await node?.dispose();
    } finally {
      await dir?.remove();
    }
  });

  /** Starts job `name` and returns its statuses up to a final one. */
  async function runToEnd(client, name) {
    expectJson(await api.post(`/api/jobs/${id[name]}/start`), 202);
    return statusesUntil(client, id[name]);
  }

  async function job(name) {
    return expectJson(await api.get(`/api/jobs/${id[name]}`), 200);
  }

  test('a configured job that never ran is Stopped (13)', async () => {
    const info = await job('true');
    assert.equal(info.status, Status.Stopped);
    assert.ok(hasNoProcess(info), `pid ${info.pid}`);
  });

  test('exit code 0: Starting, Running, Exited (11, 10, 15)', async () => {
    const client = await node.connect();
    assert.deepEqual(await runToEnd(client, 'true'), [11, 10, 15]);
    const info = await job('true');
    assert.equal(info.status, Status.Exited);
    assert.equal(info.exit_code, 0);
    assert.ok(hasNoProcess(info), `pid ${info.pid}`);
  });

  test('exit code 3: ExitedWithError (16) with exit_code 3', async () => {
    const client = await node.connect();
    assert.deepEqual(await runToEnd(client, 'exit-3'), [11, 10, 16]);
    const info = await job('exit-3');
    assert.equal(info.status, Status.ExitedWithError);
    assert.equal(info.exit_code, 3);
  });

  test('SIGSEGV and SIGABRT: Crashed (17)', async () => {
    const client = await node.connect();
    assert.deepEqual(await runToEnd(client, 'segv'), [11, 10, 17]);
    assert.equal((await job('segv')).status, Status.Crashed);
    assert.deepEqual(await runToEnd(client, 'abort'), [11, 10, 17]);
    assert.equal((await job('abort')).status, Status.Crashed);
  });

  test('a SIGKILL nobody asked for (like the OOM killer): Crashed (17)', async () => {
    const client = await node.connect();
    expectJson(await api.post(`/api/jobs/${id.sleeper}/start`), 202);
    assert.deepEqual(await statusesUntil(client, id.sleeper, { until: (s) => s === Status.Running }), [11, 10]);
    const { pid } = await job('sleeper');
    process.kill(pid, 'SIGKILL');
    assert.deepEqual(await statusesUntil(client, id.sleeper), [17]);
    assert.equal((await job('sleeper')).status, Status.Crashed);
  });

  test('a missing binary and a missing working directory: FailedToStart (14)', async () => {
    const client = await node.connect();
    assert.deepEqual(await runToEnd(client, 'missing-binary'), [11, 14]);
    const missing = await job('missing-binary');
    assert.equal(missing.status, Status.FailedToStart);
    assert.ok(hasNoProcess(missing), `pid ${missing.pid}`);
    assert.deepEqual(await runToEnd(client, 'bad-cwd'), [11, 14]);
    assert.equal((await job('bad-cwd')).status, Status.FailedToStart);
  });

  test('stop of a running job: Stopping, Stopped (12, 13); the process is gone', async () => {
    const client = await node.connect();
    expectJson(await api.post(`/api/jobs/${id.sleeper}/start`), 202);
    assert.deepEqual(await statusesUntil(client, id.sleeper, { until: (s) => s === Status.Running }), [11, 10]);
    const { pid } = await job('sleeper');
    assert.ok(processAlive(pid));
    expectJson(await api.post(`/api/jobs/${id.sleeper}/stop`), 202);
    assert.deepEqual(await statusesUntil(client, id.sleeper), [12, 13]);
    assert.ok(processGone(pid), `process ${pid} reaped once Stopped is reported`);
    const info = await job('sleeper');
    assert.equal(info.status, Status.Stopped);
    assert.ok(hasNoProcess(info), `pid ${info.pid}`);
  });

  test('a job ignoring SIGTERM is killed after jobs.stop-grace and is Stopped (13)', async () => {
    const client = await node.connect();
    expectJson(await api.post(`/api/jobs/${id['ignores-sigterm']}/start`), 202);
    await statusesUntil(client, id['ignores-sigterm'], { until: (s) => s === Status.Running });
    const { pid } = await job('ignores-sigterm');
    // Running means exec'd, not that SIGTERM is ignored yet: on a loaded
    // machine the stop could come first. The program says when it is.
    await eventually(async () => {
      const lines = expectJson(await api.get(`/api/jobs/${id['ignores-sigterm']}/log?lines=10`), 200);
      return lines.some((l) => l.line === 'ignoring SIGTERM') || notYet(lines);
    });
    const stopAt = Date.now();
    expectJson(await api.post(`/api/jobs/${id['ignores-sigterm']}/stop`), 202);
    assert.deepEqual(await statusesUntil(client, id['ignores-sigterm']), [12, 13]);
    const took = Date.now() - stopAt;
    assert.ok(took >= STOP_GRACE_MS - 50, `stopped after ${took} ms: SIGKILL must wait for the grace period`);
    assert.ok(took < STOP_GRACE_MS + 2000, `stopped after ${took} ms: jobs.stop-grace is ${STOP_GRACE_MS} ms`);
    assert.equal(processAlive(pid), false);
  });

  test('missing the watchdog deadline: KilledByWatchdog (18)', async () => {
    const client = await node.connect();
    expectJson(await api.post(`/api/jobs/${id['watchdog-silent']}/start`), 202);
    assert.deepEqual(await statusesUntil(client, id['watchdog-silent'], { until: (s) => s === Status.Running }), [11, 10]);
    const { pid } = await job('watchdog-silent');
    const ending = await statusesUntil(client, id["watchdog-silent"]);
    // Stopping may be reported while the watchdog kills it; the end is 18.
    assert.ok(
      JSON.stringify(ending) === '[18]' || JSON.stringify(ending) === '[12,18]',
      `statuses after Running: ${JSON.stringify(ending)}`,
    );
    assert.equal((await job('watchdog-silent')).status, Status.KilledByWatchdog);
    assert.equal(processAlive(pid), false);
  });

  test('WATCHDOG=1 pings keep a job alive past its deadline', async () => {
    const client = await node.connect();
    const startedAt = Date.now();
    assert.deepEqual(await runToEnd(client, 'watchdog-pinging'), [11, 10, 15]);
    assert.ok(Date.now() - startedAt > 2000, 'the job outlived its deadline');
  });

  test('a notify job is Running only after READY=1', async () => {
    const client = await node.connect();
    const jobId = id['notify-ready'];
    expectJson(await api.post(`/api/jobs/${jobId}/start`), 202);
    assert.deepEqual(await nextStatuses(client, jobId, 1), [11]);
    // The job cannot be ready yet: it waits for the file created below.
    const waiting = await job('notify-ready');
    assert.equal(waiting.status, Status.Starting);
    assert.ok(waiting.pid > 0 && processAlive(waiting.pid), 'the process runs while Starting');
    await fs.promises.writeFile(dir.file('ready-go'), '');
    assert.deepEqual(await nextStatuses(client, jobId, 1), [10]);
    expectJson(await api.post(`/api/jobs/${jobId}/stop`), 202);
    assert.deepEqual(await statusesUntil(client, jobId), [12, 13]);
  });

  test('restart=always restarts after a clean exit and counts restarts', async () => {
    const client = await node.connect();
    expectJson(await api.post(`/api/jobs/${id.always}/start`), 202);
    assert.deepEqual(await nextStatuses(client, id.always, 6), [11, 10, 15, 11, 10, 15]);
    assert.ok((await job('always')).restarts >= 1, 'restarts counted');
    expectJson(await api.post(`/api/jobs/${id.always}/stop`), 202);
    await statusesUntil(client, id.always, { until: (s) => s === Status.Stopped });
    assert.equal((await job('always')).status, Status.Stopped);
  });

  test('restart=on-failure restarts after an error exit; the second run succeeds', async () => {
    const client = await node.connect();
    expectJson(await api.post(`/api/jobs/${id['on-failure']}/start`), 202);
    assert.deepEqual(await nextStatuses(client, id['on-failure'], 6), [11, 10, 16, 11, 10, 15]);
    const info = await job('on-failure');
    assert.equal(info.status, Status.Exited);
    assert.equal(info.exit_code, 0);
    assert.equal(info.restarts, 1);
  });

  test('a job gets SIGNALBOX_URL, SIGNALBOX_JOB_ID, WATCHDOG_USEC, NOTIFY_SOCKET and its env', async () => {
    const client = await node.connect();
    assert.deepEqual(await runToEnd(client, 'env-echo'), [11, 10, 15]);
    const log = await eventually(
      async () => {
        const lines = expectJson(await api.get(`/api/jobs/${id['env-echo']}/log?lines=10`), 200);
        return lines.length > 0 ? lines : notYet(lines);
      },
      { timeoutMs: 5000 },
    );
    assert.equal(log.length, 1, JSON.stringify(log));
    assert.equal(log[0].stream, 'stdout');
    const urlPattern = `http://127\\.0\\.0\\.1:${node.port}/?`;
    assert.match(
      log[0].line,
      new RegExp(`^url=${urlPattern} id=${id['env-echo']} wd=30000000 notify=set custom=abc$`),
    );
  });

  test('a job can provide a shared value through SIGNALBOX_URL', async () => {
    const client = await node.connect();
    const key = `from-job-${id.provider}`;
    expectJson(await api.post(`/api/jobs/${id.provider}/start`), 202);
    assert.deepEqual(await client.next({ cmd: 'dbchange', key }, 10000), { cmd: 'dbchange', key, value: 'provided', reason: 'added' });
    assert.deepEqual(await statusesUntil(client, id.provider), [11, 10, 15]);
    const value = expectJson(await api.get(`/api/values/${key}`), 200);
    assert.equal(value.provider, `job-${id.provider}`);
  });

  // Last in the file on purpose: the tests above took far longer than the
  // first restart delay (100 ms), so a restart after success would show.
  test('restart=on-failure did not restart the job after its successful run', async () => {
    const info = await job('on-failure');
    assert.equal(info.status, Status.Exited);
    assert.equal(info.restarts, 1);
  });
});
