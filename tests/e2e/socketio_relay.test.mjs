// The altoponix relay (seed 004, docs/socketio.md "What signalbox
// does") driven by the real socket.io-client 4.8, in each transport mode:
// WebSocket only, polling only, and the default (polling, then the upgrade
// to WebSocket). Users and monitors are socket.io-client sockets; every
// event a client receives is queued in arrival order and tests take them
// one by one, so an unexpected or misordered event fails the test.
// SIO_REFERENCE=1 runs the same tests against the relay on Node's socket.io.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { io } from 'socket.io-client';

import { SERVER_KIND, startRelay } from './lib/sio_servers.mjs';
import { eventually } from './lib/wait.mjs';

const DEFAULT_TIMEOUT_MS = 5000;
// Fast heartbeats, so that every test lives through several; a generous
// pong timeout, so that a busy machine does not drop clients.
const RELAY_OPTIONS = { 'ping-interval': '300ms', 'ping-timeout': '2s' };
// Reconnection within 100-200 ms: the restart test stays short, and a
// reconnect that must not happen shows up quickly.
const RECONNECT = { reconnectionDelay: 100, reconnectionDelayMax: 200 };
// How long to watch for a reconnect attempt that must not come: the
// bounded wait of an absence, well above the reconnection delay.
const NO_RECONNECT_WATCH_MS = 600;

const MODES = [
  { name: "transports ['websocket']", transports: ['websocket'], transport: 'websocket' },
  { name: "transports ['polling']", transports: ['polling'], transport: 'polling' },
  { name: 'default transports (polling, upgraded to websocket)', transports: undefined, transport: 'websocket' },
];

/** A fresh monitor id: 32 hex digits, as the real monitors use. */
function newMonitorId() {
  return crypto.randomBytes(16).toString('hex');
}

const reason = (text) => ({ reason: text });

/**
 * A socket.io-client socket whose received events (and its connect,
 * disconnect and connect_error) are queued in arrival order. `onConnect`
 * runs on every connect, reconnects included, as in the altoponix pages.
 */
class RelayClient {
  constructor(url, { transports, label, onConnect, options = {} } = {}) {
    this.label = label;
    this.queue = [];
    this.history = [];
    this.waiters = [];
    this.reconnectAttempts = 0;
    this.pings = 0;
    this.socket = io(url, { forceNew: true, ...RECONNECT, ...(transports ? { transports } : {}), ...options });
    this.socket.on('connect', () => {
      this._push('connect', []);
      onConnect?.(this.socket);
    });
    this.socket.on('disconnect', (why) => this._push('disconnect', [why]));
    this.socket.on('connect_error', (err) => this._push('connect_error', [err.message]));
    this.socket.onAny((event, ...args) => this._push(event, args));
    this.socket.io.on('reconnect_attempt', () => (this.reconnectAttempts += 1));
    this.socket.io.on('ping', () => (this.pings += 1));
  }

  _push(event, args) {
    const entry = { event, args };
    this.history.push(entry);
    this.queue.push(entry);
    while (this.waiters.length && this.queue.length) this.waiters.shift()();
  }

  _describe() {
    const show = (list) => list.map((e) => `${e.event} ${JSON.stringify(e.args)}`).join(' | ') || '(nothing)';
    return `[${this.label}] received: ${show(this.history)}; not taken: ${show(this.queue)}`;
  }

  /** The next event in arrival order: {event, args}. */
  next(timeoutMs = DEFAULT_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      if (this.queue.length) return resolve(this.queue.shift());
      const take = () => {
        clearTimeout(timer);
        resolve(this.queue.shift());
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(take), 1);
        reject(new Error(`no event within ${timeoutMs} ms\n${this._describe()}`));
      }, timeoutMs);
      this.waiters.push(take);
    });
  }

  /**
   * Asserts that the next event is `event` with the single argument
   * `payload` (a disconnect's argument is its reason).
   */
  async expect(event, payload, timeoutMs) {
    const got = await this.next(timeoutMs);
    const expected = payload === undefined ? { event, args: [] } : { event, args: [payload] };
    assert.deepEqual(got, expected, this._describe());
    return got;
  }

  /** Asserts that nothing was received and not taken. */
  expectNothingElse() {
    assert.deepEqual(this.queue, [], this._describe());
  }

  emit(event, ...args) {
    this.socket.emit(event, ...args);
  }

  get transport() {
    return this.socket.io.engine?.transport?.name;
  }

  close() {
    this.socket.disconnect();
  }
}

