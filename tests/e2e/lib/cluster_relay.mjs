// Helpers for the altoponix relay across cluster nodes (issue 13): relay
// clients on the stock socket.io-client whose received events are queued
// in arrival order, and the waits that prove a route across the cluster is
// known before a test relies on it. A route has no notification of its
// own, so each wait sends real traffic until it is seen to arrive, then
// closes with an ordering barrier (a later, distinct event that must come
// after every probe), so that no probe is left in flight to confuse the
// test that follows. No fixed sleeps: every wait has a deadline and names
// what it saw when it fails.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { io } from 'socket.io-client';

import { Inbox, preview } from './inbox.mjs';
import { eventually, notYet } from './wait.mjs';

export const EVENT_TIMEOUT_MS = 5000;
/** How long a route may take to become known cluster-wide. */
export const ROUTE_TIMEOUT_MS = 10000;

/** A fresh monitor id: 32 hex digits, as the real monitors use. */
export function newMonitorId() {
  return crypto.randomBytes(16).toString('hex');
}

export const reason = (text) => ({ reason: text });

export const QUERY_OK = reason('Query ok');
export const CON_OK = reason('Connection ok');
export const COMMAND_OK = reason('Command ok');
export const COMMAND_FINISH = reason('Command finish');
export const ALREADY_REGISTERED = reason('monitor_id already registered');

const show = ({ event, args }) => `${event} ${JSON.stringify(args)}`;

/**
 * A socket.io-client socket whose received events (connect, disconnect,
 * connect_error and every relay event) are queued in arrival order as
 * {event, args}. No reconnection: a dropped connection shows as its
 * `disconnect` and stays dropped. `onConnect` runs on connect, as in the
 * altoponix pages.
 */
export class RelayClient {
  constructor(url, { label, transports, onConnect, options = {} } = {}) {
    this.label = label;
    this.inbox = new Inbox(label, { show });
    this.socket = io(url, { forceNew: true, reconnection: false, ...(transports ? { transports } : {}), ...options });
    const push = (event, args) => this.inbox.push({ event, args });
    this.socket.on('connect', () => {
      push('connect', []);
      onConnect?.(this.socket);
    });
    this.socket.on('disconnect', (why) => push('disconnect', [why]));
    this.socket.on('connect_error', (err) => push('connect_error', [err.message]));
    this.socket.onAny((event, ...args) => push(event, args));
  }

  describe() {
    return (
      `[${this.label}] received:\n${preview(this.inbox.history, show, 80)}\n` +
      `not taken:\n${preview(this.inbox.queue, show, 80)}`
    );
  }

  /** The next event in arrival order. */
  next(timeoutMs = EVENT_TIMEOUT_MS) {
    return this.inbox.next(() => true, timeoutMs, 'the next event');
  }

  /** Asserts that the next event is `event` with the single argument `payload`. */
  async expect(event, payload, timeoutMs) {
    const got = await this.next(timeoutMs);
    const expected = payload === undefined ? { event, args: [] } : { event, args: [payload] };
    assert.deepEqual(got, expected, this.describe());
    return got;
  }

  /** Asserts that nothing was received and not taken. */
  expectNothingElse() {
    assert.deepEqual(this.inbox.queue, [], this.describe());
  }

  /** How many `event`s were ever received. */
  count(event) {
    return this.inbox.history.filter((e) => e.event === event).length;
  }

  emit(event, ...args) {
    this.socket.emit(event, ...args);
  }

  close() {
    this.socket.disconnect();
  }
}

/**
 * Relay clients of the test file, all closed by closeAll() (in after(),
 * before the nodes are stopped).
 */
export class RelayClients {
  constructor() {
    this.made = [];
  }

  /** A client of `node`'s Socket.IO listener. */
  async client(node, label, options = {}) {
    const url = `http://127.0.0.1:${await node.portOf('socketio')}`;
    const client = new RelayClient(url, { label, ...options });
    this.made.push(client);
    return client;
  }

  /** A user of `node` that queries `id` on connect; resolves once `query ok`. */
  async user(node, label, id, options = {}) {
    const user = await this.client(node, label, { ...options, onConnect: (s) => s.emit('query', { monitor_id: id }) });
    await user.expect('connect');
    await user.expect('query ok', QUERY_OK);
    return user;
  }

  /** A monitor of `node` that registers `id` on connect; resolves once `con ok`. */
  async monitor(node, label, id, options = {}) {
    const monitor = await this.client(node, label, { transports: ['websocket'], ...options, onConnect: (s) => s.emit('con', { monitor_id: id }) });
    await monitor.expect('connect');
    await monitor.expect('con ok', CON_OK);
    return monitor;
  }

