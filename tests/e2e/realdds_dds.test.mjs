// The realdds notification and control topics over real DDS: the test
// program realdds-reader (tests/dds/realdds_reader.cpp, a Fast-DDS
// participant like a librealsense client) reads <root>/notification and
// writes <root>/control; the node under test is the realdds server.
//
// Each test uses a topic root of its own in this process's domain, so that
// parallel test files and earlier tests never see each other's messages.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectJson } from './lib/http.mjs';
import { Status } from './lib/jobs.mjs';
import { REALDDS_TEST_DOMAIN, SignalboxNode } from './lib/node.mjs';
import { connectMirror, DdsReader, findReaderProgram, normalize, note, replyTo, withoutTimestamp } from './lib/realdds.mjs';

const program = findReaderProgram();
// Under CTest the reader is always built: a missing one fails the tests.
// A manual run without it skips them, saying why.
const skip =
  program || process.env.SIGNALBOX_TEST_PROGRAMS
    ? false
    : 'realdds-reader not built (tests/dds/realdds_reader.cpp; looked in $SIGNALBOX_TEST_PROGRAMS and build/test-programs)';

const DISCOVERY_TIMEOUT_MS = 15000;

const config = renderConfig({
  gpio: {
    backend: 'simulated',
    lines: [
      { name: 'relay-a', direction: 'output' },
      { name: 'relay-b', direction: 'output' },
    ],
  },
  jobs: {
    definitions: [
      { name: 'hello', restart: 'no', autostart: false, command: ['/bin/sh', '-c', 'echo hello from job $SIGNALBOX_JOB_ID of $SIGNALBOX_URL'] },
    ],
  },
});

const gpioOption = (name, value) => [name, value, 0, 1, 1, 0, 'GPIO output line'];

let roots = 0;
/** A topic root no other test (or test process) uses. */
function uniqueRoot() {
  return `signalbox/e2e-dds-${process.pid}-${++roots}`;
}

/** A node serving realdds on `topicRoot`; disposed after the test. */
async function startNode(t, topicRoot, args = []) {
  const node = await SignalboxNode.start({
    config,
    args: [`--realdds.domain=${REALDDS_TEST_DOMAIN}`, `--realdds.topic-root=${topicRoot}`, '--realdds.log-flush=100ms', ...args],
  });
  t.after(() => node.dispose());
  return node;
}

/** A reader on `topicRoot`; stopped after the test. */
async function startReader(t, topicRoot, label = 'reader') {
  const reader = await DdsReader.start({ program, domain: REALDDS_TEST_DOMAIN, topicRoot, label });
  t.after(() => reader.dispose());
  return reader;
}

/**
 * Waits until the reader matched the node's notification writer and the
 * node's control reader matched the reader's control writer.
 */
async function matched(reader) {
  await reader.events.seen((e) => e.event === 'matched' && e['notification-writers'] > 0, DISCOVERY_TIMEOUT_MS, 'matched');
  await reader.events.seen((e) => e.event === 'control-matched' && e.readers > 0, DISCOVERY_TIMEOUT_MS, 'control-matched');
}

/**
 * The initialization: the first two messages are device-header and
 * device-options, each alone; returns the options.
 */
async function initialization(reader, format) {
  const isMessage = (e) => e.event === 'message';
  const first = await reader.events.next(isMessage, DISCOVERY_TIMEOUT_MS, 'the first message');
  const second = await reader.events.next(isMessage, 5000, 'the second message');
  for (const e of [first, second]) {
    assert.equal(e.format, format === 'cbor' ? 1 : 0, `data_format of ${JSON.stringify(normalize(e.value))}`);
    assert.ok(!Array.isArray(e.value), `an initialization message alone: ${JSON.stringify(normalize(e.value))}`);
  }
  assert.deepEqual(normalize(withoutTimestamp(first.value)), { id: 'device-header', 'n-streams': 0, extrinsics: [] });
  assert.equal(second.value.id, 'device-options', JSON.stringify(normalize(second.value)));
  // The same objects in the items queue: take them there too.
  await reader.next(note('device-header'));
  await reader.next(note('device-options'));
  return normalize(second.value.options);
}

async function jobId(api, name) {
  return expectJson(await api.get('/api/jobs'), 200).find((j) => j.name === name).id;
}

/** Every message event of the reader has data_format `format`. */
function assertFormat(reader, format) {
  const expected = format === 'cbor' ? 1 : 0;
  const other = reader.events.history.filter((e) => e.event === 'message' && e.format !== expected);
  assert.deepEqual(other.map((e) => e.format), [], `every message in format ${expected}`);
}

