// The realdds WebSocket mirror (docs/realdds.md) as a web client sees it,
// with JSON (realdds-json, or no subprotocol) and CBOR (realdds-cbor)
// frames: the initialization every client gets first, job output as `log`
// notifications with the job's statuses, GPIO and shared-value changes with
// the spontaneous query-options, the controls and their replies (to the
// sending client only), the refusals of the handshake, the message bound,
// the shutdown, and a node with the service disabled.
//
// Every message received is checked against the rules a librealsense client
// applies (lib/realdds.mjs, messageProblems): a violation fails the next
// wait of that client.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectJson, expectStatus } from './lib/http.mjs';
import { Status } from './lib/jobs.mjs';
import { SignalboxNode } from './lib/node.mjs';
import {
  CBOR_PROTOCOL,
  cborDefaultEncode,
  cborEncode,
  connectMirror,
  JSON_PROTOCOL,
  MAX_MESSAGE_BYTES,
  mirrorUrl,
  normalize,
  note,
  replyTo,
  withoutTimestamp,
} from './lib/realdds.mjs';
import { tryHandshake } from './lib/ws.mjs';

const sh = (script) => ['/bin/sh', '-c', script];

const config = renderConfig({
  gpio: {
    backend: 'simulated',
    lines: [
      { name: 'relay-a', direction: 'output' },
      { name: 'relay-b', direction: 'output' },
      { name: 'button-1', direction: 'input' },
    ],
  },
  jobs: {
    definitions: [
      // As in the demo node (config/default.conf), but started by the tests.
      { name: 'hello', restart: 'no', autostart: false, command: sh('echo hello from job $SIGNALBOX_JOB_ID of $SIGNALBOX_URL') },
      { name: 'count', restart: 'no', autostart: false, command: sh('i=1; while [ $i -le 12 ]; do echo line $i; i=$((i+1)); done') },
      { name: 'to-stderr', restart: 'no', autostart: false, command: sh('echo complaint >&2') },
      { name: 'exit-3', restart: 'no', autostart: false, command: sh('exit 3') },
    ],
  },
});

const FORMATS = [
  { format: 'json', protocols: JSON_PROTOCOL },
  { format: 'cbor', protocols: CBOR_PROTOCOL },
];

const gpioOption = (name, value) => [name, value, 0, 1, 1, 0, 'GPIO output line'];
const valueOption = (key, value) => [key, value, '', 'shared value'];

/** The options the node should announce now, from its REST view. */
async function expectedOptions(api) {
  const lines = expectJson(await api.get('/api/gpios'), 200).filter((l) => l.direction === 'output');
  const values = expectJson(await api.get('/api/values'), 200);
  return [...lines.map((l) => gpioOption(l.name, l.value)), ...values.map((v) => valueOption(v.key, v.value))];
}

/** A job's id by name (GET /api/jobs). */
async function jobId(api, name) {
  const job = expectJson(await api.get('/api/jobs'), 200).find((j) => j.name === name);
  assert.ok(job, `job ${name} is configured`);
  return job.id;
}

/**
 * Starts job `name` and takes its job-status notifications up to a final
 * one: the statuses as numbers, and the notifications themselves.
 */
async function runJob(node, client, name) {
  const id = await jobId(node.api, name);
  expectJson(await node.api.post(`/api/jobs/${id}/start`), 202);
  const statuses = [];
  const notes = [];
  const final = new Set([Status.Exited, Status.ExitedWithError, Status.Crashed, Status.FailedToStart, Status.Stopped]);
  for (;;) {
    const n = await client.next(note('job-status', { 'job-id': id }), 10000, `job-status of ${name} (so far ${statuses})`);
    notes.push(n);
    statuses.push(Number(n.status));
    if (final.has(Number(n.status))) return { id, statuses, notes };
    assert.ok(statuses.length < 10, `no final status: ${statuses}`);
  }
}