/** Clients made by one test, all closed when it ends. */
function clientsFor(t, url, transports) {
  const made = [];
  t.after(() => made.forEach((c) => c.close()));
  return (label, options = {}) => {
    const client = new RelayClient(url, { transports, label, ...options });
    made.push(client);
    return client;
  };
}

/** A user that queries `monitorId` on every connect; resolves once `query ok`. */
async function connectUser(newClient, label, monitorId) {
  const user = newClient(label, { onConnect: (s) => s.emit('query', { monitor_id: monitorId }) });
  await user.expect('connect');
  await user.expect('query ok', reason('Query ok'));
  return user;
}

/** A monitor that registers `monitorId` on every connect; resolves once `con ok`. */
async function connectMonitor(newClient, label, monitorId) {
  const monitor = newClient(label, { onConnect: (s) => s.emit('con', { monitor_id: monitorId }) });
  await monitor.expect('connect');
  await monitor.expect('con ok', reason('Connection ok'));
  return monitor;
}

/**
 * Asserts the server's disconnect (`41`): "io server disconnect", the
 * socket inactive, and no reconnect attempt within a bounded watch.
 */
async function expectServerDisconnect(client) {
  await client.expect('disconnect', 'io server disconnect');
  assert.equal(client.socket.active, false, `${client.label} would reconnect`);
  // The absence of a reconnect: bounded wait, several reconnection delays.
  await new Promise((resolve) => setTimeout(resolve, NO_RECONNECT_WATCH_MS));
  assert.equal(client.reconnectAttempts, 0, `${client.label} tried to reconnect`);
  client.expectNothingElse();
}

/**
 * Takes the events up to the next `connect`: while the relay was down each
 * reconnection attempt failed with a connect_error.
 */
async function expectReconnect(client) {
  for (;;) {
    const { event } = await client.next(10000);
    if (event === 'connect') return;
    assert.equal(event, 'connect_error', client._describe());
  }
}

/** The command round trip: send -> do to the monitor, ok to the sender. */
async function commandRoundTrip(user, monitor, command) {
  user.emit('command send', { command });
  await monitor.expect('command do', { command });
  await user.expect('command ok', reason('Command ok'));
}

