// The node under misbehaving clients: a WebSocket client that stops reading
// (slow consumer: disconnected, while everyone else gets everything),
// malformed and oversized HTTP requests, and connections that never send.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectJson, parseResponseHead, rawHttp, show } from './lib/http.mjs';
import { scrape, valueOf as metricValue } from './lib/metrics.mjs';
import { EPHEMERAL_PORTS, SignalboxNode, TempDir, signalboxBin } from './lib/node.mjs';
import { rawWsHandshake, readUntilEnd } from './lib/rawws.mjs';
import { eventually, notYet } from './lib/wait.mjs';

const MAX_QUEUE_BYTES = 65536;
const MAX_HEADER_BYTES = 8192;

const config = renderConfig({
  gpio: { backend: 'simulated', lines: [{ name: 'relay-a', direction: 'output' }] },
});

/** Opens a plain TCP connection and resolves once connected. */
function openSocket(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('robustness', () => {
  let node;
  let api;

  before(async () => {
    node = await SignalboxNode.start({
      config,
      args: [`--net.max-queue-bytes=${MAX_QUEUE_BYTES}`, `--net.max-header-bytes=${MAX_HEADER_BYTES}`],
    });
    api = node.api;
  });
  after(() => node?.dispose());

  test('a slow consumer is disconnected; other clients get every frame in order', { timeout: 60000 }, async (t) => {
    const WRITERS = 4;
    const UPDATES = 300; // 1200 frames of ~8 KiB: far beyond kernel buffers + queue
    const VALUE_BYTES = 8192;
    const valueOf = (w, i) => `${w}:${i}:`.padEnd(VALUE_BYTES, 'x');

    const fast = await node.connect({ label: 'fast' });
    const slow = await rawWsHandshake(node.port); // paused: never reads
    // Each writer updates its own key in sequence: the per-key order of the
    // frames is then defined.
    const writers = [];
    for (let w = 0; w < WRITERS; ++w) {
      writers.push(
        (async () => {
          for (let i = 0; i < UPDATES; ++i) {
            const reply = await api.put(`/api/values/slow-${w}`, { value: valueOf(w, i), persistent: false, notify: true });
            assert.equal(reply.status, i === 0 ? 201 : 200, `${reply}`);
          }
        })(),
      );
    }
    const received = Array.from({ length: WRITERS }, () => []);
    const reading = (async () => {
      for (let n = 0; n < WRITERS * UPDATES; ++n) {
        const m = await fast.next((f) => f.cmd === 'dbchange' && f.key.startsWith('slow-'), 15000, 'dbchange of slow-*');
        const w = Number(m.key.slice(5));
        const i = received[w].length;
        // (values compared apart from the rest: 8 KiB in a message is unreadable)
        const { value, ...rest } = m;
        assert.deepEqual(rest, { cmd: 'dbchange', key: `slow-${w}`, reason: i === 0 ? 'added' : 'updated' });
        assert.ok(value === valueOf(w, i), `slow-${w} update ${i} arrived as ${value.slice(0, 16)}... (${value.length} chars)`);
        received[w].push(i);
      }
    })();
    await Promise.all([...writers, reading]);
    // The fast client's queue holds nothing else: all frames were consumed.
    assert.equal(fast.queue.filter((f) => f.cmd === 'dbchange').length, 0);

    // The node gave up on the slow one long ago; now read what it sent.
    const { ended, texts, close } = await readUntilEnd(slow.socket, slow.pending, { timeoutMs: 15000 });
    t.diagnostic(`slow consumer: ${texts.length} of ${WRITERS * UPDATES} messages, close frame ${JSON.stringify(close)}`);
    assert.ok(ended, `the slow consumer was not disconnected (read ${texts.length} frames)`);
    assert.ok(texts.length < WRITERS * UPDATES, `the slow consumer got all ${texts.length} frames`);
    if (close) assert.equal(close.code, 1008, `close frame ${JSON.stringify(close)}`);
    // GET /metrics counted it.
    const closes = metricValue((await scrape(node.port)).samples, 'signalbox_slow_consumer_closes_total', { interface: 'ttm' });
    assert.equal(closes, 1, `slow-consumer closes: ${closes}`);
    // What it did get is a gap-free prefix per key: cut off, never skipped.
    const next = new Array(WRITERS).fill(0);
    for (const text of texts) {
      const m = JSON.parse(text);
      const w = Number(m.key.slice(5));
      assert.ok(m.value === valueOf(w, next[w]), `slow consumer: slow-${w} update ${next[w]} arrived as ${m.value.slice(0, 16)}...`);
      next[w] += 1;
    }

    // The node and the fast client carry on.
    assert.ok(fast.isOpen);
    expectJson(await api.put('/api/gpios/relay-a', { value: 1 }), 200);
    assert.deepEqual(await fast.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'relay-a', value: 1 });
    const late = await node.connect({ label: 'late' });
    expectJson(await api.put('/api/gpios/relay-a', { value: 0 }), 200);
    assert.deepEqual(await late.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'relay-a', value: 0 });
  });

  test('a garbage request is 400 and the node still serves', async () => {
    for (const garbage of ['GARBAGE\r\n\r\n', 'GET\r\n\r\n', Buffer.concat([Buffer.from([0, 1, 2, 255, 254, 10]), Buffer.from('\r\n\r\n')])]) {
      const reply = await rawHttp(node.port, garbage);
      assert.equal(reply.status, 400, show(reply));
    }
    expectJson(await api.get('/api/gpios'), 200);
  });

  test('a request line plus headers over net.max-header-bytes is 431', async () => {
    const bigHeader = await rawHttp(
      node.port,
      `GET /api/values HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES + 1000)}\r\n\r\n`,
    );
    assert.equal(bigHeader.status, 431, show(bigHeader));
    const manyHeaders = await rawHttp(
      node.port,
      `GET /api/values HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'b'.repeat(20)}\r\n`).join('') +
        '\r\n',
    );
    assert.equal(manyHeaders.status, 431, show(manyHeaders));
    const longTarget = await rawHttp(node.port, `GET /api/values/${'k'.repeat(MAX_HEADER_BYTES + 100)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(longTarget.status, 431, show(longTarget));
    // Just under the limit is an ordinary request.
    const fits = await rawHttp(node.port, `GET /api/gpios HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fits: ${'c'.repeat(MAX_HEADER_BYTES - 200)}\r\n\r\n`);
    assert.equal(fits.status, 200, show(fits));
    expectJson(await api.get('/api/gpios'), 200);
  });

  test('connections that send nothing or half a request do not block others', async () => {
    const silent = await Promise.all(Array.from({ length: 5 }, () => openSocket(node.port)));
    const partial = await openSocket(node.port);
    partial.write('GET /api/gpios/relay-a HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    try {
      expectJson(await api.get('/api/gpios'), 200);
      const client = await node.connect();
      expectJson(await api.put('/api/values/while-idle', { value: '1', persistent: false, notify: true }), 201);
      assert.deepEqual(await client.next({ cmd: 'dbchange', key: 'while-idle' }), {
        cmd: 'dbchange',
        key: 'while-idle',
        value: '1',
        reason: 'added',
      });
      // The half request is still being served once it is complete.
      const response = new Promise((resolve, reject) => {
        let data = Buffer.alloc(0);
        partial.on('data', (d) => {
          data = Buffer.concat([data, d]);
          const head = parseResponseHead(data);
          if (head) resolve(head);
        });
        partial.on('error', reject);
        partial.on('close', () => reject(new Error(`closed; got ${data.toString('latin1')}`)));
      });
      partial.write('\r\n');
      assert.equal((await response).status, 200);
    } finally {
      for (const s of [...silent, partial]) s.destroy();
    }
  });
});

describe('out of file descriptors', () => {
  test('the listener backs off instead of spinning, and recovers', async (t) => {
    const dir = await TempDir.create();
    // The node runs with a limit of 64 descriptors (soft and hard, so the
    // node cannot raise it), then gets more connections than that.
    const child = spawn('/bin/sh', ['-c', `ulimit -n 64 && exec "$0" "$@"`, signalboxBin,
      ...EPHEMERAL_PORTS, '--jmri.enabled=false', `--store.directory=${dir.file('data')}`],
    { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] });
    const sockets = [];
    t.after(async () => {
      sockets.forEach((s) => s.destroy());
      child.kill('SIGKILL');
      await dir.remove();
    });
    const port = await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        const m = /listening ttm 127\.0\.0\.1:(\d+)/.exec(d);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`node exited with ${code}`)));
    });
    for (let i = 0; i < 120; ++i) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      sockets.push(s);
    }
    // Wait until the node really is out of descriptors.
    await eventually(() => fs.readdirSync(`/proc/${child.pid}/fd`).length >= 63 || notYet(
      fs.readdirSync(`/proc/${child.pid}/fd`).length), { timeoutMs: 10000 });
    const cpuTicks = () => {
      const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime
    };
    const before = cpuTicks();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the measuring window
    const used = cpuTicks() - before;
    // A listener retrying accept() at once on EMFILE burns a whole core
    // (about 100 ticks a second); backing off costs next to nothing.
    assert.ok(used < 30, `the node used ${used} CPU ticks in one second while out of descriptors`);
    sockets.forEach((s) => s.destroy());
    const res = await eventually(async () => {
      try {
        return await fetch(`http://127.0.0.1:${port}/api/values`);
      } catch {
        return false;
      }
    }, { timeoutMs: 10000 });
    assert.equal(res.status, 200);
  });
});
