// JMRI JSON clients for tests, over both transports: WebSocket /json/ (npm's
// ws) and the raw TCP stream of concatenated JSON values. Like WsClient,
// every message is queued the moment it arrives and tests wait with
// next(predicate) - no sleeps. A TCP read may hold several values, or part
// of one: the client splits the stream itself (objects and arrays only, as
// the node sends).

import net from 'node:net';
import WebSocket from 'ws';

const DEFAULT_TIMEOUT_MS = 5000;

class Queue {
  constructor(label) {
    this.label = label;
    this.items = [];
    this.waiters = [];
    this.closed = null; // {code, reason} once closed
    this.closeWaiters = [];
  }

  push(msg) {
    this.items.push(msg);
    for (const w of this.waiters.splice(0)) w();
  }

  close(info) {
    if (this.closed) return;
    this.closed = info;
    for (const w of this.closeWaiters.splice(0)) w();
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first queued message matching `predicate` (removed from the queue). */
  next(predicate = () => true, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const match = typeof predicate === 'function' ? predicate : (m) => m && m.type === predicate;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.label}: no matching message within ${timeoutMs} ms; received:\n  ` +
          this.items.map((m) => JSON.stringify(m)).join('\n  ')));
      }, timeoutMs);
      const check = () => {
        const i = this.items.findIndex(match);
        if (i >= 0) {
          clearTimeout(timer);
          resolve(this.items.splice(i, 1)[0]);
        } else if (this.closed) {
          clearTimeout(timer);
          reject(new Error(`${this.label}: closed (${JSON.stringify(this.closed)}) before a matching message; received:\n  ` +
            this.items.map((m) => JSON.stringify(m)).join('\n  ')));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  waitClose(timeoutMs = DEFAULT_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: still open after ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (this.closed) {
          clearTimeout(timer);
          resolve(this.closed);
        } else {
          this.closeWaiters.push(check);
        }
      };
      check();
    });
  }
}

/** A JMRI client over WebSocket. */
export class JmriWs extends Queue {
  static connect(port, { path = '/json/', timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
      const client = new JmriWs(`jmri-ws:${port}`);
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { handshakeTimeout: timeoutMs });
      client.ws = ws;
      ws.on('message', (data) => client.push(JSON.parse(data.toString())));
      ws.on('close', (code, reason) => client.close({ code, reason: reason.toString() }));
      ws.on('open', () => resolve(client));
      ws.on('error', reject);
    });
  }

  send(msg) {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  dispose() {
    if (!this.closed) this.ws.terminate();
  }
}

/** Splits a byte stream of concatenated JSON objects/arrays. */
export class JsonStream {
  constructor() {
    this.buffer = '';
  }

  feed(text) {
    this.buffer += text;
    const out = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let start = -1;
    let consumed = 0;
    for (let i = 0; i < this.buffer.length; ++i) {
      const c = this.buffer[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') {
        if (depth++ === 0) start = i;
      } else if (c === '}' || c === ']') {
        if (--depth === 0) {
          out.push(JSON.parse(this.buffer.slice(start, i + 1)));
          consumed = i + 1;
        }
      }
    }
    this.buffer = this.buffer.slice(consumed);
    return out;
  }
}

/** A JMRI client over the raw TCP JSON stream. */
export class JmriTcp extends Queue {
  static connect(port, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
      const client = new JmriTcp(`jmri-tcp:${port}`);
      const stream = new JsonStream();
      const socket = net.connect(port, '127.0.0.1');
      client.socket = socket;
      client.raw = '';
      socket.setEncoding('utf8');
      const timer = setTimeout(() => reject(new Error('TCP connect timed out')), timeoutMs);
      socket.on('data', (text) => {
        client.raw += text;
        for (const msg of stream.feed(text)) client.push(msg);
      });
      socket.on('close', () => client.close({ code: 'closed' }));
      socket.on('error', () => {});
      socket.on('connect', () => {
        clearTimeout(timer);
        resolve(client);
      });
    });
  }

  /** Writes raw text (several values, part of one, ...). */
  write(text) {
    this.socket.write(text);
  }

  send(msg) {
    this.write(JSON.stringify(msg));
  }

  dispose() {
    this.socket.destroy();
  }
}
