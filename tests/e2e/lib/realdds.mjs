// realdds clients for tests: the node's WebSocket mirror (npm `ws`, JSON or
// CBOR frames) and the DDS test program `realdds-reader`, both with a queue
// of what they received and a check of every message against the rules a
// librealsense client applies to the notification topic.
//
// Messages are either one object or an array of objects; the queues hold
// the objects one by one ("items", in arrival order, each remembering the
// message it came in), and also the whole messages, so that tests can check
// how notifications were grouped (device-header and device-options arrive
// as two messages). Waiting is next(predicate) with a deadline, as in
// ws.mjs: there are no sleeps.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { decode as cborDecode, Encoder } from 'cbor-x';
import WebSocket from 'ws';

import { DEFAULT_TIMEOUT_MS, Inbox, matcher } from './inbox.mjs';
import { openClient } from './ws.mjs';

export { Inbox };


/** realdds' max_message_bytes: no message is larger, in either format. */
export const MAX_MESSAGE_BYTES = 4096;

/** How far a ns timestamp may be from the receiver's clock. */
export const TIMESTAMP_TOLERANCE_NS = 1_000_000_000n;

/** The subprotocols of the mirror. */
export const JSON_PROTOCOL = 'realdds-json';
export const CBOR_PROTOCOL = 'realdds-cbor';

// CBOR as a careful client writes it: plain maps with the shortest length
// header (cbor-x's default writes a map's size in two bytes, which is valid
// as well and is sent by tests on purpose: cborDefaultEncode).
const preferred = new Encoder({ useRecords: false, variableMapSize: true });
const plain = new Encoder({ useRecords: false });

/** `value` as CBOR with shortest map headers. */
export function cborEncode(value) {
  return preferred.encode(value);
}

/** `value` as cbor-x writes it by default (maps with 16-bit sizes). */
export function cborDefaultEncode(value) {
  return plain.encode(value);
}

/** Decodes one CBOR item (RFC 8949). */
export function cborDecodeValue(bytes) {
  return cborDecode(bytes);
}

/** A number that may come as a BigInt (cbor-x: 64-bit integers) as a BigInt, or null. */
function asBigInt(v) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return null;
}

/**
 * The value with every BigInt turned into a Number (lossy above 2^53: for
 * comparing shapes, never timestamps).
 */
export function normalize(value) {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}

/** An object without its `timestamp` (for deepEqual of notifications). */
export function withoutTimestamp(item) {
  const { timestamp, ...rest } = item;
  return rest;
}

function nowNs() {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * The number tokens of JSON text `text` (outside strings) that are too
 * large for a double to hold exactly: more than 15 digits. In the node's
 * messages only ns timestamps are (the "timestamp" members and the log
 * entries' first elements), and JSON.parse rounds them; they are read
 * from the text itself. Integers come as BigInt, other spellings (a
 * fraction, an exponent) as strings.
 */
export function largeJsonNumbers(text) {
  const out = [];
  let inString = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (inString) {
      if (c === '\\') ++i;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j])) ++j;
      const token = text.slice(i, j);
      if (token.replace(/[^0-9]/g, '').length > 15) out.push(/^[0-9]+$/.test(token) ? BigInt(token) : token);
      i = j - 1;
    }
  }
  return out;
}

function checkTimestamp(problems, where, value, receivedNs) {
  const ns = asBigInt(value);
  if (ns === null) {
    problems.push(`${where}: timestamp ${JSON.stringify(normalize(value))} is not an integer`);
    return;
  }
  const diff = ns > receivedNs ? ns - receivedNs : receivedNs - ns;
  if (diff > TIMESTAMP_TOLERANCE_NS)
    problems.push(`${where}: timestamp ${ns} is ${Number(diff) / 1e9} s from the receiver's clock (${receivedNs})`);
}

/**
 * Problems of one decoded message by the rules of a librealsense client
 * (an empty list: fine):
 * - one object, or an array of objects (never nested, never empty);
 * - a notification has a string `id` and a ns `timestamp`; a control reply
 *   has a `sample` [writer, sequence] and takes its id from its `control`;
 * - log entries are arrays of 3 or 4: ns timestamp, one of "EWID", a
 *   text, and optionally an object;
 * - timestamps are ns since the epoch, within 1 s of the receiver's clock.
 */
