// signalbox-load (tools/load, deploy/load/README.md) against the real node:
// the CI smoke scenario must pass with every message delivered, in order,
// to ttmnotify subscribers, JMRI clients (WebSocket and raw TCP) and RTOC
// subscribers (plain, and AES-encrypted with a password), and every relayed
// command finished, and its JSON report must say so in
// numbers; a scenario whose assertion cannot hold must fail the run.
//
// SIGNALBOX_LOAD names the load generator (CTest sets it); manual runs use
// the lead's build.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { TempDir, startNode } from './lib/node.mjs';

const loadBin =
  process.env.SIGNALBOX_LOAD ||
  fileURLToPath(new URL('../../build/tools/load/signalbox-load', import.meta.url));
const smokeScenario = fileURLToPath(new URL('../../deploy/load/smoke.json', import.meta.url));
const RUN_TIMEOUT_MS = 60000;

// Short Socket.IO and JMRI heartbeats, so that the run also proves the
// generator answers the server's pings and pings the JMRI service at the
// interval its hello announces (0.9 s here; a connection silent for 1.1 s is
// closed): a missed one drops the client and fails max_failed_connections.
const NODE_ARGS = [
  '--socketio.ping-interval=200ms',
  '--socketio.ping-timeout=2s',
  '--jmri.heartbeat-interval=1s',
];

