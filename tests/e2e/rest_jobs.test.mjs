// The job routes of the REST API: listing, creating (Location + refresh
// newjob), editing, deleting (process stopped first + refresh jobremoved),
// start/stop/restart, captured output, and the rules about configured jobs
// and non-editable nodes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { raw, renderConfig } from './lib/config.mjs';
import { expectError, expectJson, expectStatus } from './lib/http.mjs';
import { hasNoProcess, jobBody, statusesUntil, Status, updateOf } from './lib/jobs.mjs';
import { processAlive, processGone, SignalboxNode } from './lib/node.mjs';
import { eventually, notYet } from './lib/wait.mjs';

const SLEEPER = ['/bin/sh', '-c', 'exec sleep 300'];
const TALKER = [
  '/bin/sh',
  '-c',
  'for i in 1 2 3 4 5; do echo out-$i; done; echo err-1 >&2; echo err-2 >&2',
];

const config = renderConfig({
  jobs: {
    'stop-grace': raw('2s'),
    definitions: [
      { name: 'configured-sleeper', command: SLEEPER, autostart: false },
      { name: 'configured-talker', command: TALKER, autostart: false },
    ],
  },
});

const JOB_FIELDS = ['command', 'exit_code', 'id', 'name', 'pid', 'restarts', 'status'];

function assertJobShape(job) {
  for (const field of JOB_FIELDS) assert.ok(field in job, `job lacks "${field}": ${JSON.stringify(job)}`);
  assert.equal(typeof job.id, 'number');
  assert.equal(typeof job.status, 'number');
  assert.ok(typeof job.pid === 'number' || job.pid === null, `pid ${job.pid}`);
  assert.ok(typeof job.exit_code === 'number' || job.exit_code === null, `exit_code ${job.exit_code}`);
  assert.equal(typeof job.restarts, 'number');
  assert.ok(Array.isArray(job.command));
}

/** Waits until the job's log holds `count` lines; resolves with the log. */
function logWithLines(api, id, count) {
  return eventually(
    async () => {
      const log = expectJson(await api.get(`/api/jobs/${id}/log?lines=100`), 200);
      return log.length >= count ? log : notYet(log);
    },
    { timeoutMs: 5000 },
  );
}