/** Takes log entries (flattened) of job `name` until `count` of them are in. */
async function logEntriesOf(client, name, count) {
  const entries = [];
  while (entries.length < count) {
    const log = await client.next(
      (m) => m.id === 'log' && m.entries.some((e) => e[3]?.job === name),
      5000,
      `log entries of ${name} (have ${entries.length} of ${count})`,
    );
    entries.push(...log.entries.filter((e) => e[3]?.job === name).map(normalize));
  }
  return entries;
}

/** Statuses Starting (optional), Running, then `last`. */
function assertRanTo(statuses, last) {
  const tail = statuses[0] === Status.Starting ? statuses.slice(1) : statuses;
  assert.deepEqual(tail, [Status.Running, last], `statuses ${JSON.stringify(statuses)}`);
}

describe('realdds mirror', () => {
  let node;
  let api;
  let url;

  before(async () => {
    node = await SignalboxNode.start({ config, args: ['--realdds.log-flush=100ms'] });
    api = node.api;
    url = await mirrorUrl(node);
  });
  after(() => node?.dispose());

  for (const { format, protocols } of FORMATS) {
    describe(`${format} clients (${protocols})`, () => {
      const connect = (label) => connectMirror(node, { protocols, label: `${format} ${label}` });

      test('the subprotocol is selected and the frames are of its type', async () => {
        const client = await connect('protocol');
        assert.equal(client.protocol, protocols);
        assert.equal(client.format, format);
        await client.next(note('device-options'));
        client.close();
      });

      test('device-header, then device-options, as two messages before anything else', async () => {
        const expected = await expectedOptions(api);
        const client = await connect('init');
        const first = await client.messages.next();
        const second = await client.messages.next();
        assert.ok(!Array.isArray(first), `device-header alone: ${JSON.stringify(normalize(first))}`);
        assert.ok(!Array.isArray(second), `device-options alone: ${JSON.stringify(normalize(second))}`);
        assert.deepEqual(normalize(withoutTimestamp(first)), { id: 'device-header', 'n-streams': 0, extrinsics: [] });
        assert.deepEqual(normalize(withoutTimestamp(second)), { id: 'device-options', options: expected });
        assert.ok('timestamp' in first && 'timestamp' in second);
        client.close();
      });

      test('the hello job: its output as a log entry, job-status Running then Exited', async () => {
        const client = await connect('hello');
        await client.skipTo(note('device-options'));
        const { id, statuses, notes } = await runJob(node, client, 'hello');
        assertRanTo(statuses, Status.Exited);
        const running = notes.find((n) => Number(n.status) === Status.Running);
        assert.deepEqual(normalize(withoutTimestamp(running)), {
          id: 'job-status',
          'job-id': id,
          name: 'hello',
          status: Status.Running,
          'status-name': 'running',
        });
        assert.deepEqual(normalize(withoutTimestamp(notes.at(-1))), {
          id: 'job-status',
          'job-id': id,
          name: 'hello',
          status: Status.Exited,
          'status-name': 'exited',
          'exit-code': 0,
        });
        const [entry] = await logEntriesOf(client, 'hello', 1);
        assert.equal(entry.length, 4, JSON.stringify(entry));
        assert.equal(entry[1], 'I');
        assert.ok(entry[2].startsWith(`hello from job ${id} of http://127.0.0.1:`), entry[2]);
        assert.deepEqual(entry[3], { job: 'hello', stream: 'stdout' });
        client.close();
      });

      test('many lines of one job arrive as log entries in order', async () => {
        const client = await connect('count');
        await client.skipTo(note('device-options'));
        const { statuses } = await runJob(node, client, 'count');
        assertRanTo(statuses, Status.Exited);
        const entries = await logEntriesOf(client, 'count', 12);
        assert.deepEqual(
          entries.map((e) => [e[1], e[2], e[3]]),
          Array.from({ length: 12 }, (_, i) => ['I', `line ${i + 1}`, { job: 'count', stream: 'stdout' }]),
        );
        const ts = entries.map((e) => e[0]);
        assert.deepEqual(ts, [...ts].sort((a, b) => a - b), 'entry timestamps do not go back');
        client.close();
      });

      test('stderr output is a "W" entry; a non-zero exit is the node\'s own "W" entry', async () => {
        const client = await connect('stderr');
        await client.skipTo(note('device-options'));
        await runJob(node, client, 'to-stderr');
        const [entry] = await logEntriesOf(client, 'to-stderr', 1);
        assert.deepEqual(entry.slice(1), ['W', 'complaint', { job: 'to-stderr', stream: 'stderr' }]);

        const { id, statuses, notes } = await runJob(node, client, 'exit-3');
        assertRanTo(statuses, Status.ExitedWithError);
        assert.deepEqual(normalize(withoutTimestamp(notes.at(-1))), {
          id: 'job-status',
          'job-id': id,
          name: 'exit-3',
          status: Status.ExitedWithError,
          'status-name': 'exited-with-error',
          'exit-code': 3,
        });
        const [own] = await logEntriesOf(client, 'exit-3', 1);
        assert.deepEqual(own.slice(1), ['W', "job 'exit-3' exited with status 3", { job: 'exit-3', status: 'exited-with-error' }]);
        client.close();
      });

      test('a REST toggle of relay-a: gpio, then query-options with the new value', async () => {
        const client = await connect('gpio');
        await client.skipTo(note('device-options'));
        for (const value of [1, 0]) {
          expectJson(await api.put('/api/gpios/relay-a', { value }), 200);
          const gpio = await client.next(note('gpio'));
          assert.deepEqual(normalize(withoutTimestamp(gpio)), { id: 'gpio', line: 'relay-a', value });
          const update = await client.next(note('query-options'));
          assert.deepEqual(normalize(withoutTimestamp(update)), { id: 'query-options', 'option-values': { 'relay-a': value } });
          assert.ok(client.items.arrival.get(gpio) < client.items.arrival.get(update), 'gpio comes first');
        }
        // An input line is no option: its change is a gpio notification only.
        expectJson(await api.put('/api/sim/gpios/button-1', { value: 1 }), 200);
        assert.deepEqual(normalize(withoutTimestamp(await client.next(note('gpio')))), { id: 'gpio', line: 'button-1', value: 1 });
        expectJson(await api.put('/api/sim/gpios/button-1', { value: 0 }), 200);
        assert.deepEqual(normalize(withoutTimestamp(await client.next(note('gpio')))), { id: 'gpio', line: 'button-1', value: 0 });
        assert.equal(client.items.queue.filter(note('query-options')).length, 0, 'no query-options for an input');
        client.close();
      });

      describe('controls', () => {
        // CBOR clients send their controls as CBOR here; JSON text from a
        // CBOR client is tested below.
        const cbor = format === 'cbor';

        test('query-option, set-option and query-options, with and without stream-name ""', async () => {
          const client = await connect('controls');
          await client.skipTo(note('device-options'));
          expectJson(await api.put('/api/gpios/relay-b', { value: 0 }), 200);

          let control = { id: 'query-option', 'option-name': 'relay-b' };
          let reply = await client.request(control, { cbor });
          assert.deepEqual(normalize(reply), { control, sample: ['websocket', 1], value: 0 });

          control = { id: 'set-option', 'option-name': 'relay-b', value: 1 };
          reply = await client.request(control, { cbor });
          assert.deepEqual(normalize(reply), { control, sample: ['websocket', 2], value: 1 });
          assert.equal(expectJson(await api.get('/api/gpios/relay-b'), 200).value, 1, 'the line was set');
          assert.deepEqual(normalize(withoutTimestamp(await client.next(note('gpio')))), { id: 'gpio', line: 'relay-b', value: 1 });
          assert.deepEqual(normalize(withoutTimestamp(await client.next(note('query-options')))), {
            id: 'query-options',
            'option-values': { 'relay-b': 1 },
          });

          control = { id: 'query-option', 'option-name': 'relay-b', 'stream-name': '' };
          reply = await client.request(control, { cbor });
          assert.deepEqual(normalize(reply), { control, sample: ['websocket', 3], value: 1 });

          control = { id: 'set-option', 'option-name': 'relay-b', 'stream-name': '', value: false };
          reply = await client.request(control, { cbor });
          assert.deepEqual(normalize(reply), { control, sample: ['websocket', 4], value: 0 });
          assert.equal(expectJson(await api.get('/api/gpios/relay-b'), 200).value, 0);

          control = { id: 'set-option', 'option-name': 'relay-b', value: true };
          reply = await client.request(control, { cbor });
          assert.deepEqual(normalize(reply), { control, sample: ['websocket', 5], value: 1 });

          const values = Object.fromEntries((await expectedOptions(api)).map((o) => [o[0], o[1]]));
          for (const [n, q] of [
            [6, { id: 'query-options' }],
            [7, { id: 'query-options', 'stream-name': '' }],
          ]) {
            reply = await client.request(q, { cbor });
            assert.deepEqual(normalize(reply), { control: q, 'option-values': values, sample: ['websocket', n] });
          }
          expectJson(await api.put('/api/gpios/relay-b', { value: 0 }), 200);
          client.close();
        });

        test('errors: unknown option (names are case-sensitive), bad value, unknown control', async () => {
          const client = await connect('errors');
          await client.skipTo(note('device-options'));
          const cases = [
            [{ id: 'query-option', 'option-name': 'Relay-A' }, "device option 'Relay-A' not found"],
            [{ id: 'query-option', 'option-name': 'no-such', 'stream-name': '' }, "device option 'no-such' not found"],
            [{ id: 'set-option', 'option-name': 'RELAY-A', value: 1 }, "device option 'RELAY-A' not found"],
            [{ id: 'set-option', 'option-name': 'button-1', value: 1 }, "device option 'button-1' not found"],
            [{ id: 'set-option', 'option-name': 'relay-a', value: 2 }, 'value 2 > 1 maximum'],
          ];
          let n = 0;
          for (const [control, explanation] of cases) {
            const reply = await client.request(control, { cbor });
            assert.deepEqual(normalize(reply), { control, explanation, sample: ['websocket', ++n], status: 'error' });
          }
          const bogus = { id: 'no-such-control' };
          const reply = await client.request(bogus, { cbor });
          assert.equal(reply.status, 'error', JSON.stringify(normalize(reply)));
          assert.equal(typeof reply.explanation, 'string');
          assert.deepEqual(normalize(reply.sample), ['websocket', ++n]);
          assert.deepEqual(normalize(reply.control), bogus);
          assert.equal(expectJson(await api.get('/api/gpios/relay-a'), 200).value, 0, 'relay-a untouched');
          client.close();
        });

        test('a reply goes to its client only; the change it makes goes to all', async () => {
          const a = await connect('sender');
          const b = await connect('bystander');
          await a.skipTo(note('device-options'));
          await b.skipTo(note('device-options'));
          const control = { id: 'set-option', 'option-name': 'relay-a', value: 1 };
          const reply = await a.request(control, { cbor });
          assert.deepEqual(normalize(reply), { control, sample: ['websocket', 1], value: 1 });
          // b gets the change; a reply to it would have come before it.
          await b.next(note('gpio', { line: 'relay-a', value: 1 }));
          await b.next(note('query-options'));
          assert.deepEqual(b.items.history.filter((m) => 'sample' in m).map(normalize), [], 'no reply reached the bystander');
          // Each connection counts its own controls from 1.
          const q = { id: 'query-option', 'option-name': 'relay-a' };
          assert.deepEqual(normalize(await b.request(q, { cbor })), { control: q, sample: ['websocket', 1], value: 1 });
          expectJson(await api.put('/api/gpios/relay-a', { value: 0 }), 200);
          await a.next(note('gpio', { line: 'relay-a', value: 0 }));
          assert.deepEqual(a.items.history.filter((m) => 'sample' in m).length, 1, 'the sender got only its own reply');
          a.close();
          b.close();
        });

        test('shared values: REST changes notified, set-option writes them, strings only', async () => {
          const client = await connect('values');
          await client.skipTo(note('device-options'));
          const key = `greeting-${format}`;
          const path = `/api/values/${key}`;
          expectJson(await api.put(path, { value: 'hello', persistent: false, notify: true }), 201);
          assert.deepEqual(normalize(withoutTimestamp(await client.next(note('value')))), { id: 'value', key, value: 'hello' });
          assert.deepEqual(normalize(withoutTimestamp(await client.next(note('query-options')))), {
            id: 'query-options',
            'option-values': { [key]: 'hello' },
          });

          let control = { id: 'query-option', 'option-name': key };
          assert.deepEqual(normalize(await client.request(control, { cbor })), { control, sample: ['websocket', 1], value: 'hello' });
          control = { id: 'set-option', 'option-name': key, value: 'hi there' };
          assert.deepEqual(normalize(await client.request(control, { cbor })), { control, sample: ['websocket', 2], value: 'hi there' });
          assert.equal(expectJson(await api.get(path), 200).value, 'hi there', 'the value was written');
          assert.deepEqual(normalize(withoutTimestamp(await client.next(note('value')))), { id: 'value', key, value: 'hi there' });
          control = { id: 'set-option', 'option-name': key, value: 5 };
          assert.deepEqual(normalize(await client.request(control, { cbor })), {
            control,
            explanation: 'not a string: 5',
            sample: ['websocket', 3],
            status: 'error',
          });

          // A new client's device-options lists the value.
          const late = await connect('values-late');
          const options = (await late.next(note('device-options'))).options.map(normalize);
          assert.deepEqual(
            options.find((o) => o[0] === key),
            valueOption(key, 'hi there'),
          );
          late.close();

          expectStatus(await api.delete(path), 204);
          assert.deepEqual(normalize(withoutTimestamp(await client.next(note('value')))), { id: 'value', key, removed: true });
          control = { id: 'query-option', 'option-name': key };
          assert.deepEqual(normalize(await client.request(control, { cbor })), {
            control,
            explanation: `device option '${key}' not found`,
            sample: ['websocket', 4],
            status: 'error',
          });
          client.close();
        });

        test(`a frame of ${MAX_MESSAGE_BYTES} bytes is read; one byte more closes with 1009`, async () => {
          const client = await connect('bound');
          await client.skipTo(note('device-options'));
          // A JSON string, not an object: the error reply does not echo it.
          const text = `"${'x'.repeat(MAX_MESSAGE_BYTES - 2)}"`;
          const data = cbor ? Buffer.concat([Buffer.from([0x79, 0x0f, 0xfd]), Buffer.alloc(MAX_MESSAGE_BYTES - 3, 0x78)]) : text;
          assert.equal(data.length, MAX_MESSAGE_BYTES);
          await client.send(data, { binary: cbor });
          const reply = await client.next(replyTo('websocket', 1));
          assert.equal(reply.status, 'error', JSON.stringify(normalize(reply)));
          assert.ok(!('control' in reply), 'a control that is no object is not echoed');

          const over = cbor ? Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x78) : 'x'.repeat(MAX_MESSAGE_BYTES + 1);
          await client.send(over, { binary: cbor });
          assert.equal((await client.waitClose()).code, 1009);
        });

        test(`a control of ${MAX_MESSAGE_BYTES} bytes is answered within the bound`, async () => {
          // The reply echoes the control: as it is, it would not fit. The
          // client must still get a reply to it (which one is the node's
          // choice), and no message over the bound (checked on receipt).
          const client = await connect('big control');
          await client.skipTo(note('device-options'));
          const withPad = (n) => ({ id: 'query-option', 'option-name': 'relay-a', pad: 'x'.repeat(n) });
          const size = (c) => (cbor ? cborEncode(c).length : Buffer.byteLength(JSON.stringify(c)));
          // One byte of pad is one byte of message once its length takes
          // two bytes in CBOR (256 and more).
          const control = withPad(1000 + MAX_MESSAGE_BYTES - size(withPad(1000)));
          assert.equal(size(control), MAX_MESSAGE_BYTES);
          await client.control(control, { cbor });
          const reply = await client.next(replyTo('websocket', 1), 5000, 'a reply to the big control');
          assert.ok(reply.status === 'error' || normalize(reply.value) === 0, JSON.stringify(normalize(reply)).slice(0, 300));
          // The connection goes on.
          const q = { id: 'query-option', 'option-name': 'relay-a' };
          assert.deepEqual(normalize(await client.request(q, { cbor })), { control: q, sample: ['websocket', 2], value: 0 });
          client.close();
        });
      });
    });
  }

  describe('any client', () => {
    test('no subprotocol offered: JSON text frames, and the same initialization', async () => {
      const client = await connectMirror(node, { protocols: null, label: 'no subprotocol' });
      assert.equal(client.protocol, '');
      const first = await client.messages.next();
      assert.equal(first.id, 'device-header');
      assert.equal((await client.messages.next()).id, 'device-options');
      const q = { id: 'query-option', 'option-name': 'relay-a' };
      assert.deepEqual(await client.request(q), { control: q, sample: ['websocket', 1], value: 0 });
      client.close();
    });

    test('a realdds-cbor client may send JSON text and CBOR of any valid form; replies are CBOR', async () => {
      const client = await connectMirror(node, { protocols: CBOR_PROTOCOL, label: 'cbor mixed' });
      await client.skipTo(note('device-options'));
      const q = { id: 'query-option', 'option-name': 'relay-a' };
      assert.deepEqual(normalize(await client.request(q)), { control: q, sample: ['websocket', 1], value: 0 });
      // cbor-x's default writes map sizes in two bytes (0xb9): still CBOR.
      const encoded = cborDefaultEncode(q);
      assert.equal(encoded[0], 0xb9);
      assert.deepEqual(normalize(await client.request(q, { cbor: true, encode: cborDefaultEncode })), {
        control: q,
        sample: ['websocket', 2],
        value: 0,
      });
      client.close();
    });

    test('frames that are no control of the format close the connection with 1007', async () => {
      // RFC 6455: text that is not UTF-8 is 1007.
      const text = await connectMirror(node, { protocols: JSON_PROTOCOL, label: 'bad utf-8' });
      await text.skipTo(note('device-options'));
      await text.send(Buffer.from([0x22, 0xff, 0x22]), { binary: false });
      assert.equal((await text.waitClose()).code, 1007);
      // Controls of a realdds-json client are text.
      const json = await connectMirror(node, { protocols: JSON_PROTOCOL, label: 'binary from json' });
      await json.skipTo(note('device-options'));
      await json.send(cborEncode({ id: 'query-options' }), { binary: true });
      assert.equal((await json.waitClose()).code, 1007);
      // Binary frames of a realdds-cbor client are one CBOR data item.
      for (const bytes of [[0xff, 0x00], [...cborEncode({ id: 'query-options' }), 0x00]]) {
        const cbor = await connectMirror(node, { protocols: CBOR_PROTOCOL, label: `bad cbor ${Buffer.from(bytes).toString('hex')}` });
        await cbor.skipTo(note('device-options'));
        await cbor.send(Buffer.from(bytes), { binary: true });
        assert.equal((await cbor.waitClose()).code, 1007, cbor.label);
      }
    });

    test('JSON that is no object gets an error reply without control', async () => {
      const client = await connectMirror(node, { protocols: JSON_PROTOCOL, label: 'not an object' });
      await client.skipTo(note('device-options'));
      let n = 0;
      for (const text of ['{', '', '[1,2]', '"query-options"', '{"id":"query-options"} trailing']) {
        const sequence = await client.control(text);
        assert.equal(sequence, ++n);
        assert.deepEqual(await client.next(replyTo('websocket', sequence)), {
          explanation: 'control is not a JSON object',
          sample: ['websocket', sequence],
          status: 'error',
        }, JSON.stringify(text));
      }
      const noId = { 'option-name': 'relay-a' };
      assert.deepEqual(await client.request(noId), {
        explanation: "[json.exception.out_of_range.403] key 'id' not found",
        sample: ['websocket', ++n],
        status: 'error',
      });
      client.close();
    });

    test('several offers: the first known subprotocol is taken', async () => {
      assert.deepEqual(await tryHandshake(url, ['bogus', CBOR_PROTOCOL]), { outcome: 'open', protocol: CBOR_PROTOCOL });
      assert.deepEqual(await tryHandshake(url, ['bogus', JSON_PROTOCOL]), { outcome: 'open', protocol: JSON_PROTOCOL });
    });

    /** The status of a plain GET on the mirror's port. */
    async function plainGet(path) {
      const res = await fetch(`http://127.0.0.1:${await node.portOf('realdds')}${path}`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return res.status;
    }

    test('refusals: only unknown subprotocols 400, a handshake at another path 404, a plain GET of / 426', async () => {
      for (const offer of ['bogus', ['bogus', 'ttmnotify']]) {
        const unknown = await tryHandshake(url, offer);
        assert.equal(unknown.outcome, 'refused', JSON.stringify(unknown));
        assert.equal(unknown.status, 400);
      }
      for (const path of ['notification', 'realdds', 'ttmnotify']) {
        const other = await tryHandshake(`${url}${path}`, JSON_PROTOCOL);
        assert.equal(other.outcome, 'refused', `${path}: ${JSON.stringify(other)}`);
        assert.equal(other.status, 404, path);
      }
      assert.equal(await plainGet('/'), 426);
    });

    test('a plain GET of another path is 404 (nothing is there to upgrade to)', async () => {
      assert.equal(await plainGet('/api/gpios'), 404);
      assert.equal(await plainGet('/x'), 404);
    });
  });
});

