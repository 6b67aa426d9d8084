// signalbox's own WebSocket framing (protocols/http/ws_session.cpp) against
// RFC 6455, over real sockets: a hand-made client sends exactly the bytes a
// case needs (fragments, control frames, broken frames) and reads the
// server's frames back. The JMRI endpoint (/json/) is used where the client
// must talk, since it answers {"type":"ping"} with {"type":"pong"}.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';

import { parseResponseHead, rawHttp } from './lib/http.mjs';
import { SignalboxNode } from './lib/node.mjs';
import { decodeFrames, rawWsHandshake } from './lib/rawws.mjs';

const IDLE_TIMEOUT_MS = 400;
const WAIT_MS = 5000;

/** A masked client frame. */
function frame(opcode, payload = Buffer.alloc(0), { fin = true, rsv = 0, masked = true } = {}) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const n = body.length;
  let head;
  if (n <= 125) head = Buffer.from([0, n]);
  else if (n <= 0xffff) {
    head = Buffer.alloc(4);
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head = Buffer.alloc(10);
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  head[0] = (fin ? 0x80 : 0) | rsv | opcode;
  if (!masked) return Buffer.concat([head, body]);
  head[1] |= 0x80;
  const key = crypto.randomBytes(4);
  const out = Buffer.from(body);
  for (let i = 0; i < n; ++i) out[i] ^= key[i % 4];
  return Buffer.concat([head, key, out]);
}

function closeBody(code, reason = '') {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason)]);
}

/**
 * A raw WebSocket connection: frames are decoded as they arrive and queued;
 * next(pred) waits for the first matching one. `ended` resolves when the
 * server closes the TCP connection.
 */
class RawWs {
  static async open(port, options) {
    const { socket, pending } = await rawWsHandshake(port, options);
    return new RawWs(socket, pending);
  }

  constructor(socket, pending) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.frames = [];
    this.waiters = [];
    this.ended = new Promise((resolve) => {
      socket.on('close', resolve);
      socket.on('error', resolve);
    });
    this.isEnded = false;
    this.ended.then(() => (this.isEnded = true));
    socket.on('data', (d) => this.feed(d));
    this.feed(pending);
    socket.resume();
  }

  feed(data) {
    const { frames, rest } = decodeFrames(Buffer.concat([this.buffer, data]));
    this.buffer = rest;
    this.frames.push(...frames);
    for (const w of [...this.waiters]) w();
  }

  send(bytes) {
    this.socket.write(bytes);
  }

  next(pred, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.frames.findIndex(pred);
        if (i < 0) return false;
        const [f] = this.frames.splice(i, 1);
        this.waiters = this.waiters.filter((w) => w !== check);
        clearTimeout(timer);
        resolve(f);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        const seen = this.frames.map((f) => `${f.opcode}:${f.payload.toString('latin1').slice(0, 60)}`);
        reject(new Error(`no ${what} within ${WAIT_MS} ms; queued: ${seen.join(' | ') || '(nothing)'}`));
      }, WAIT_MS);
      if (!check()) this.waiters.push(check);
    });
  }

  text(pred = () => true) {
    return this.next((f) => f.opcode === 1 && pred(f.payload.toString('utf8')), 'text frame');
  }

  /** The server's close frame: {code, reason}. */
  async close() {
    const f = await this.next((f) => f.opcode === 8, 'close frame');
    return { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005, reason: f.payload.subarray(2).toString() };
  }

  async endedWithin(ms = WAIT_MS) {
    let timer;
    const t = new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const r = await Promise.race([this.ended.then(() => true), t]);
    clearTimeout(timer);
    return r;
  }

  dispose() {
    this.socket.destroy();
  }
}

