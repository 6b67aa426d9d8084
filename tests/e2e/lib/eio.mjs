// Raw Engine.IO clients for the conformance and robustness tests: every
// byte the tests send is written out by hand, every answer is kept exactly
// as it came (docs/socketio.md).
//
// - Long-polling over node:http. Like the real Node client, each request
//   goes on a new TCP connection with `Connection: close`; `keepAlive: true`
//   reuses connections instead. Answers are {status, headers, body}.
// - EioWebSocket: npm's `ws` plus a queue. Every message is queued the
//   moment it arrives (text as a string, binary as a Buffer, so the kind is
//   kept), so messages that arrive together are never lost; tests take them
//   with `await next()`. Nothing here sleeps.

import assert from 'node:assert/strict';
import http from 'node:http';

import WebSocket from 'ws';

const DEFAULT_TIMEOUT_MS = 5000;

/** The record separator between the packets of a polling payload. */
export const RS = '\x1e';

/** The packets of a polling payload. */
export function splitPayload(body) {
  return body.split(RS);
}

/**
 * The URL of an Engine.IO endpoint: `query` is an object of parameters
 * (undefined values are left out), written in the given order.
 */
export function eioUrl(base, path, query = {}) {
  const params = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return `${base}${path}${params.length ? `?${params.join('&')}` : ''}`;
}

// One pool for `keepAlive: true`: sequential requests reuse a connection,
// concurrent ones (a held GET and a POST) still get their own.
const keepAliveAgent = new http.Agent({ keepAlive: true });

/** What one HTTP exchange returned; `body` is the UTF-8 text. */
export class HttpAnswer {
  constructor(method, url, status, headers, raw) {
    this.method = method;
    this.url = url;
    this.status = status;
    this.headers = headers;
    this.raw = raw;
    this.body = raw.toString('utf8');
  }

  /** The body parsed as JSON (fails the test when it is not JSON). */
  get json() {
    try {
      return JSON.parse(this.body);
    } catch {
      assert.fail(`body is not JSON: ${this}`);
    }
  }

  toString() {
    const body = this.body.length > 300 ? `${this.body.slice(0, 300)}... (${this.body.length} chars)` : this.body;
    return `${this.method} ${this.url} -> ${this.status} ${JSON.stringify(this.headers)} ${JSON.stringify(body)}`;
  }
}

/**
 * Sends one request and resolves with its HttpAnswer. `body` (string or
 * Buffer) is sent as it is with `contentType`. The returned promise has
 * `flushed`, a promise that resolves once the whole request was handed to
 * the kernel: a request made after that reaches the server after it (used
 * to order a held GET before a POST on another connection).
 */
export function httpRequest(url, { method = 'GET', body, contentType, headers = {}, keepAlive = false, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  let flushed;
  const answer = new Promise((resolve, reject) => {
    const h = { ...headers };
    if (!keepAlive) h.Connection = 'close';
    if (body !== undefined) {
      h['Content-Type'] = contentType ?? 'text/plain;charset=UTF-8';
      h['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request(url, { method, headers: h, agent: keepAlive ? keepAliveAgent : false });
    flushed = new Promise((resolveFlushed) => req.once('finish', resolveFlushed));
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${method} ${url} failed: ${err.message}`));
    });
    req.once('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.once('end', () => {
        clearTimeout(timer);
        resolve(new HttpAnswer(method, url, res.statusCode, res.headers, Buffer.concat(chunks)));
      });
      res.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${method} ${url}: response broken: ${err.message}`));
      });
    });
    req.end(body);
  });
  answer.flushed = flushed;
  return answer;
}

/** The open packet `0{...}` as an object; fails the test when it is not one. */
export function parseOpenPacket(text) {
  assert.ok(text.startsWith('0'), `not an open packet: ${JSON.stringify(text)}`);
  return JSON.parse(text.slice(1));
}

/**
 * Asserts an Engine.IO error answer of the Node server: `status` and the
 * JSON body {"code":code,"message":message}.
 */
export function expectEioError(answer, { status = 400, code, message }) {
  assert.equal(answer.status, status, `${answer}`);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/, `Content-Type of ${answer}`);
  assert.deepEqual(answer.json, { code, message }, `${answer}`);
}

/** The Node server's error messages by code (engine.io Server.errorMessages). */
export const EIO_ERRORS = {
  0: 'Transport unknown',
  1: 'Session ID unknown',
  2: 'Bad handshake method',
  3: 'Bad request',
  4: 'Forbidden',
  5: 'Unsupported protocol version',
};