/** The common walk: initialization, a REST toggle, the hello job, a control. */
async function walk(node, reader, format) {
  const options = await initialization(reader, format);
  assert.deepEqual(options, [gpioOption('relay-a', 0), gpioOption('relay-b', 0)]);

  expectJson(await node.api.put('/api/gpios/relay-a', { value: 1 }), 200);
  assert.deepEqual(normalize(withoutTimestamp(await reader.next(note('gpio')))), { id: 'gpio', line: 'relay-a', value: 1 });
  assert.deepEqual(normalize(withoutTimestamp(await reader.next(note('query-options')))), {
    id: 'query-options',
    'option-values': { 'relay-a': 1 },
  });

  const id = await jobId(node.api, 'hello');
  expectJson(await node.api.post(`/api/jobs/${id}/start`), 202);
  const log = await reader.next((m) => m.id === 'log' && m.entries.some((e) => e[3]?.job === 'hello'), 10000, 'the log of hello');
  const entry = normalize(log.entries.find((e) => e[3]?.job === 'hello'));
  assert.equal(entry[1], 'I');
  assert.ok(entry[2].startsWith(`hello from job ${id} of `), entry[2]);
  assert.deepEqual(entry[3], { job: 'hello', stream: 'stdout' });
  const exited = await reader.next(note('job-status', { 'job-id': id, status: Status.Exited }), 10000);
  assert.deepEqual(normalize(withoutTimestamp(exited)), {
    id: 'job-status',
    'job-id': id,
    name: 'hello',
    status: Status.Exited,
    'status-name': 'exited',
    'exit-code': 0,
  });

  await matched(reader);
  const control = { id: 'set-option', 'option-name': 'relay-b', value: 1 };
  const sequence = await reader.control(control);
  const reply = await reader.next(replyTo(reader.writer, sequence), 5000, `the reply to ${reader.writer} #${sequence}`);
  assert.deepEqual(normalize(reply), { control, sample: [reader.writer, sequence], value: 1 });
  assert.equal(expectJson(await node.api.get('/api/gpios/relay-b'), 200).value, 1, 'the line was set');
  assert.deepEqual(normalize(withoutTimestamp(await reader.next(note('gpio', { line: 'relay-b' })))), {
    id: 'gpio',
    line: 'relay-b',
    value: 1,
  });
  assertFormat(reader, format);
}