/** Runs signalbox-load to completion: {code, signal, stdout, stderr}. */
function runLoad(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(loadBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`signalbox-load did not finish in ${RUN_TIMEOUT_MS} ms\n${stdout}\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function nodeArgs(node, reportFile) {
  return [
    `--ttm-port=${node.port}`,
    `--socketio-port=${await node.portOf('socketio')}`,
    `--jmri-port=${await node.portOf('jmri')}`,
    `--jmri-tcp-port=${await node.portOf('jmri-tcp')}`,
    `--rtoc-port=${await node.portOf('rtoc')}`,
    `--server-pid=${node.pid}`,
    `--report=${reportFile}`,
    '--quiet',
  ];
}

function describeRun(run) {
  return `exit ${run.code} (signal ${run.signal})\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

test('the smoke scenario delivers everything, in order', async (t) => {
  const node = await startNode(t, { args: NODE_ARGS });
  const dir = await TempDir.create('signalbox-load-');
  t.after(() => dir.remove());
  const reportFile = dir.file('report.json');

  const run = await runLoad([smokeScenario, ...(await nodeArgs(node, reportFile))]);
  assert.equal(run.code, 0, describeRun(run));
  assert.match(run.stdout, /^PASSED$/m);

  const report = JSON.parse(await fs.promises.readFile(reportFile, 'utf8'));
  const scenario = JSON.parse(await fs.promises.readFile(smokeScenario, 'utf8'));
  const count = (type, pick = () => true) =>
    scenario.clients.filter((g) => g.type === type && pick(g)).reduce((n, g) => n + g.count, 0);
  assert.equal(report.passed, true);
  assert.equal(report.drained, true);

  assert.equal(report.connections.clients, scenario.clients.reduce((n, g) => n + g.count, 0));
  assert.equal(report.connections.made, report.connections.clients);
  assert.equal(report.connections.failed, 0);
  assert.equal(report.connections.dropped, 0);

  // Every confirmed write reached every subscriber exactly once, in order
  // (value and gpio writes the ttmnotify ones, messages the JMRI ones).
  assert.equal(report.rest.writes_failed, 0);
  assert.ok(report.rest.writes_ok > 0);
  assert.equal(report.rest.writes_ok, report.rest.writes_sent);
  const messagesOk = report.rest.message_writes_ok;
  assert.ok(messagesOk > 0);
  assert.ok(report.rest.writes_ok > messagesOk);
  assert.equal(report.ttm.subscribers, count('ttm_subscriber'));
  assert.equal(report.ttm.expected, report.ttm.subscribers * (report.rest.writes_ok - messagesOk));
  assert.ok(report.ttm.delivered > 0);
  assert.equal(report.ttm.delivered, report.ttm.expected);
  assert.equal(report.ttm.lost, 0);
  assert.equal(report.ttm.out_of_order, 0);
  assert.equal(report.latency_us.ttm_delivery.count, report.ttm.delivered);

  // Every JMRI client subscribed, over both transports, got every message,
  // in order; the node's own job messages are counted beside them.
  const jmri = report.jmri;
  assert.equal(jmri.clients, count('jmri_client'));
  assert.equal(jmri.ws, count('jmri_client', (g) => g.transport === 'ws'));
  assert.equal(jmri.tcp, count('jmri_client', (g) => g.transport === 'tcp'));
  assert.ok(jmri.ws > 0 && jmri.tcp > 0);
  assert.equal(jmri.expected, jmri.clients * messagesOk);
  assert.equal(jmri.delivered, jmri.expected);
  assert.equal(jmri.lost, 0);
  assert.equal(jmri.out_of_order, 0);
  assert.equal(jmri.errors, 0);
  assert.equal(jmri.messages, jmri.delivered + jmri.other_messages);
  assert.equal(report.latency_us.jmri_delivery.count, jmri.delivered);
  assert.ok(report.latency_us.jmri_delivery.p99 > 0);

  // Every command was acknowledged, relayed to its monitor, answered, and
  // finished at every user of that monitor.
  const sio = report.sio;
  assert.ok(sio.commands_sent > 0);
  assert.equal(sio.commands_ok, sio.commands_sent);
  assert.equal(sio.commands_failed, 0);
  assert.equal(sio.commands_do, sio.commands_sent);
  assert.equal(sio.commands_done, sio.commands_do);
  // One monitor: each done goes to all of its users.
  assert.equal(count('sio_monitor'), 1);
  assert.equal(sio.commands_finish_expected, sio.commands_done * count('sio_user'));
  assert.equal(sio.commands_finish, sio.commands_finish_expected);
  assert.equal(sio.lost, 0);
  assert.equal(sio.out_of_order, 0);
  assert.equal(sio.all_commands_finished, true);
  assert.equal(report.latency_us.sio_command_ok.count, sio.commands_ok);
  assert.ok(report.latency_us.sio_command_do.p99 > 0);

  // Every sample an RTOC writer got "sent":true for was pushed to every
  // subscriber, in order.
  checkRtoc(report, count);

  // The server's usage was read from /proc.
  assert.equal(report.server.pid, node.pid);
  assert.ok(report.server.rss_kib_start > 0);
  assert.ok(report.server.rss_kib_max >= report.server.rss_kib_start);
  assert.ok(report.server.cpu_seconds > 0);
  assert.ok(report.server.cpu_percent > 0);

  for (const a of report.assertions) assert.equal(a.passed, true, JSON.stringify(a));
  assert.ok(report.assertions.length >= 5);
});

/** The RTOC part of a report: nothing lost, every count adds up. */
function checkRtoc(report, count) {
  const rtoc = report.rtoc;
  const writers = count('rtoc_writer');
  assert.ok(writers > 0);
  assert.equal(rtoc.writers, writers);
  assert.equal(rtoc.subscribers, count('rtoc_subscriber'));
  assert.ok(rtoc.requests_ok > 0);
  assert.equal(rtoc.requests_ok, rtoc.requests_sent);
  assert.equal(rtoc.requests_failed, 0);
  assert.equal(rtoc.samples_acked, rtoc.samples_sent);
  assert.equal(rtoc.expected, rtoc.subscribers * rtoc.samples_acked);
  assert.equal(rtoc.delivered, rtoc.expected);
  assert.equal(rtoc.lost, 0);
  assert.equal(rtoc.out_of_order, 0);
  // Each subscriber also saw the "new signal" push of every writer signal.
  assert.ok(rtoc.pushes >= rtoc.delivered);
  assert.equal(report.latency_us.rtoc_delivery.count, rtoc.delivered);
  assert.equal(report.latency_us.rtoc_write.count, rtoc.requests_ok);
  assert.ok(report.latency_us.rtoc_delivery.p99 > 0);
}

test('RTOC clients with a password talk AES both ways', async (t) => {
  // An empty whitelist: loopback peers must authorize and encrypt too.
  const node = await startNode(t, {
    args: ['--rtoc.password=load-secret', '--rtoc.host-whitelist=[]'],
  });
  const dir = await TempDir.create('signalbox-load-');
  t.after(() => dir.remove());
  const clients = [
    { type: 'rtoc_subscriber', count: 3, password: 'load-secret' },
    { type: 'rtoc_writer', count: 2, rate: 50, batch: 20, window: 2, password: 'load-secret' },
  ];
  const scenarioFile = await dir.write(
    'aes.json',
    JSON.stringify({ name: 'aes', duration_ms: 1000, clients, assert: { max_lost: 0 } }),
  );
  const reportFile = dir.file('report.json');
  const run = await runLoad([scenarioFile, ...(await nodeArgs(node, reportFile))]);
  assert.equal(run.code, 0, describeRun(run));
  const report = JSON.parse(await fs.promises.readFile(reportFile, 'utf8'));
  assert.equal(report.connections.failed, 0);
  assert.equal(report.connections.dropped, 0);
  const count = (type) => clients.filter((g) => g.type === type).reduce((n, g) => n + g.count, 0);
  checkRtoc(report, count);

  // A wrong password is refused: the clients are never set up.
  const wrong = await dir.write(
    'wrong.json',
    JSON.stringify({
      name: 'wrong',
      duration_ms: 200,
      clients: [{ type: 'rtoc_writer', count: 2, rate: 10, password: 'not-it' }],
      assert: { max_failed_connections: 0 },
    }),
  );
  const refused = await runLoad([wrong, ...(await nodeArgs(node, reportFile))]);
  assert.equal(refused.code, 1, describeRun(refused));
  const refusedReport = JSON.parse(await fs.promises.readFile(reportFile, 'utf8'));
  assert.equal(refusedReport.connections.failed, 2);
  assert.equal(refusedReport.rtoc.requests_sent, 0);
});

test('a failing assertion makes the run fail', async (t) => {
  const node = await startNode(t, { args: NODE_ARGS });
  const dir = await TempDir.create('signalbox-load-');
  t.after(() => dir.remove());
  // A p99 bound of 0 µs cannot hold over a real network.
  const scenarioFile = await dir.write(
    'impossible.json',
    JSON.stringify({
      name: 'impossible',
      duration_ms: 500,
      clients: [
        { type: 'ttm_subscriber', count: 2 },
        { type: 'rest_writer', count: 1, rate: 20 },
      ],
      assert: { max_lost: 0, max_p99_us: { ttm_delivery: 0 } },
    }),
  );
  const reportFile = dir.file('report.json');

  const run = await runLoad([scenarioFile, ...(await nodeArgs(node, reportFile))]);
  assert.equal(run.code, 1, describeRun(run));
  assert.match(run.stdout, /^FAIL ttm_delivery\.p99_us: /m);
  assert.match(run.stdout, /^FAILED$/m);

  const report = JSON.parse(await fs.promises.readFile(reportFile, 'utf8'));
  assert.equal(report.passed, false);
  const byName = Object.fromEntries(report.assertions.map((a) => [a.name, a]));
  assert.equal(byName.lost.passed, true);
  assert.equal(byName['ttm_delivery.p99_us'].passed, false);
  assert.ok(report.ttm.delivered > 0);
});

test('an invalid scenario is refused, naming the field', async (t) => {
  const dir = await TempDir.create('signalbox-load-');
  t.after(() => dir.remove());
  const scenarioFile = await dir.write(
    'bad.json',
    JSON.stringify({ clients: [{ type: 'rest_writer', count: 1, rate: -5 }] }),
  );
  const run = await runLoad([scenarioFile]);
  assert.equal(run.code, 2, describeRun(run));
  assert.match(run.stderr, /clients\[0\]\.rate: must be a number/);

  const badTransport = await dir.write(
    'bad-transport.json',
    JSON.stringify({ clients: [{ type: 'jmri_client', count: 1, transport: 'udp' }] }),
  );
  const refused = await runLoad([badTransport]);
  assert.equal(refused.code, 2, describeRun(refused));
  assert.match(refused.stderr, /clients\[0\]\.transport: must be "ws" or "tcp"/);
});