test('the demo node: its output lines as options; SIGTERM closes mirror clients with 1001, exit code 0', async (t) => {
  // No --config-file: the embedded demo configuration.
  const demo = await SignalboxNode.start();
  t.after(() => demo.dispose());
  const clients = [];
  for (const { format, protocols } of FORMATS) {
    const client = await connectMirror(demo, { protocols, label: `demo ${format}` });
    clients.push(client);
    await client.next(note('device-header'));
    const options = (await client.next(note('device-options'))).options.map(normalize);
    assert.deepEqual(
      options.filter((o) => o[6] === 'GPIO output line'),
      [gpioOption('relay-a', 0), gpioOption('relay-b', 0)],
    );
  }
  demo.child.kill('SIGTERM');
  for (const client of clients) assert.equal((await client.waitClose(10000)).code, 1001, client.label);
  const { code, signal } = await demo.waitExit();
  assert.equal(code, 0, `exit code ${code}, signal ${signal}\n${demo.describe()}`);
});

test('--realdds.enabled=false: no realdds listener', async (t) => {
  const quiet = await SignalboxNode.start({ config, args: ['--realdds.enabled=false'] });
  t.after(() => quiet.dispose());
  // Every listening line is printed before the node serves; after a clean
  // stop and the end of its stdout, none can be missing.
  await quiet.stopCleanly();
  const stdout = quiet.child.stdout;
  if (!stdout.readableEnded) await new Promise((resolve) => stdout.once('close', resolve));
  assert.ok(quiet.stdoutLines.some((l) => l.startsWith('listening ttm ')), quiet.describe());
  assert.equal(quiet.stdoutLines.filter((l) => l.startsWith('listening realdds ')).length, 0, quiet.describe());
  assert.ok(!('realdds' in quiet.ports));
});