describe('realdds over DDS', { skip }, () => {
  test('a reader matches, is initialized, and gets every notification; its control is answered', { timeout: 45000 }, async (t) => {
    const root = uniqueRoot();
    const node = await startNode(t, root);
    const reader = await startReader(t, root);
    // realdds' print_raw_guid: "<host>.<participant>.<entity>" for
    // eProsima's vendor id, else "<prefix>.<entity>", all in hex.
    assert.match(reader.writer, /^[0-9a-f]+(\.[0-9a-f]+){1,2}$/, 'the control writer GUID as realdds prints it');
    await reader.events.seen((e) => e.event === 'matched' && e['notification-writers'] > 0, DISCOVERY_TIMEOUT_MS, 'matched');
    await walk(node, reader, 'json');
  });

  test('controls: query-option, query-options, errors; replies also reach mirror clients', { timeout: 45000 }, async (t) => {
    const root = uniqueRoot();
    const node = await startNode(t, root);
    const reader = await startReader(t, root);
    await matched(reader);
    await initialization(reader, 'json');
    const mirror = await connectMirror(node, { label: 'mirror' });
    await mirror.skipTo(note('device-options'));

    const cases = [
      [{ id: 'query-option', 'option-name': 'relay-a' }, { value: 0 }],
      [{ id: 'query-options', 'stream-name': '' }, { 'option-values': { 'relay-a': 0, 'relay-b': 0 } }],
      [{ id: 'query-option', 'option-name': 'Relay-A' }, { explanation: "device option 'Relay-A' not found", status: 'error' }],
      [{ id: 'set-option', 'option-name': 'relay-a', value: true }, { value: 1 }],
    ];
    for (const [control, fields] of cases) {
      const sequence = await reader.control(control);
      const expected = { control, sample: [reader.writer, sequence], ...fields };
      assert.deepEqual(normalize(await reader.next(replyTo(reader.writer, sequence))), expected);
      assert.deepEqual(normalize(await mirror.next(replyTo(reader.writer, sequence))), expected, 'the mirror client sees the reply');
    }
    // The mirror's own control: its reply is for it alone, not on DDS.
    const q = { id: 'query-option', 'option-name': 'relay-a' };
    assert.deepEqual(await mirror.request(q), { control: q, sample: ['websocket', 1], value: 1 });
    expectJson(await node.api.put('/api/gpios/relay-a', { value: 0 }), 200);
    await reader.next(note('gpio', { line: 'relay-a', value: 0 }));
    assert.deepEqual(
      reader.items.history.filter((m) => Array.isArray(m.sample) && m.sample[0] === 'websocket').map(normalize),
      [],
      'no mirror reply on DDS',
    );
  });

  test('two readers at once both get everything, including each other\'s replies', { timeout: 45000 }, async (t) => {
    const root = uniqueRoot();
    const node = await startNode(t, root);
    const one = await startReader(t, root, 'reader-1');
    await matched(one);
    await initialization(one, 'json');
    const two = await startReader(t, root, 'reader-2');
    assert.notEqual(one.writer, two.writer);
    await matched(two);
    await initialization(two, 'json');
    // reader-1 may get the initialization again when reader-2 joins: the
    // test looks past it.

    expectJson(await node.api.put('/api/gpios/relay-b', { value: 1 }), 200);
    for (const reader of [one, two])
      assert.deepEqual(normalize(withoutTimestamp(await reader.next(note('gpio')))), { id: 'gpio', line: 'relay-b', value: 1 });

    const control = { id: 'set-option', 'option-name': 'relay-a', value: 1 };
    const sequence = await two.control(control);
    for (const reader of [one, two])
      assert.deepEqual(normalize(await reader.next(replyTo(two.writer, sequence))), {
        control,
        sample: [two.writer, sequence],
        value: 1,
      });

    const id = await jobId(node.api, 'hello');
    expectJson(await node.api.post(`/api/jobs/${id}/start`), 202);
    for (const reader of [one, two]) {
      await reader.next((m) => m.id === 'log' && m.entries.some((e) => e[3]?.job === 'hello'), 10000, 'the log of hello');
      await reader.next(note('job-status', { 'job-id': id, status: Status.Exited }), 10000);
    }
    // Whatever reader-1 received after its first initialization starts
    // again with device-header, device-options when it is initialized anew.
    const ids = one.items.history.map((m) => m.id);
    ids.forEach((x, i) => {
      if (x === 'device-header') assert.equal(ids[i + 1], 'device-options', `device-options follows device-header: ${ids}`);
    });
  });

  test('--realdds.format=cbor: messages in format 1 decode to the same notifications', { timeout: 45000 }, async (t) => {
    const root = uniqueRoot();
    const node = await startNode(t, root, ['--realdds.format=cbor']);
    const reader = await startReader(t, root);
    await reader.events.seen((e) => e.event === 'matched' && e['notification-writers'] > 0, DISCOVERY_TIMEOUT_MS, 'matched');
    await walk(node, reader, 'cbor');
  });

  test('--realdds.enabled=false: no DDS participant, so no UDP socket; enabled: it has them', { timeout: 30000 }, async (t) => {
    // The node uses UDP for nothing but DDS: a participant shows as UDP
    // sockets among the node's descriptors.
    const udpSockets = (pid) => {
      const inodes = new Set();
      for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
        for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
          const fields = line.trim().split(/\s+/);
          if (fields.length > 9) inodes.add(fields[9]);
        }
      }
      let n = 0;
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        let target;
        try {
          target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue; // closed meanwhile
        }
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (m && inodes.has(m[1])) n++;
      }
      return n;
    };
    const off = await startNode(t, uniqueRoot(), ['--realdds.enabled=false']);
    assert.equal(udpSockets(off.pid), 0, 'UDP sockets of a node without realdds');
    const on = await startNode(t, uniqueRoot());
    assert.ok(udpSockets(on.pid) > 0, 'a node with realdds has its participant\'s UDP sockets');
  });

  test('--realdds.enabled=false: a reader never matches', { timeout: 30000 }, async (t) => {
    const root = uniqueRoot();
    const node = await startNode(t, root, ['--realdds.enabled=false']);
    assert.ok(!('realdds' in node.ports));
    const reader = await startReader(t, root);
    // A bounded negative wait: nothing can announce that a writer will
    // never appear, so the test gives discovery 3 s (on this host it takes
    // well under one) and requires that no writer matched in that time.
    await assert.rejects(
      reader.events.seen((e) => (e.event === 'matched' && e['notification-writers'] > 0) || (e.event === 'control-matched' && e.readers > 0), 3000, 'a match'),
      /timed out/,
    );
    assert.equal(reader.events.history.filter((e) => e.event === 'message').length, 0, 'no message');
  });
});
