// REST helpers: a small fetch wrapper (node 20's global fetch) and a raw
// HTTP exchange over a plain TCP socket for requests fetch cannot send
// (garbage request lines, oversized headers, bodies the server refuses
// before reading them).

import assert from 'node:assert/strict';
import net from 'node:net';

const REQUEST_TIMEOUT_MS = 15000;

/** What one REST call returned. */
export class Reply {
  constructor({ method, url, status, headers, text }) {
    this.method = method;
    this.url = url;
    this.status = status;
    this.headers = headers;
    this.text = text;
    this.json = undefined;
    if (text.length > 0) {
      try {
        this.json = JSON.parse(text);
      } catch {
        // left undefined; assertions report the text
      }
    }
  }

  toString() {
    return `${this.method} ${this.url} -> ${this.status} ${this.text.slice(0, 500)}`;
  }
}

export class Api {
  constructor(baseUrl, { token } = {}) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /**
   * One request. `json` is sent as application/json; `body` is sent as it
   * is (with whatever Content-Type `headers` give).
   */
  async request(method, path, { json, body, headers = {}, token } = {}) {
    const h = { ...headers };
    if (json !== undefined) {
      body = JSON.stringify(json);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const bearer = token === undefined ? this.token : token;
    if (bearer) h.authorization = `Bearer ${bearer}`;
    const url = this.baseUrl + path;
    let res;
    let text;
    try {
      // A node that never answers fails the test here, not at CTest's timeout.
      const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      res = await fetch(url, { method, headers: h, body, signal });
      text = await res.text();
    } catch (err) {
      throw new Error(`${method} ${url} failed: ${err.cause?.message || err.message}`);
    }
    return new Reply({ method, url, status: res.status, headers: res.headers, text });
  }

  get(path, options) {
    return this.request('GET', path, options);
  }

  put(path, json, options = {}) {
    return this.request('PUT', path, { ...options, json });
  }

  post(path, json, options = {}) {
    return this.request('POST', path, { ...options, json });
  }

  delete(path, options) {
    return this.request('DELETE', path, options);
  }
}

/** Asserts the status code, showing the whole reply when it differs. */
export function expectStatus(reply, status) {
  assert.equal(reply.status, status, `expected ${status}: ${reply}`);
  return reply;
}

/** Asserts a JSON success reply and returns its parsed body. */
export function expectJson(reply, status) {
  expectStatus(reply, status);
  assert.match(reply.headers.get('content-type') || '', /^application\/json/, `Content-Type of ${reply}`);
  assert.notEqual(reply.json, undefined, `body is not JSON: ${reply}`);
  return reply.json;
}

/** Asserts an error reply: the status and a body of exactly {"error":"<text>"}. */
export function expectError(reply, status) {
  const body = expectJson(reply, status);
  assert.deepEqual(Object.keys(body), ['error'], `error body must be {"error":"..."}: ${reply}`);
  assert.equal(typeof body.error, 'string', `error must be a string: ${reply}`);
  assert.ok(body.error.length > 0, `error text must not be empty: ${reply}`);
  return body.error;
}

/** A raw response for failure messages, with the body cut short. */
export function show(raw) {
  const body = raw.body.length > 300 ? `${raw.body.slice(0, 300)}... (${raw.body.length} chars)` : raw.body;
  return JSON.stringify({ ...raw, body });
}

/** Parses an HTTP/1.1 response head; null while incomplete. */
export function parseResponseHead(buffer) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(m[1]), headers, headLength: end + 4 };
}

/**
 * Sends `request` (string or Buffer, written as is) on a new connection and
 * resolves with {status, headers, body} once a complete response (by
 * Content-Length) arrived or the server closed the connection. A reset after
 * the response (the server closing with unread request bytes) is fine: the
 * response already received counts.
 */
export function rawHttp(port, request, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => finish(new Error('timed out')), timeoutMs);
    function tryParse() {
      const head = parseResponseHead(data);
      if (!head) return null;
      const length = Number(head.headers['content-length'] ?? NaN);
      const body = data.subarray(head.headLength);
      if (Number.isFinite(length) && body.length < length) return null;
      return {
        status: head.status,
        headers: head.headers,
        body: (Number.isFinite(length) ? body.subarray(0, length) : body).toString('utf8'),
      };
    }
    function finish(err) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      let response = null;
      try {
        response = tryParse();
      } catch (parseError) {
        reject(parseError);
        return;
      }
      if (response) resolve(response);
      else
        reject(
          new Error(
            `no complete HTTP response (${err ? err.message : 'connection closed'}); ` +
              `received ${JSON.stringify(data.toString('latin1').slice(0, 300))}`,
          ),
        );
    }
    socket.on('data', (d) => {
      data = Buffer.concat([data, d]);
      let response = null;
      try {
        response = tryParse();
      } catch {
        finish();
        return;
      }
      if (response) finish();
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish());
    socket.on('connect', () => socket.write(request));
  });
}
