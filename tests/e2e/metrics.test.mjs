// GET /metrics on the ttm port: Prometheus' text format that Prometheus'
// own checker accepts without a complaint, and counts that follow what the
// node did: REST requests by route and status, GPIO changes, job runs,
// store commits, connections and frames per interface, process figures.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectJson, expectStatus } from './lib/http.mjs';
import { JmriTcp } from './lib/jmri.mjs';
import { promtoolCheck, scrape, valueOf } from './lib/metrics.mjs';
import { SignalboxNode } from './lib/node.mjs';
import { eventually, notYet } from './lib/wait.mjs';

const config = renderConfig({
  gpio: {
    backend: 'simulated',
    lines: [
      { name: 'relay-a', direction: 'output' },
      { name: 'door-sensor', direction: 'input' },
    ],
  },
  jobs: {
    definitions: [
      { name: 'once', command: ['/bin/sh', '-c', 'echo hi'], restart: 'no', autostart: false },
      { name: 'crasher', command: ['/bin/sh', '-c', 'kill -SEGV $$'], restart: 'no', autostart: false },
    ],
  },
});

describe('GET /metrics', () => {
  let node;
  let api;

  before(async () => {
    node = await SignalboxNode.start({ config });
    api = node.api;
  });
  after(() => node?.dispose());

  test('is Prometheus text that promtool checks clean', async () => {
    // Some of everything first, so that every family has series.
    expectJson(await api.put('/api/gpios/relay-a', { value: 1 }), 200);
    expectJson(await api.get('/api/jobs'), 200);
    const m = await scrape(node.port);
    assert.equal(m.status, 200);
    assert.equal(m.contentType, 'text/plain; version=0.0.4; charset=utf-8');
    const { code, output } = await promtoolCheck(m.text);
    assert.equal(output, '', `promtool check metrics:\n${output}`);
    assert.equal(code, 0);
    // Every family has HELP and TYPE; no series is written twice.
    const lines = m.text.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(new Set(lines.map((l) => l.slice(0, l.lastIndexOf(' ')))).size, lines.length);
    for (const name of ['signalbox_connections', 'signalbox_rest_requests_total', 'process_resident_memory_bytes'])
      assert.match(m.text, new RegExp(`# HELP ${name} .+\\n# TYPE ${name} (counter|gauge)\\n`));
  });

  test('counts REST requests by route pattern, method and status, and times them', async () => {
    const before = (await scrape(node.port)).samples;
    const count = (s, route, method, status) => {
      try {
        return valueOf(s, 'signalbox_rest_requests_total', { route, method, status });
      } catch {
        return 0;
      }
    };
    expectJson(await api.put('/api/values/m1', { value: 'a' }), 201);
    expectJson(await api.put('/api/values/m2', { value: 'b' }), 201);
    expectStatus(await api.get('/api/values/nope'), 404);
    expectStatus(await api.get('/api/no-such-thing'), 404);
    const after = (await scrape(node.port)).samples;
    assert.equal(count(after, '/api/values/{key}', 'PUT', '201') - count(before, '/api/values/{key}', 'PUT', '201'), 2);
    assert.equal(count(after, '/api/values/{key}', 'GET', '404') - count(before, '/api/values/{key}', 'GET', '404'), 1);
    assert.equal(count(after, 'unmatched', 'GET', '404') - count(before, 'unmatched', 'GET', '404'), 1);
    // Keys do not make series of their own.
    assert.ok(![...after.keys()].some((k) => k.includes('m1')), 'a key leaked into a label');
    const timed = valueOf(after, 'signalbox_rest_request_duration_seconds_count', { route: '/api/values/{key}' });
    assert.ok(timed >= 3, `duration count ${timed}`);
    const inf = valueOf(after, 'signalbox_rest_request_duration_seconds_bucket', { route: '/api/values/{key}', le: '+Inf' });
    assert.equal(inf, timed);
    // Each value write is a commit, timed.
    const commits = valueOf(after, 'signalbox_store_commits_total');
    assert.ok(commits >= 2, `commits ${commits}`);
    assert.equal(valueOf(after, 'signalbox_store_commit_duration_seconds_count'), commits);
  });

  test('counts GPIO changes per line, set and simulated', async () => {
    const read = async (line) => valueOf((await scrape(node.port)).samples, 'signalbox_gpio_changes_total', { line });
    const relay = await read('relay-a');
    const door = await read('door-sensor');
    const current = (await api.get('/api/gpios/relay-a')).json.value;
    expectJson(await api.put('/api/gpios/relay-a', { value: 1 - current }), 200);
    expectJson(await api.put('/api/gpios/relay-a', { value: 1 - current }), 200); // not a change
    expectJson(await api.put('/api/sim/gpios/door-sensor', { value: 1 }), 200);
    assert.equal(await read('relay-a'), relay + 1);
    assert.equal(await read('door-sensor'), door + 1);
  });

  test('counts job starts, crashes and failures per job', async () => {
    const jobs = (await api.get('/api/jobs')).json;
    const id = (name) => jobs.find((j) => j.name === name).id;
    expectStatus(await api.post(`/api/jobs/${id('once')}/start`), 202);
    expectStatus(await api.post(`/api/jobs/${id('crasher')}/start`), 202);
    const s = await eventually(async () => {
      const samples = (await scrape(node.port)).samples;
      return valueOf(samples, 'signalbox_job_crashes_total', { job: 'crasher' }) === 1 ? samples : notYet(samples.size);
    });
    assert.equal(valueOf(s, 'signalbox_job_starts_total', { job: 'once' }), 1);
    assert.equal(valueOf(s, 'signalbox_job_starts_total', { job: 'crasher' }), 1);
    assert.equal(valueOf(s, 'signalbox_job_crashes_total', { job: 'once' }), 0);
    assert.equal(valueOf(s, 'signalbox_job_failures_total', { job: 'crasher' }), 0);
    assert.equal(valueOf(s, 'signalbox_job_restarts_total', { job: 'crasher' }), 0);
  });

  test('counts connections and frames per interface', async () => {
    const ws = await node.connect();
    const jmri = await JmriTcp.connect(node.ports['jmri-tcp']);
    // The node's hello: the session is registered (a TCP connect alone may
    // still wait in the accept queue).
    await jmri.next((m) => m.type === 'hello');
    const base = (await scrape(node.port)).samples;
    const of = (s, name, iface) => valueOf(s, name, { interface: iface });
    assert.ok(of(base, 'signalbox_connections', 'ttm') >= 1);
    assert.equal(of(base, 'signalbox_connections', 'jmri-tcp'), 1);
    // Three notifications to the WebSocket subscriber; two frames from the
    // JMRI client (each answered).
    for (let i = 0; i < 3; i++) expectJson(await api.put(`/api/values/f${i}`, { value: String(i) }), 201);
    for (let i = 0; i < 3; i++) await ws.next((f) => f.cmd === 'dbchange' && f.key === `f${i}`);
    jmri.send({ type: 'ping' });
    jmri.send({ type: 'ping' });
    // A frame counts as sent once its write completed, which may be just
    // after the client read it: wait for the counts, not for the frames.
    const delta = (now, name, iface) => of(now, name, iface) - of(base, name, iface);
    const s = await eventually(async () => {
      const now = (await scrape(node.port)).samples;
      const done =
        delta(now, 'signalbox_frames_received_total', 'jmri-tcp') === 2 &&
        delta(now, 'signalbox_frames_sent_total', 'jmri-tcp') >= 2 &&
        delta(now, 'signalbox_frames_sent_total', 'ttm') >= 3;
      return done ? now : notYet('waiting for the counts');
    });
    assert.equal(delta(s, 'signalbox_frames_received_total', 'jmri-tcp'), 2);
    assert.equal(of(s, 'signalbox_bytes_queued', 'ttm'), 0);
    jmri.dispose();
    await ws.close();
    await eventually(async () => {
      const now = (await scrape(node.port)).samples;
      return of(now, 'signalbox_connections', 'jmri-tcp') === 0 ? true : notYet('jmri-tcp still open');
    });
  });

  test('shows the process figures and the version', async () => {
    const s = (await scrape(node.port)).samples;
    assert.ok(valueOf(s, 'process_resident_memory_bytes') > 1 << 20);
    assert.ok(valueOf(s, 'process_open_fds') > 3);
    assert.ok(valueOf(s, 'process_max_fds') >= valueOf(s, 'process_open_fds'));
    // Clock ticks of 10 ms: a node that started moments ago may show 0.
    assert.ok(valueOf(s, 'process_cpu_seconds_total') >= 0);
    const started = valueOf(s, 'process_start_time_seconds');
    assert.ok(Math.abs(started - Date.now() / 1000) < 600, `start time ${started}`);
    assert.equal(valueOf(s, 'signalbox_build_info', { version: '0.1.0' }), 1);
  });

  test('answers HEAD, refuses other methods', async () => {
    const head = await fetch(`http://127.0.0.1:${node.port}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const post = await api.request('POST', '/metrics', { body: 'x' });
    assert.equal(post.status, 404);
  });
});