describe('WebSocket framing', () => {
  let node;
  let jmriPort;
  const open = [];
  const jmri = async () => {
    const c = await RawWs.open(jmriPort, { path: '/json/', protocol: null });
    open.push(c);
    await c.text((t) => t.includes('"hello"'));
    return c;
  };

  before(async () => {
    node = await SignalboxNode.start({ args: [`--net.ws-idle-timeout=${IDLE_TIMEOUT_MS}ms`, '--jmri.heartbeat-interval=60s'] });
    jmriPort = await node.portOf('jmri');
  });
  after(async () => {
    open.forEach((c) => c.dispose());
    await node?.stopCleanly();
  });

  test('a message in three fragments with a ping between them is one message; the ping is answered', async () => {
    const c = await jmri();
    c.send(frame(1, '{"type":', { fin: false }));
    c.send(frame(9, 'between'));
    c.send(frame(0, '"pi', { fin: false }));
    c.send(frame(0, 'ng"}'));
    const pong = await c.next((f) => f.opcode === 10, 'pong');
    assert.equal(pong.payload.toString(), 'between');
    assert.deepEqual(JSON.parse(await c.text().then((f) => f.payload.toString())), { type: 'pong' });
  });

  test('frames split at every byte still make the message', async () => {
    const c = await jmri();
    const bytes = frame(1, '{"type":"ping"}');
    for (let i = 0; i < bytes.length; ++i) c.send(bytes.subarray(i, i + 1));
    assert.deepEqual(JSON.parse((await c.text()).payload.toString()), { type: 'pong' });
  });

  test('several messages in one TCP write are all answered, in order', async () => {
    const c = await jmri();
    const reqs = [];
    for (let i = 1; i <= 20; ++i) reqs.push(frame(1, JSON.stringify({ type: 'hello', data: { version: 'v5' }, id: i })));
    c.send(Buffer.concat(reqs));
    for (let i = 1; i <= 20; ++i) {
      const f = await c.text();
      assert.equal(JSON.parse(f.payload.toString()).id, i);
    }
  });

  const protocolErrors = [
    ['an unmasked client frame', () => frame(1, '{"type":"ping"}', { masked: false }), 1002],
    ['a reserved bit', () => frame(1, '{}', { rsv: 0x40 }), 1002],
    ['an unknown opcode', () => frame(3, 'x'), 1002],
    ['a continuation without a message', () => frame(0, 'x'), 1002],
    ['a fragmented ping', () => frame(9, 'x', { fin: false }), 1002],
    ['a ping with 126 bytes', () => frame(9, Buffer.alloc(126)), 1002],
    ['text that is not UTF-8', () => frame(1, Buffer.from([0x7b, 0xed, 0xa0, 0x80, 0x7d])), 1007],
    ['a close with a 1-byte body', () => frame(8, Buffer.from([3])), 1002],
    ['a close with code 1005', () => frame(8, closeBody(1005)), 1002],
  ];
  for (const [name, bytes, code] of protocolErrors) {
    test(`${name} fails the connection with ${code}, and the node serves on`, async () => {
      const c = await jmri();
      c.send(bytes());
      assert.equal((await c.close()).code, code);
      assert.ok(await c.endedWithin(), 'the node did not end the TCP connection');
      const d = await jmri();
      d.send(frame(1, '{"type":"ping"}'));
      assert.deepEqual(JSON.parse((await d.text()).payload.toString()), { type: 'pong' });
    });
  }

  test('a message header announcing more than net.max-frame-bytes fails with 1009 before the payload', async () => {
    const c = await jmri();
    // Only the header of a 1 MiB frame: the node must not wait for the rest.
    c.send(frame(1, Buffer.alloc(1 << 20)).subarray(0, 14));
    assert.equal((await c.close()).code, 1009);
  });

  test("the peer's close is echoed with its code and the node ends the TCP connection", async () => {
    const c = await jmri();
    c.send(frame(8, closeBody(4000, 'done here')));
    assert.equal((await c.close()).code, 4000);
    assert.ok(await c.endedWithin(), 'the node did not end the TCP connection');
  });

  test('a close without a code is answered with a close without a code', async () => {
    const c = await jmri();
    c.send(frame(8));
    const f = await c.next((f) => f.opcode === 8, 'close frame');
    assert.equal(f.payload.length, 0);
    assert.ok(await c.endedWithin());
  });

  test('a silent peer is pinged at half net.ws-idle-timeout and dropped at the timeout', async () => {
    const c = await RawWs.open(node.port, {});
    open.push(c);
    const started = Date.now();
    await c.next((f) => f.opcode === 9, 'keep-alive ping');
    assert.ok(await c.endedWithin(), 'a peer that never answers was not dropped');
    const took = Date.now() - started;
    assert.ok(took >= IDLE_TIMEOUT_MS * 0.9, `dropped after ${took} ms, before the idle timeout`);
  });

  test('a peer that answers the keep-alive pings stays connected and is still served', async () => {
    const ws = new WebSocket(node.wsUrl + '/', 'ttmnotify');
    let pings = 0;
    const threePings = new Promise((resolve) =>
      ws.on('ping', () => {
        if (++pings === 3) resolve();
      }),
    );
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    // Three pings span 1.5 idle timeouts: the answering client outlived one.
    await threePings;
    assert.equal(ws.readyState, WebSocket.OPEN);
    const got = new Promise((resolve) => ws.on('message', (m) => resolve(JSON.parse(m.toString()))));
    const res = await fetch(`${node.baseUrl}/api/values/keepalive`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value: 'still here' }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await got, { cmd: 'dbchange', key: 'keepalive', value: 'still here', reason: 'added' });
    ws.close();
  });

  test('a frame over 125 bytes (16-bit length) arrives whole and final', async () => {
    const c = await RawWs.open(node.port, {});
    open.push(c);
    const value = 'v'.repeat(16000);
    const res = await fetch(`${node.baseUrl}/api/values/big`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value }),
    });
    assert.equal(res.status, 201);
    const f = await c.text((t) => t.includes('"big"'));
    assert.equal(JSON.parse(f.payload.toString()).value, value);
    assert.ok(f.fin);
  });

  const badHandshakes = [
    ['no Sec-WebSocket-Key', (key) => `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n`, 400, /Sec-WebSocket-Key field is missing/],
    ['a short key', () => `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n`, 400, /Sec-WebSocket-Key field is invalid/],
    ['no version', (key) => `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n`, 400, /Sec-WebSocket-Version field is missing/],
    ['version 8', (key) => `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 8\r\n`, 426, /Sec-WebSocket-Version field is invalid/],
  ];
  for (const [name, headers, status, text] of badHandshakes) {
    test(`an upgrade with ${name} is refused with ${status}`, async () => {
      const key = crypto.randomBytes(16).toString('base64');
      const reply = await rawHttp(node.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers(key)}\r\n`);
      assert.equal(reply.status, status, reply.body);
      assert.match(JSON.parse(reply.body).error, text);
      if (status === 426) assert.equal(reply.headers['sec-websocket-version'], '13');
    });
  }

  test('a plain GET of the ttmnotify endpoint is told to upgrade (of / too without the dashboard); other paths are 404', async (t) => {
    const plain = await SignalboxNode.start({ args: ['--ttm.dashboard=false'] });
    t.after(() => plain.dispose());
    for (const [port, path] of [[node.port, '/ttmnotify'], [plain.port, '/'], [plain.port, '/ttmnotify']]) {
      const reply = await rawHttp(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      assert.equal(reply.status, 426, path);
      assert.equal(reply.headers.upgrade, 'websocket');
      assert.deepEqual(JSON.parse(reply.body), {
        error: 'this is the ttmnotify WebSocket endpoint; connect with a WebSocket client',
      });
    }
    // With the dashboard (the default), a browser's GET / is the page.
    const page = await rawHttp(node.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body, /^<!doctype html>/i);
    const noPage = await rawHttp(plain.port, 'GET /ui/uplot.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(noPage.status, 404);
    const missing = await rawHttp(node.port, 'GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.body), { error: 'no such resource: /nope' });
  });
});