export function messageProblems(value, { receivedNs = nowNs() } = {}) {
  const problems = [];
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
  let items;
  if (Array.isArray(value)) {
    if (value.length === 0) problems.push('an empty array');
    items = value;
  } else {
    items = [value];
  }
  items.forEach((item, i) => {
    const where = Array.isArray(value) ? `element ${i}` : 'message';
    if (Array.isArray(item)) {
      problems.push(`${where}: a nested array`);
      return;
    }
    if (!isObject(item)) {
      problems.push(`${where}: not an object: ${JSON.stringify(normalize(item))}`);
      return;
    }
    if ('sample' in item) {
      // A control reply.
      const s = item.sample;
      if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'string' || asBigInt(s[1]) === null)
        problems.push(`${where}: sample must be [string, integer]: ${JSON.stringify(normalize(s))}`);
      if ('control' in item && !(isObject(item.control) && typeof item.control.id === 'string'))
        problems.push(`${where}: control must be an object with an id`);
      if ('status' in item && (item.status !== 'error' || typeof item.explanation !== 'string'))
        problems.push(`${where}: status other than "error" or without an explanation`);
      if (!('control' in item) && item.status !== 'error')
        problems.push(`${where}: a reply without control that is not an error`);
      return;
    }
    if (typeof item.id !== 'string') {
      problems.push(`${where}: no string id`);
      return;
    }
    checkTimestamp(problems, `${where} (${item.id})`, item.timestamp, receivedNs);
    if (item.id === 'log') {
      if (!Array.isArray(item.entries) || item.entries.length === 0) {
        problems.push(`${where}: log without entries`);
        return;
      }
      item.entries.forEach((e, j) => {
        const at = `${where} log entry ${j}`;
        if (!Array.isArray(e) || (e.length !== 3 && e.length !== 4)) {
          problems.push(`${at}: not an array of 3 or 4`);
          return;
        }
        checkTimestamp(problems, at, e[0], receivedNs);
        if (typeof e[1] !== 'string' || e[1].length !== 1 || !'EWID'.includes(e[1])) problems.push(`${at}: type ${JSON.stringify(e[1])}`);
        if (typeof e[2] !== 'string') problems.push(`${at}: text is not a string`);
        if (e.length === 4 && !isObject(e[3])) problems.push(`${at}: data is not an object`);
      });
    }
  });
  return problems;
}

/**
 * Decodes one message and checks it: {value, problems}. `bytes` is the
 * message as received; `format` 'json' or 'cbor'.
 */
export function decodeMessage(bytes, format, receivedNs = nowNs()) {
  const problems = [];
  if (bytes.length > MAX_MESSAGE_BYTES) problems.push(`${bytes.length} bytes, more than ${MAX_MESSAGE_BYTES}`);
  let value;
  try {
    if (format === 'json') {
      const text = bytes.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(bytes)) problems.push('not valid UTF-8');
      value = JSON.parse(text);
      for (const ts of largeJsonNumbers(text)) {
        if (typeof ts === 'string') problems.push(`timestamp written as ${ts}`);
        else if ((ts > receivedNs ? ts - receivedNs : receivedNs - ts) > TIMESTAMP_TOLERANCE_NS)
          problems.push(`timestamp ${ts} (exact) is more than ${TIMESTAMP_TOLERANCE_NS} ns from ${receivedNs}`);
      }
    } else {
      value = cborDecode(bytes);
    }
  } catch (err) {
    problems.push(`not ${format}: ${err.message}`);
    return { value: undefined, problems };
  }
  problems.push(...messageProblems(value, { receivedNs }));
  return { value, problems };
}

/** Predicate: a notification of `id` (and the listed fields). */
export function note(id, fields = {}) {
  return (m) => m.id === id && Object.entries(fields).every(([k, v]) => normalize(m[k]) === v);
}

/** Predicate: the reply to a control with sample [writer, sequence]. */
export function replyTo(writer, sequence) {
  return (m) => Array.isArray(m.sample) && m.sample[0] === writer && Number(m.sample[1]) === sequence;
}

/**
 * A client of the realdds WebSocket mirror.
 *
 * `items` (an Inbox): every notification or reply object, in arrival
 * order, each knowing its message (messageOf(item)); `messages` (an Inbox):
 * the messages as decoded. Every frame is checked (messageProblems, the
 * frame type of the format); a bad one is a violation that fails waits.
 */