/** Asserts the error answer with Engine.IO error `code` (400, Node's text). */
export function expectEioErrorCode(answer, code) {
  expectEioError(answer, { status: code === 4 ? 403 : 400, code, message: EIO_ERRORS[code] });
}

/** Asserts a 200 polling answer with the right Content-Type; returns the body. */
export function expectPollingAnswer(answer) {
  assert.equal(answer.status, 200, `${answer}`);
  assert.equal(answer.headers['content-type'], 'text/plain; charset=UTF-8', `Content-Type of ${answer}`);
  return answer.body;
}

/** A long-polling session opened by a handshake GET. */
export class PollingSession {
  /**
   * Opens a session at `base` + `path` ('/socket.io/' or '/engine.io/');
   * `keepAlive` as for httpRequest.
   */
  static async open(base, path, { keepAlive = false } = {}) {
    const answer = await httpRequest(eioUrl(base, path, { EIO: 4, transport: 'polling' }), { keepAlive });
    const open = parseOpenPacket(expectPollingAnswer(answer));
    return new PollingSession(base, path, open, { keepAlive });
  }

  constructor(base, path, open, { keepAlive }) {
    this.base = base;
    this.path = path;
    this.open = open;
    this.sid = open.sid;
    this.keepAlive = keepAlive;
  }

  /** The polling URL of this session (plus `extra` query parameters). */
  url(extra = {}) {
    return eioUrl(this.base, this.path, { EIO: 4, transport: 'polling', sid: this.sid, ...extra });
  }

  /** The WebSocket URL that upgrades this session. */
  get upgradeUrl() {
    return eioUrl(this.base.replace(/^http/, 'ws'), this.path, { EIO: 4, transport: 'websocket', sid: this.sid });
  }

  /** A GET (receive); the promise has `flushed` (see httpRequest). */
  get(options = {}) {
    return httpRequest(this.url(options.query), { keepAlive: this.keepAlive, ...options });
  }

  /** A POST (send) of `body`, a payload text. */
  post(body, options = {}) {
    return httpRequest(this.url(options.query), { method: 'POST', body, keepAlive: this.keepAlive, ...options });
  }

  /** POSTs `body` and asserts the Node answer: 200, body `ok`. */
  async send(body) {
    const answer = await this.post(body);
    assert.equal(answer.status, 200, `${answer}`);
    assert.equal(answer.body, 'ok', `${answer}`);
    return answer;
  }

  /** GETs and returns the packets of the 200 polling answer. */
  async receive() {
    return splitPayload(expectPollingAnswer(await this.get()));
  }
}

function show(message) {
  if (typeof message === 'string') return JSON.stringify(message.length > 200 ? `${message.slice(0, 200)}...` : message);
  return `<binary ${message.toString('hex').slice(0, 64)}>`;
}