describe('REST /api/jobs', () => {
  let node;
  let api;

  before(async () => {
    node = await SignalboxNode.start({ config });
    api = node.api;
  });
  after(() => node?.dispose());

  test('GET /api/jobs lists the configured jobs with ids 1..n in config order', async () => {
    const list = expectJson(await api.get('/api/jobs'), 200);
    assert.ok(Array.isArray(list));
    for (const job of list) assertJobShape(job);
    const configured = list.filter((j) => j.id <= 2);
    assert.deepEqual(
      configured.map((j) => ({ id: j.id, name: j.name, command: j.command, status: j.status, running: !hasNoProcess(j), restarts: j.restarts })),
      [
        { id: 1, name: 'configured-sleeper', command: SLEEPER, status: Status.Stopped, running: false, restarts: 0 },
        { id: 2, name: 'configured-talker', command: TALKER, status: Status.Stopped, running: false, restarts: 0 },
      ],
    );
  });

  test('GET /api/jobs/{id} returns the job; unknown ids are 404', async () => {
    const job = expectJson(await api.get('/api/jobs/2'), 200);
    assertJobShape(job);
    assert.equal(job.id, 2);
    assert.equal(job.name, 'configured-talker');
    expectError(await api.get('/api/jobs/999'), 404);
    expectError(await api.get('/api/jobs/999/log'), 404);
    expectError(await api.post('/api/jobs/999/start'), 404);
    expectError(await api.post('/api/jobs/999/stop'), 404);
    expectError(await api.post('/api/jobs/999/restart'), 404);
    expectError(await api.put('/api/jobs/999', jobBody('ghost', ['/bin/true'])), 404);
    expectError(await api.delete('/api/jobs/999'), 404);
  });

  test('POST /api/jobs creates a job: 201, Location, a new id, refresh newjob', async () => {
    const client = await node.connect();
    const reply = await api.post('/api/jobs', jobBody('created-1', ['/bin/true'], { env: { GREETING: 'hi' } }));
    const job = expectJson(reply, 201);
    assertJobShape(job);
    assert.ok(![1, 2].includes(job.id), `new id ${job.id} must not reuse a configured id`);
    assert.equal(job.name, 'created-1');
    assert.deepEqual(job.command, ['/bin/true']);
    assert.equal(job.status, Status.Stopped);
    const location = reply.headers.get('location');
    assert.ok(location, `no Location header: ${reply}`);
    assert.ok(new URL(location, node.baseUrl).pathname === `/api/jobs/${job.id}`, `Location ${location}`);
    assert.deepEqual(await client.next({ cmd: 'refresh' }), { cmd: 'refresh', reason: 'newjob', jobid: job.id });

    assert.deepEqual(expectJson(await api.get(`/api/jobs/${job.id}`), 200), job);
    assert.equal(expectJson(await api.get('/api/jobs'), 200).filter((j) => j.id === job.id).length, 1);

    const second = expectJson(await api.post('/api/jobs', jobBody('created-2', ['/bin/true'])), 201);
    assert.notEqual(second.id, job.id);
    assert.deepEqual(await client.next({ cmd: 'refresh' }), { cmd: 'refresh', reason: 'newjob', jobid: second.id });
  });

  test('an autostart job is announced (newjob) before its status changes', async () => {
    const client = await node.connect();
    const job = expectJson(await api.post('/api/jobs', jobBody('autostarted', SLEEPER, { autostart: true })), 201);
    const first = await client.next((m) => (m.cmd === 'refresh' || m.cmd === 'updatejob') && m.jobid === job.id);
    assert.deepEqual(first, { cmd: 'refresh', reason: 'newjob', jobid: job.id });
    assert.deepEqual(await statusesUntil(client, job.id, { until: (s) => s === Status.Running }), [
      Status.Starting,
      Status.Running,
    ]);
    // Clean up through the API (DELETE stops it).
    expectStatus(await api.delete(`/api/jobs/${job.id}`), 204);
  });

  test('invalid job definitions are 400, wrong media type 415', async () => {
    const bad = [
      { command: ['/bin/true'] },
      { name: 'no-command' },
      { name: 'empty-command', command: [] },
      { name: 'number-in-argv', command: ['/bin/echo', 1] },
      { name: 'bad-restart', command: ['/bin/true'], restart: 'sometimes' },
      { name: 'bad-watchdog', command: ['/bin/true'], watchdog_sec: -1 },
      { name: 'bad-notify', command: ['/bin/true'], notify: 'yes' },
      { name: 'bad-env', command: ['/bin/true'], env: ['A=1'] },
      { name: 7, command: ['/bin/true'] },
    ];
    const before = expectJson(await api.get('/api/jobs'), 200).length;
    for (const body of bad) expectError(await api.post('/api/jobs', body), 400);
    expectError(await api.request('POST', '/api/jobs', { body: '{"name":', headers: { 'content-type': 'application/json' } }), 400);
    expectError(
      await api.request('POST', '/api/jobs', {
        body: JSON.stringify(jobBody('text', ['/bin/true'])),
        headers: { 'content-type': 'text/plain' },
      }),
      415,
    );
    assert.equal(expectJson(await api.get('/api/jobs'), 200).length, before, 'no job was created');
  });

  test('PUT /api/jobs/{id} edits an API job; the edit takes effect on the next start', async () => {
    const client = await node.connect();
    const job = expectJson(await api.post('/api/jobs', jobBody('to-edit', ['/bin/sh', '-c', 'echo original'])), 201);
    const edited = expectJson(
      await api.put(`/api/jobs/${job.id}`, jobBody('edited', ['/bin/sh', '-c', 'echo edited-command'])),
      200,
    );
    assert.equal(edited.id, job.id);
    assert.equal(edited.name, 'edited');
    assert.deepEqual(edited.command, ['/bin/sh', '-c', 'echo edited-command']);
    const fetched = expectJson(await api.get(`/api/jobs/${job.id}`), 200);
    assert.equal(fetched.name, 'edited');
    assert.deepEqual(fetched.command, edited.command);

    // An edit may itself be announced as updatejob (the seed allows it);
    // the run starts at Starting.
    expectJson(await api.post(`/api/jobs/${job.id}/start`), 202);
    await client.skipTo((m) => updateOf(job.id)(m) && m.status === Status.Starting);
    assert.deepEqual(await statusesUntil(client, job.id), [Status.Running, Status.Exited]);
    const log = await logWithLines(api, job.id, 1);
    assert.deepEqual(
      log.map((l) => l.line),
      ['edited-command'],
    );
    // An edit is validated like a new definition.
    expectError(await api.put(`/api/jobs/${job.id}`, { name: 'broken', command: 20 }), 400);
    assert.equal(expectJson(await api.get(`/api/jobs/${job.id}`), 200).name, 'edited');
  });

  test('configured jobs cannot be edited or deleted through the API (409)', async () => {
    const before = expectJson(await api.get('/api/jobs/1'), 200);
    expectError(await api.put('/api/jobs/1', jobBody('hijacked', ['/bin/true'])), 409);
    expectError(await api.delete('/api/jobs/1'), 409);
    assert.deepEqual(expectJson(await api.get('/api/jobs/1'), 200), before);
  });

  test('DELETE stops the running process first, answers 204 and broadcasts jobremoved', async () => {
    const client = await node.connect();
    const job = expectJson(await api.post('/api/jobs', jobBody('doomed', SLEEPER)), 201);
    expectJson(await api.post(`/api/jobs/${job.id}/start`), 202);
    await statusesUntil(client, job.id, { until: (s) => s === Status.Running });
    const { pid } = expectJson(await api.get(`/api/jobs/${job.id}`), 200);
    assert.ok(pid > 0 && processAlive(pid), `job process ${pid} runs`);

    const reply = expectStatus(await api.delete(`/api/jobs/${job.id}`), 204);
    assert.equal(reply.text, '');
    assert.ok(processGone(pid), `process ${pid} is stopped and reaped when DELETE answers`);
    const removed = await client.next({ cmd: 'refresh', reason: 'jobremoved' });
    assert.deepEqual(removed, { cmd: 'refresh', reason: 'jobremoved', jobid: job.id });
    expectError(await api.get(`/api/jobs/${job.id}`), 404);
    expectError(await api.delete(`/api/jobs/${job.id}`), 404);
    assert.equal(expectJson(await api.get('/api/jobs'), 200).filter((j) => j.id === job.id).length, 0);
  });

  test('start, restart and stop answer 202 with the job; statuses follow as updatejob', async () => {
    const client = await node.connect();
    const started = expectJson(await api.post('/api/jobs/1/start'), 202);
    assertJobShape(started);
    assert.equal(started.id, 1);
    assert.deepEqual(await statusesUntil(client, 1, { until: (s) => s === Status.Running }), [Status.Starting, Status.Running]);
    const first = expectJson(await api.get('/api/jobs/1'), 200);
    assert.equal(first.status, Status.Running);
    assert.ok(first.pid > 0 && processAlive(first.pid));

    assert.equal(expectJson(await api.post('/api/jobs/1/restart'), 202).id, 1);
    const restart = await statusesUntil(client, 1, { until: (s) => s === Status.Running });
    assert.equal(restart[0], Status.Stopping, `restart statuses ${JSON.stringify(restart)}`);
    assert.deepEqual(restart.slice(-2), [Status.Starting, Status.Running], `restart statuses ${JSON.stringify(restart)}`);
    const second = expectJson(await api.get('/api/jobs/1'), 200);
    assert.notEqual(second.pid, first.pid, 'restart runs a new process');
    assert.ok(processAlive(second.pid));
    assert.equal(processAlive(first.pid), false, 'the old process is gone');

    assert.equal(expectJson(await api.post('/api/jobs/1/stop'), 202).id, 1);
    assert.deepEqual(await statusesUntil(client, 1), [Status.Stopping, Status.Stopped]);
    const stopped = expectJson(await api.get('/api/jobs/1'), 200);
    assert.equal(stopped.status, Status.Stopped);
    assert.ok(hasNoProcess(stopped), `pid ${stopped.pid}`);
    assert.equal(processAlive(second.pid), false);
  });

  test('GET /api/jobs/{id}/log returns stdout and stderr lines; lines=N the last N', async () => {
    const client = await node.connect();
    const startedAt = Date.now();
    expectJson(await api.post('/api/jobs/2/start'), 202);
    assert.deepEqual(await statusesUntil(client, 2), [Status.Starting, Status.Running, Status.Exited]);
    const log = await logWithLines(api, 2, 7);
    const finishedAt = Date.now();
    assert.equal(log.length, 7, JSON.stringify(log));
    for (const entry of log) {
      assert.deepEqual(Object.keys(entry).sort(), ['line', 'stream', 'ts'], JSON.stringify(entry));
      const ts = typeof entry.ts === 'number' ? entry.ts : Date.parse(entry.ts);
      assert.ok(ts >= startedAt - 1000 && ts <= finishedAt + 1000, `timestamp ${entry.ts} within the run`);
    }
    const of = (stream) => log.filter((l) => l.stream === stream).map((l) => l.line);
    assert.deepEqual(of('stdout'), ['out-1', 'out-2', 'out-3', 'out-4', 'out-5']);
    assert.deepEqual(of('stderr'), ['err-1', 'err-2']);

    const lastTwo = expectJson(await api.get('/api/jobs/2/log?lines=2'), 200);
    assert.deepEqual(lastTwo, log.slice(-2));
    expectError(await api.get('/api/jobs/2/log?lines=abc'), 400);
  });
});