/** The scenario set, run once per transport mode. */
function scenarios(mode, relay) {
  test('two users and a monitor: command send -> do -> done -> finish to both users', async (t) => {
    const newClient = clientsFor(t, relay().url, mode.transports);
    const id = newMonitorId();
    const monitor = await connectMonitor(newClient, 'monitor', id);
    const alice = await connectUser(newClient, 'alice', id);
    const bob = await connectUser(newClient, 'bob', id);
    await commandRoundTrip(alice, monitor, 'light on');
    monitor.emit('command done', {});
    await alice.expect('command finish', reason('Command finish'));
    await bob.expect('command finish', reason('Command finish'));
    // Bob sends too; the finish again goes to both.
    await commandRoundTrip(bob, monitor, 'pump off');
    monitor.emit('command done', {});
    await alice.expect('command finish', reason('Command finish'));
    await bob.expect('command finish', reason('Command finish'));
    for (const c of [monitor, alice, bob]) c.expectNothingElse();
  });

  test('command error with a reason -> command failed {reason} to both users', async (t) => {
    const newClient = clientsFor(t, relay().url, mode.transports);
    const id = newMonitorId();
    const monitor = await connectMonitor(newClient, 'monitor', id);
    const alice = await connectUser(newClient, 'alice', id);
    const bob = await connectUser(newClient, 'bob', id);
    await commandRoundTrip(alice, monitor, 'open valve');
    monitor.emit('command error', { reason: 'valve stuck' });
    await alice.expect('command failed', reason('valve stuck'));
    await bob.expect('command failed', reason('valve stuck'));
    for (const c of [monitor, alice, bob]) c.expectNothingElse();
  });

  test('invalid monitor ids: query failed / con failed, then a server disconnect without reconnecting', async (t) => {
    const newClient = clientsFor(t, relay().url, mode.transports);
    const user = newClient('user', { onConnect: (s) => s.emit('query', { monitor_id: 'a'.repeat(31) }) });
    const monitor = newClient('monitor', { onConnect: (s) => s.emit('con', {}) });
    await user.expect('connect');
    await user.expect('query failed', reason('Invalid monitor_id'));
    await monitor.expect('connect');
    await monitor.expect('con failed', reason('Invalid monitor_id'));
    await Promise.all([expectServerDisconnect(user), expectServerDisconnect(monitor)]);
  });

  test('a duplicate monitor id is refused (con failed, server disconnect); the first monitor keeps it', async (t) => {
    const newClient = clientsFor(t, relay().url, mode.transports);
    const id = newMonitorId();
    const first = await connectMonitor(newClient, 'first monitor', id);
    const second = newClient('second monitor', { onConnect: (s) => s.emit('con', { monitor_id: id }) });
    await second.expect('connect');
    await second.expect('con failed', reason('monitor_id already registered'));
    await expectServerDisconnect(second);
    const user = await connectUser(newClient, 'user', id);
    await commandRoundTrip(user, first, 'light on');
    first.emit('command done', {});
    await user.expect('command finish', reason('Command finish'));
  });

  test("a monitor's disconnect frees its id: a new monitor registers it and gets the users' commands", async (t) => {
    const newClient = clientsFor(t, relay().url, mode.transports);
    const id = newMonitorId();
    const old = await connectMonitor(newClient, 'old monitor', id);
    const user = await connectUser(newClient, 'user', id);
    old.close();
    // The relay learns of the disconnect on another connection than the new
    // monitor's `con`: until it has, the id is still taken. Each attempt is
    // a new monitor, since a refusal disconnects it.
    let attempt = 0;
    const replacement = await eventually(
      async () => {
        const candidate = newClient(`new monitor #${++attempt}`, { onConnect: (s) => s.emit('con', { monitor_id: id }) });
        await candidate.expect('connect');
        const answer = await candidate.next();
        if (answer.event === 'con ok') {
          assert.deepEqual(answer.args, [reason('Connection ok')]);
          return candidate;
        }
        assert.deepEqual(answer, { event: 'con failed', args: [reason('monitor_id already registered')] });
        return false;
      },
      { timeoutMs: 5000, intervalMs: 50 },
    );
    await commandRoundTrip(user, replacement, 'light off');
    replacement.emit('command done', {});
    await user.expect('command finish', reason('Command finish'));
    user.expectNothingElse();
  });

  test('command ok also comes when the monitor is offline (the command is dropped)', async (t) => {
    const newClient = clientsFor(t, relay().url, mode.transports);
    const user = await connectUser(newClient, 'user', newMonitorId());
    user.emit('command send', { command: 'light on' });
    await user.expect('command ok', reason('Command ok'));
    user.emit('command send', { command: 'light off' });
    await user.expect('command ok', reason('Command ok'));
    user.expectNothingElse();
  });

  test('command send before query -> command failed "Query a monitor_id first"; the user stays connected', async (t) => {
    const newClient = clientsFor(t, relay().url, mode.transports);
    const user = newClient('user');
    await user.expect('connect');
    user.emit('command send', { command: 'light on' });
    await user.expect('command failed', reason('Query a monitor_id first'));
    user.emit('query', { monitor_id: newMonitorId() });
    await user.expect('query ok', reason('Query ok'));
    user.emit('command send', { command: 'light on' });
    await user.expect('command ok', reason('Command ok'));
    user.expectNothingElse();
  });

  test(`heartbeats pass and the client ends up on ${mode.transport}`, async (t) => {
    const newClient = clientsFor(t, relay().url, mode.transports);
    const id = newMonitorId();
    const monitor = await connectMonitor(newClient, 'monitor', id);
    const user = await connectUser(newClient, 'user', id);
    // Server pings every 300 ms: wait for three on each, then check that
    // nobody was disconnected meanwhile.
    await eventually(() => monitor.pings >= 3 && user.pings >= 3, {
      timeoutMs: 5000,
      describe: () => `pings: monitor ${monitor.pings}, user ${user.pings}`,
    });
    await eventually(() => user.transport === mode.transport && monitor.transport === mode.transport, {
      describe: () => `transports: monitor ${monitor.transport}, user ${user.transport}`,
    });
    await commandRoundTrip(user, monitor, 'light on');
    for (const c of [monitor, user]) c.expectNothingElse();
  });

  test('the clients reconnect to a restarted relay on the same port, re-register and carry on', async (t) => {
    // A relay of its own: it is stopped and started again.
    let restartable = await startRelay({ options: RELAY_OPTIONS });
    t.after(() => restartable?.stop());
    const newClient = clientsFor(t, restartable.url, mode.transports);
    const id = newMonitorId();
    const monitor = await connectMonitor(newClient, 'monitor', id);
    const user = await connectUser(newClient, 'user', id);
    const { port } = restartable;
    await restartable.stop();
    restartable = null;
    // A dropped transport, not a Socket.IO disconnect: the clients retry.
    for (const c of [monitor, user]) {
      const { event, args } = await c.next();
      assert.equal(event, 'disconnect', c._describe());
      assert.ok(['transport close', 'transport error'].includes(args[0]), c._describe());
    }
    restartable = await startRelay({ port, options: RELAY_OPTIONS });
    await expectReconnect(monitor);
    await monitor.expect('con ok', reason('Connection ok'));
    await expectReconnect(user);
    await user.expect('query ok', reason('Query ok'));
    await commandRoundTrip(user, monitor, 'light on');
    monitor.emit('command done', {});
    await user.expect('command finish', reason('Command finish'));
    for (const c of [monitor, user]) c.expectNothingElse();
  });
}