/** Thrown by EioWebSocket.connect when the server answers the handshake with HTTP. */
export class HandshakeRefused extends Error {
  constructor(url, status, body) {
    super(`WebSocket ${url} refused with HTTP ${status}: ${body}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * A raw WebSocket client: each message is one Engine.IO packet, text as a
 * string, binary as a Buffer.
 *
 * With `autoPong`, a server ping `2` is answered `3` at once and not queued
 * (counted in `pings`): for tests about something else, which must not be
 * closed by the heartbeat while they wait.
 */
export class EioWebSocket {
  /** Connects; resolves once open, rejects with HandshakeRefused or an Error. */
  static connect(url, { autoPong = false, timeoutMs = DEFAULT_TIMEOUT_MS, label } = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      // Messages can follow the 101 at once: the client queues from now on.
      const client = new EioWebSocket(ws, { autoPong, label: label ?? url });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`WebSocket ${url} not open within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        const done = () => {
          clearTimeout(timer);
          req.destroy();
          reject(new HandshakeRefused(url, res.statusCode, body));
        };
        res.once('end', done);
        res.once('error', done);
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`WebSocket ${url} failed: ${err.message}`));
      });
    });
  }

  constructor(ws, { autoPong, label }) {
    this.ws = ws;
    this.label = label;
    this.autoPong = autoPong;
    this.pings = 0;
    this.queue = []; // received and not taken yet
    this.history = []; // everything received, for failure messages
    this.waiters = [];
    this.closeInfo = null;
    this._closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this._serve();
        resolve(this.closeInfo);
      });
    });
    ws.on('error', () => {
      // 'close' follows; tests look at that.
    });
    ws.on('message', (data, isBinary) => {
      const message = isBinary ? Buffer.from(data) : data.toString('utf8');
      this.history.push(message);
      if (this.autoPong && message === '2') {
        this.pings += 1;
        this.ws.send('3');
        return;
      }
      this.queue.push(message);
      this._serve();
    });
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  _serve() {
    while (this.waiters.length && (this.queue.length || this.closeInfo)) this.waiters.shift()(this.queue.shift());
  }

  _describe() {
    return (
      `[${this.label}] received: ${this.history.map(show).join(' ') || '(nothing)'}; ` +
      `still queued: ${this.queue.map(show).join(' ') || '(nothing)'}; ` +
      (this.closeInfo ? `closed (code ${this.closeInfo.code} "${this.closeInfo.reason}")` : 'open')
    );
  }

  /**
   * The next message, or null when none comes within `timeoutMs` (or the
   * connection closes first). For asserting an absence: the timeout is then
   * the bounded wait for something that must not arrive.
   */
  nextTimeout(timeoutMs) {
    return new Promise((resolve) => {
      if (this.queue.length) return resolve(this.queue.shift());
      if (this.closeInfo) return resolve(null);
      const waiter = (message) => {
        clearTimeout(timer);
        resolve(message ?? null);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(null);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next message; fails after `timeoutMs` or when the connection closes. */
  async next(timeoutMs = DEFAULT_TIMEOUT_MS) {
    const message = await this.nextTimeout(timeoutMs);
    if (message === null)
      throw new Error(`${this.closeInfo ? 'closed' : `nothing within ${timeoutMs} ms`} while waiting for a message\n${this._describe()}`);
    return message;
  }

  /** Asserts that the next message is exactly `expected` (string or bytes). */
  async expect(expected, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const message = await this.next(timeoutMs);
    if (typeof expected === 'string') assert.equal(message, expected, this._describe());
    else assert.deepEqual(message, Buffer.from(expected), this._describe());
    return message;
  }

  /**
   * Waits for the close; resolves with {code, reason}. Messages still
   * queued are kept (and `unread` lists them).
   */
  async closed(timeoutMs = DEFAULT_TIMEOUT_MS) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms\n${this._describe()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this._closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Messages received and not taken. */
  get unread() {
    return [...this.queue];
  }

  /** Sends a string as a text message, bytes as a binary message. */
  send(data) {
    const binary = typeof data !== 'string';
    return new Promise((resolve, reject) =>
      this.ws.send(binary ? Buffer.from(data) : data, { binary }, (err) => (err ? reject(err) : resolve())),
    );
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
  }

  terminate() {
    this.ws.terminate();
  }
}

/**
 * Opens a WebSocket session at `base` + `path` (no sid): resolves with the
 * client and the open packet (its first message).
 */
export async function openWebSocketSession(base, path, options = {}) {
  const url = eioUrl(base.replace(/^http/, 'ws'), path, { EIO: 4, transport: 'websocket' });
  const ws = await EioWebSocket.connect(url, options);
  const open = parseOpenPacket(await ws.next());
  return { ws, open };
}

/**
 * Tries a WebSocket handshake that must fail: resolves with
 * {outcome:'refused', status, body} for an HTTP answer, {outcome:'closed'}
 * when it opened and the server closed it without a message, or
 * {outcome:'error', message}. Fails when a message arrives.
 */
export async function tryWebSocket(url, timeoutMs = DEFAULT_TIMEOUT_MS) {
  let ws;
  try {
    ws = await EioWebSocket.connect(url, { timeoutMs });
  } catch (err) {
    if (err instanceof HandshakeRefused) return { outcome: 'refused', status: err.status, body: err.body };
    return { outcome: 'error', message: err.message };
  }
  const message = await ws.nextTimeout(timeoutMs);
  if (message !== null) {
    ws.terminate();
    assert.fail(`the server sent ${show(message)} on ${url}`);
  }
  if (!ws.closeInfo) {
    ws.terminate();
    assert.fail(`${url} still open after ${timeoutMs} ms`);
  }
  return { outcome: 'closed', ...ws.closeInfo };
}

/**
 * Asserts that a WebSocket handshake on `url` opens no session: refused
 * with HTTP 400, or (what the Node server does when the EIO parameter is
 * bad) upgraded and then closed without a single message.
 */
export async function expectNoWebSocketSession(url) {
  const result = await tryWebSocket(url);
  const ok = (result.outcome === 'refused' && result.status === 400) || result.outcome === 'closed';
  assert.ok(ok, `${url}: ${JSON.stringify(result)}`);
  return result;
}
