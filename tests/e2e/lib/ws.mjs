// A ttmnotify client for tests: npm's `ws` plus a queue of received frames.
//
// Every frame is queued the moment `ws` delivers it, whether or not a test
// is waiting, so frames that arrive together (one TCP read) are never lost.
// Tests wait with next(predicate), which takes the first queued frame that
// matches (leaving the others queued) or fails after a timeout with a list
// of everything received - there are no sleeps anywhere.

import WebSocket from 'ws';

import { DEFAULT_TIMEOUT_MS, Inbox, matcher, preview } from './inbox.mjs';

export { matcher };

export class WsClient {
  /**
   * Opens a WebSocket; resolves once open, rejects when the handshake fails
   * (with the HTTP status in the message when the server refused it).
   */
  static connect(url, { protocols = 'ttmnotify', label, timeoutMs = DEFAULT_TIMEOUT_MS, ...wsOptions } = {}) {
    return openClient(url, protocols, { timeoutMs, ...wsOptions }, (ws) => new WsClient(ws, label || url));
  }

  constructor(ws, label) {
    this.ws = ws;
    this.label = label;
    // Frames received, each a JSON object with cmd; the others are
    // violations ("one JSON object with cmd per text frame").
    this.frames = new Inbox(label);
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this.frames.end(`connection closed (code ${code}, reason "${this.closeInfo.reason}")`);
        resolve(this.closeInfo);
      });
    });
    ws.on('error', () => {
      // 'close' follows; the close code says what happened.
    });
    ws.on('message', (data, isBinary) => this._receive(data, isBinary));
  }

  /** Frames received and not taken yet. */
  get queue() {
    return this.frames.queue;
  }

  /** Every frame received. */
  get history() {
    return this.frames.history;
  }

  get protocol() {
    return this.ws.protocol;
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  _receive(data, isBinary) {
    const text = data.toString('utf8');
    const bad = 'received a frame that is not a JSON object with "cmd"';
    if (isBinary) {
      this.frames.violation({ binary: text }, bad);
      return;
    }
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      this.frames.violation({ notJson: text }, bad);
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || typeof msg.cmd !== 'string') {
      this.frames.violation({ noCmdObject: text }, bad);
      return;
    }
    this.frames.push(msg);
  }

  /**
   * Takes the first queued frame matching `predicate` (a function or a
   * partial frame object), waiting up to `timeoutMs` for it to arrive.
   */
  next(predicate = () => true, timeoutMs = DEFAULT_TIMEOUT_MS, description) {
    return this.frames.next(predicate, timeoutMs, description);
  }

  /**
   * Like next(), and also drops every queued frame that arrived before the
   * match: what follows starts after it (e.g. skip to a job's Starting).
   */
  skipTo(predicate, timeoutMs = DEFAULT_TIMEOUT_MS, description) {
    return this.frames.skipTo(predicate, timeoutMs, description);
  }

  /** Takes `count` frames matching `predicate`, in arrival order. */
  async nextN(count, predicate, timeoutMs = DEFAULT_TIMEOUT_MS, description) {
    const out = [];
    for (let i = 0; i < count; ++i) out.push(await this.next(predicate, timeoutMs, description));
    return out;
  }

  /** Waits for the close; resolves with {code, reason}. */
  async waitClose(timeoutMs = DEFAULT_TIMEOUT_MS) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`[${this.label}] not closed within ${timeoutMs} ms; received:\n${preview(this.history)}`)),
        timeoutMs,
      );
    });
    return Promise.race([this.closed, timeout]).finally(() => clearTimeout(timer));
  }

  send(data, options) {
    return new Promise((resolve, reject) => this.ws.send(data, options || {}, (err) => (err ? reject(err) : resolve())));
  }

  /** Sends a ping and resolves when the matching pong arrives. */
  ping(payload = 'e2e', timeoutMs = DEFAULT_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`[${this.label}] no pong within ${timeoutMs} ms`)), timeoutMs);
      const onPong = (data) => {
        if (data.toString() !== payload) return;
        clearTimeout(timer);
        this.ws.off('pong', onPong);
        resolve();
      };
      this.ws.on('pong', onPong);
      this.ws.ping(payload);
    });
  }

  close(code = 1000) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
  }

  terminate() {
    this.ws.terminate();
  }
}

/**
 * Tries a WebSocket handshake and reports how it ended:
 * {outcome:'open', protocol} (the socket is closed again),
 * {outcome:'refused', status} for an HTTP answer other than 101, or
 * {outcome:'error', message} for anything else (e.g. ws rejecting a
 * subprotocol the client never offered).
 */
export function tryHandshake(url, protocols, timeoutMs = DEFAULT_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`handshake with ${url} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (result) => {
      clearTimeout(timer);
      resolve(result);
    };
    ws.once('open', () => {
      finish({ outcome: 'open', protocol: ws.protocol });
      ws.close();
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      const done = () => {
        finish({ outcome: 'refused', status: res.statusCode, body });
        req.destroy();
      };
      res.on('end', done);
      res.on('error', done);
    });
    ws.once('error', (err) => finish({ outcome: 'error', message: err.message }));
  });
}/**
 * Opens a WebSocket to `url` offering `protocols` (none when null or
 * undefined) and wraps it at once with `wrap(ws)`, so that frames arriving
 * right after 'open' are queued; resolves with the wrapper once open, and
 * rejects with the HTTP status when the server refuses the upgrade.
 */
export function openClient(url, protocols, { timeoutMs = DEFAULT_TIMEOUT_MS, ...wsOptions }, wrap) {
  return new Promise((resolve, reject) => {
    const ws = protocols === undefined || protocols === null
      ? new WebSocket(url, wsOptions)
      : new WebSocket(url, protocols, wsOptions);
    const client = wrap(ws);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`WebSocket ${url} not open within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(client);
    });
    ws.once('unexpected-response', (req, res) => {
      clearTimeout(timer);
      req.destroy();
      reject(new Error(`WebSocket ${url} refused with HTTP ${res.statusCode}`));
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`WebSocket ${url} failed: ${err.message}`));
    });
  });
}