export class MirrorClient {
  /**
   * Connects; `protocols` is what the client offers (default
   * realdds-json; null: no subprotocol at all). The format follows the
   * subprotocol the server selected.
   */
  static connect(url, { protocols = JSON_PROTOCOL, label, timeoutMs = DEFAULT_TIMEOUT_MS, ...wsOptions } = {}) {
    return openClient(url, protocols, { timeoutMs, ...wsOptions }, (ws) => new MirrorClient(ws, label || `${url} ${protocols ?? '(no subprotocol)'}`));
  }

  constructor(ws, label) {
    this.ws = ws;
    this.label = label;
    this.items = new Inbox(label, { show: normalize });
    this.messages = new Inbox(`${label} (messages)`, { show: normalize });
    this.messageOfItem = new WeakMap();
    this.controls = 0; // controls sent: the sequence of the last one
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        const why = `connection closed (code ${code}, reason "${this.closeInfo.reason}")`;
        this.items.end(why);
        this.messages.end(why);
        resolve(this.closeInfo);
      });
    });
    ws.on('error', () => {
      // 'close' follows with the code.
    });
    ws.on('message', (data, isBinary) => this._receive(data, isBinary));
  }

  /** 'json' or 'cbor', from the selected subprotocol. */
  get format() {
    return this.ws.protocol === CBOR_PROTOCOL ? 'cbor' : 'json';
  }

  get protocol() {
    return this.ws.protocol;
  }

  _receive(data, isBinary) {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const format = this.format;
    const { value, problems } = decodeMessage(bytes, format);
    if (isBinary !== (format === 'cbor')) problems.push(`a ${isBinary ? 'binary' : 'text'} frame for format ${format}`);
    if (problems.length) {
      const shown = format === 'json' ? bytes.toString('utf8') : bytes.toString('hex');
      this.items.violation({ problems, frame: shown.slice(0, 600) });
      this.messages.violation({ problems, frame: shown.slice(0, 600) });
      return;
    }
    this.messages.push(value);
    for (const item of Array.isArray(value) ? value : [value]) {
      this.messageOfItem.set(item, value);
      this.items.push(item);
    }
  }

  /** The message an item came in. */
  messageOf(item) {
    return this.messageOfItem.get(item);
  }

  /** Takes the next item matching `predicate` (see Inbox.next). */
  next(predicate, timeoutMs, description) {
    return this.items.next(predicate, timeoutMs, description);
  }

  skipTo(predicate, timeoutMs, description) {
    return this.items.skipTo(predicate, timeoutMs, description);
  }

  /** Sends raw data (a string: a text frame; a Buffer: binary unless options say). */
  send(data, options) {
    return new Promise((resolve, reject) => this.ws.send(data, options || {}, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Sends a control as JSON text (or CBOR with {cbor: true}) and returns
   * its sequence number on this connection (1, 2, ...).
   */
  async control(control, { cbor = false, encode = cborEncode } = {}) {
    const sequence = ++this.controls;
    if (cbor) await this.send(encode(control), { binary: true });
    else await this.send(typeof control === 'string' ? control : JSON.stringify(control), { binary: false });
    return sequence;
  }

  /** Sends a control and waits for its reply (to this client). */
  async request(control, options = {}) {
    const sequence = await this.control(control, options);
    return this.next(replyTo('websocket', sequence), options.timeoutMs, `the reply to control ${sequence} ${JSON.stringify(control)}`);
  }

  waitClose(timeoutMs = DEFAULT_TIMEOUT_MS) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`[${this.label}] not closed within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.closed, timeout]).finally(() => clearTimeout(timer));
  }

  close(code = 1000) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
  }

  terminate() {
    this.ws.terminate();
  }
}

/** The realdds mirror's URL of a started SignalboxNode. */
export async function mirrorUrl(node, path = '/') {
  return `ws://127.0.0.1:${await node.portOf('realdds')}${path}`;
}

/**
 * Connects a mirror client to `node` and registers it for the node's
 * dispose() (terminated there).
 */
export async function connectMirror(node, options = {}) {
  const client = await MirrorClient.connect(await mirrorUrl(node), options);
  node.clients.add(client);
  return client;
}

// -- the DDS side: realdds-reader ---------------------------------------------

/**
 * The realdds-reader test program: from SIGNALBOX_TEST_PROGRAMS (CTest),
 * else the repository's build, else a helper build in /tmp; null when none
 * exists.
 */
export function findReaderProgram() {
  const candidates = [];
  if (process.env.SIGNALBOX_TEST_PROGRAMS) candidates.push(`${process.env.SIGNALBOX_TEST_PROGRAMS}/realdds-reader`);
  candidates.push(fileURLToPath(new URL('../../../build/test-programs/realdds-reader', import.meta.url)));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return null;
}

/** Every reader still running when the test process exits is killed. */
const liveReaders = new Set();
process.on('exit', () => {
  for (const r of liveReaders) {
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/**
 * A running realdds-reader. `events` (an Inbox) holds its stdout events;
 * message events carry `value` (the decoded message) and are also split
 * into `items` (an Inbox of objects, as MirrorClient.items).
 */
export class DdsReader {
  static async start({ program = findReaderProgram(), domain, topicRoot, label = 'realdds-reader', readyTimeoutMs = 10000 } = {}) {
    if (!program) throw new Error('no realdds-reader program');
    const reader = new DdsReader(program, ['--domain', String(domain), '--topic-root', topicRoot], label);
    try {
      const ready = await reader.events.next({ event: 'ready' }, readyTimeoutMs, 'the ready event');
      reader.writer = ready.writer;
    } catch (err) {
      await reader.dispose();
      throw err;
    }
    return reader;
  }

  constructor(program, args, label) {
    this.label = label;
    this.events = new Inbox(label, { show: normalize });
    this.items = new Inbox(`${label} (notifications)`, { show: normalize });
    this.messageOfItem = new WeakMap();
    this.stderr = '';
    this.child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    liveReaders.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        liveReaders.delete(this);
        resolve({ code, signal });
      });
      this.child.once('error', (err) => {
        liveReaders.delete(this);
        this.events.end(`could not start: ${err.message}`);
        resolve({ code: null, signal: null, error: err });
      });
    });
    this.child.stdin.on('error', () => {
      // a reader that died: its exit is reported
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-16384)));
    const lines = readline.createInterface({ input: this.child.stdout });
    lines.on('line', (line) => this._line(line));
    lines.on('close', () => {
      const why = `reader's stdout closed; stderr:\n${this.stderr}`;
      this.events.end(why);
      this.items.end(why);
    });
  }

  _line(line) {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      this.events.violation({ notJson: line });
      return;
    }
    if (event.event === 'message') {
      const format = event.format === 1 ? 'cbor' : event.format === 0 ? 'json' : null;
      if (format === null || typeof event.data !== 'string' || !/^([0-9a-f]{2})*$/i.test(event.data)) {
        this.events.violation({ badMessageEvent: line.slice(0, 600) });
        this.items.violation({ badMessageEvent: line.slice(0, 600) });
        return;
      }
      const { value, problems } = decodeMessage(Buffer.from(event.data, 'hex'), format);
      if (problems.length) {
        this.events.violation({ problems, line: line.slice(0, 600) });
        this.items.violation({ problems, line: line.slice(0, 600) });
        return;
      }
      event.value = value;
      this.events.push(event);
      for (const item of Array.isArray(value) ? value : [value]) {
        this.messageOfItem.set(item, event);
        this.items.push(item);
      }
      return;
    }
    this.events.push(event);
  }

  /** The message event an item came in. */
  messageOf(item) {
    return this.messageOfItem.get(item);
  }

  next(predicate, timeoutMs, description) {
    return this.items.next(predicate, timeoutMs, description);
  }

  /**
   * Writes a control (one JSON line on stdin) and resolves with the
   * sequence number the reader reports for it.
   */
  async control(control) {
    const line = (typeof control === 'string' ? control : JSON.stringify(control)) + '\n';
    await new Promise((resolve, reject) => this.child.stdin.write(line, (err) => (err ? reject(err) : resolve())));
    const sent = await this.events.next({ event: 'sent' }, DEFAULT_TIMEOUT_MS, `the sent event of ${line.trim()}`);
    return sent.sequence;
  }

  /** Ends stdin and stops the reader (SIGTERM, SIGKILL after 5 s). */
  async dispose() {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined) {
      this.child.stdin.end();
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}