  /**
   * A monitor of `node` registering `id`, which was held elsewhere until
   * just now: each attempt is a new connection (a refusal disconnects it),
   * until one gets `con ok`. A refused attempt must be refused exactly as
   * a duplicate is.
   */
  async monitorOnceFree(node, label, id, { timeoutMs = ROUTE_TIMEOUT_MS } = {}) {
    let attempt = 0;
    return eventually(
      async () => {
        const candidate = await this.client(node, `${label} #${++attempt}`, {
          transports: ['websocket'],
          onConnect: (s) => s.emit('con', { monitor_id: id }),
        });
        await candidate.expect('connect');
        const answer = await candidate.next();
        if (answer.event === 'con ok') {
          assert.deepEqual(answer.args, [CON_OK], candidate.describe());
          return candidate;
        }
        assert.deepEqual(answer, { event: 'con failed', args: [ALREADY_REGISTERED] }, candidate.describe());
        await candidate.expect('disconnect', 'io server disconnect');
        return notYet(`attempt ${attempt} refused`);
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  closeAll() {
    for (const c of this.made.splice(0)) c.close();
  }
}

/** The command round trip: send -> `command do` to the monitor, `command ok` to the sender. */
export async function commandRoundTrip(user, monitor, command) {
  user.emit('command send', { command });
  await user.expect('command ok', COMMAND_OK);
  await monitor.expect('command do', { command });
}

/**
 * Waits until `user`'s node routes commands for its id to `monitor` (on
 * another node): sends probe commands, each answered `command ok` by the
 * user's own node, until one reaches the monitor; then a `sync` command,
 * and takes the monitor's events up to it: probes only, in the order sent
 * (those sent before the route was known may be missing, never misordered
 * or repeated). Resolves with the number of probes sent.
 */
export async function awaitCommandRoute(user, monitor, tag, { timeoutMs = ROUTE_TIMEOUT_MS } = {}) {
  const prefix = `probe ${tag} `;
  let sent = 0;
  await eventually(
    async () => {
      user.emit('command send', { command: `${prefix}${sent++}` });
      await user.expect('command ok', COMMAND_OK);
      return monitor.inbox.queue.some((e) => e.event === 'command do' && String(e.args[0]?.command).startsWith(prefix)) ||
        notYet(`${sent} probes sent; monitor ${monitor.label} got none yet`);
    },
    { timeoutMs, intervalMs: 50 },
  );
  const sync = `sync ${tag}`;
  user.emit('command send', { command: sync });
  await user.expect('command ok', COMMAND_OK);
  let last = -1;
  for (;;) {
    const got = await monitor.next();
    assert.equal(got.event, 'command do', `while waiting for ${sync}:\n${monitor.describe()}`);
    const command = got.args[0]?.command;
    if (command === sync) break;
    assert.ok(command.startsWith(prefix), `a command other than a probe before ${sync}:\n${monitor.describe()}`);
    const n = Number(command.slice(prefix.length));
    assert.ok(n > last, `probe ${n} after probe ${last} (misordered or repeated):\n${monitor.describe()}`);
    last = n;
  }
  return sent;
}

/**
 * Waits until `monitor`'s results reach every one of `users` (on any
 * node): the monitor sends `command done` until each user got a
 * `command finish`, then a `command error` {reason: sync}; each user's
 * events up to that `command failed` must all be finishes. Resolves with
 * the number of dones sent.
 */
export async function awaitResultRoute(monitor, users, tag, { timeoutMs = ROUTE_TIMEOUT_MS } = {}) {
  const before = users.map((u) => u.count('command finish'));
  let sent = 0;
  await eventually(
    () => {
      const missing = users.filter((u, i) => u.count('command finish') === before[i]);
      if (missing.length === 0) return true;
      monitor.emit('command done', {});
      sent += 1;
      return notYet(`${sent} dones sent; no finish yet on ${missing.map((u) => u.label).join(', ')}`);
    },
    { timeoutMs, intervalMs: 50 },
  );
  const sync = `sync ${tag}`;
  monitor.emit('command error', { reason: sync });
  await Promise.all(
    users.map(async (u) => {
      for (;;) {
        const got = await u.next();
        if (got.event === 'command failed') {
          assert.deepEqual(got.args, [reason(sync)], u.describe());
          return;
        }
        assert.deepEqual(got, { event: 'command finish', args: [COMMAND_FINISH] }, `before ${sync}:\n${u.describe()}`);
      }
    }),
  );
  return sent;
}