describe('REST /api/jobs with ttm.jobs-editable=false', () => {
  let node;

  before(async () => {
    // Set in the file: startup.test.mjs covers the command-line form.
    node = await SignalboxNode.start({ config: `${config}\n[ttm]\njobs-editable=false\n` });
  });
  after(() => node?.dispose());

  test('create, edit and delete are 403; nothing changes', async () => {
    const api = node.api;
    const before = expectJson(await api.get('/api/jobs'), 200);
    expectError(await api.post('/api/jobs', jobBody('forbidden', ['/bin/true'])), 403);
    expectError(await api.put('/api/jobs/1', jobBody('forbidden', ['/bin/true'])), 403);
    expectError(await api.delete('/api/jobs/1'), 403);
    assert.deepEqual(expectJson(await api.get('/api/jobs'), 200), before);
  });

  test('starting and stopping configured jobs still works', async () => {
    const api = node.api;
    const client = await node.connect();
    expectJson(await api.post('/api/jobs/1/start'), 202);
    assert.deepEqual(await statusesUntil(client, 1, { until: (s) => s === Status.Running }), [Status.Starting, Status.Running]);
    expectJson(await api.post('/api/jobs/1/stop'), 202);
    assert.deepEqual(await statusesUntil(client, 1), [Status.Stopping, Status.Stopped]);
    // No refresh frames on a node where the job list cannot change.
    assert.equal(client.history.filter((m) => m.cmd === 'refresh').length, 0);
    assert.equal(client.history.filter(updateOf(1)).length, 4);
  });
});