describe(`altoponix relay on ${SERVER_KIND} with socket.io-client`, { concurrency: true }, () => {
  let relay;
  before(async () => {
    relay = await startRelay({ options: RELAY_OPTIONS });
  });
  after(() => relay?.stop());

  for (const mode of MODES) {
    describe(mode.name, { concurrency: true }, () => scenarios(mode, () => relay));
  }

  describe('payload checks (websocket)', { concurrency: true }, () => {
    const transports = ['websocket'];

    test('query/con accept any 32 characters, counted as code points', async (t) => {
      const newClient = clientsFor(t, relay.url, transports);
      const ids = ['Z'.repeat(32), 'é'.repeat(32), '😀'.repeat(32), `${'x'.repeat(31)} `];
      for (const id of ids) {
        const monitor = await connectMonitor(newClient, `monitor ${id}`, id);
        const user = await connectUser(newClient, `user ${id}`, id);
        await commandRoundTrip(user, monitor, 'ping');
      }
    });

    const invalidPayloads = [
      ['no monitor_id', [{}]],
      ['a monitor_id of 31 characters', [{ monitor_id: 'b'.repeat(31) }]],
      ['a monitor_id of 33 characters', [{ monitor_id: 'b'.repeat(33) }]],
      ['16 emoji (32 UTF-16 units, 16 code points)', [{ monitor_id: '😀'.repeat(16) }]],
      ['a number', [{ monitor_id: 12345678901234567890123456789012 }]],
      ['null', [{ monitor_id: null }]],
      ['a string instead of an object', [newMonitorId()]],
      ['an array', [[newMonitorId()]]],
      ['no payload at all', []],
    ];
    for (const [what, args] of invalidPayloads) {
      test(`query and con with ${what} fail with "Invalid monitor_id"`, async (t) => {
        const newClient = clientsFor(t, relay.url, transports);
        const user = newClient('user', { onConnect: (s) => s.emit('query', ...args) });
        const monitor = newClient('monitor', { onConnect: (s) => s.emit('con', ...args) });
        await user.expect('connect');
        await user.expect('query failed', reason('Invalid monitor_id'));
        await user.expect('disconnect', 'io server disconnect');
        await monitor.expect('connect');
        await monitor.expect('con failed', reason('Invalid monitor_id'));
        await monitor.expect('disconnect', 'io server disconnect');
      });
    }

    test('command send without a non-empty string command -> command failed "Invalid command"', async (t) => {
      const newClient = clientsFor(t, relay.url, transports);
      const id = newMonitorId();
      const monitor = await connectMonitor(newClient, 'monitor', id);
      const user = await connectUser(newClient, 'user', id);
      for (const args of [[{}], [{ command: '' }], [{ command: 5 }], [{ command: null }], ['light on'], []]) {
        user.emit('command send', ...args);
        await user.expect('command failed', reason('Invalid command'));
      }
      // Nothing reached the monitor; a valid command still does.
      await commandRoundTrip(user, monitor, 'light on');
      monitor.expectNothingElse();
    });

    test('command error without a reason -> command failed with the relay\'s reason', async (t) => {
      const newClient = clientsFor(t, relay.url, transports);
      const id = newMonitorId();
      const monitor = await connectMonitor(newClient, 'monitor', id);
      const user = await connectUser(newClient, 'user', id);
      for (const args of [[{}], [{ reason: 7 }], []]) {
        monitor.emit('command error', ...args);
        await user.expect('command failed', reason('Monitor reported an error without a reason'));
      }
    });

    test('command done / command error from a connection that is no monitor -> command failed to it', async (t) => {
      const newClient = clientsFor(t, relay.url, transports);
      const id = newMonitorId();
      const user = await connectUser(newClient, 'user', id);
      const other = await connectUser(newClient, 'other user', id);
      user.emit('command done', {});
      await user.expect('command failed', reason('Not registered as a monitor'));
      user.emit('command error', { reason: 'fake' });
      await user.expect('command failed', reason('Not registered as a monitor'));
      // Nobody else heard of it.
      other.emit('command send', { command: 'sync' });
      await other.expect('command ok', reason('Command ok'));
      other.expectNothingElse();
    });

    test('a user may switch monitors with a second query', async (t) => {
      const newClient = clientsFor(t, relay.url, transports);
      const first = newMonitorId();
      const second = newMonitorId();
      const monitorA = await connectMonitor(newClient, 'monitor A', first);
      const monitorB = await connectMonitor(newClient, 'monitor B', second);
      const user = await connectUser(newClient, 'user', first);
      user.emit('query', { monitor_id: second });
      await user.expect('query ok', reason('Query ok'));
      await commandRoundTrip(user, monitorB, 'light on');
      // Monitor A's users no longer include this one. (A's answer to its
      // own `command send` proves the relay handled its `command done`
      // before monitor B's.)
      monitorA.emit('command done', {});
      monitorA.emit('command send', { command: 'x' });
      await monitorA.expect('command failed', reason('Query a monitor_id first'));
      monitorB.emit('command done', {});
      await user.expect('command finish', reason('Command finish'));
      user.expectNothingElse();
      monitorA.expectNothingElse();
    });
  });

  test("the seed's JavaScript example: io.connect(url), emit on connect", async () => {
    // Exactly as wsdocs.md shows it (default options), with `query`.
    const socket = io.connect(relay.url);
    try {
      const answer = new Promise((resolve) => socket.on('query ok', resolve));
      socket.on('connect', function () {
        socket.emit('query', { monitor_id: '672ef79b4d0a4805bc529d1ae44bc26b' });
      });
      assert.deepEqual(await answer, { reason: 'Query ok' });
    } finally {
      socket.disconnect();
    }
  });
});
