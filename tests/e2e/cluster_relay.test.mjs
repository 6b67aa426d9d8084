// The altoponix relay across a cluster (issue 13): three nodes on loopback
// (b lists a, c lists b; a full mesh), users and monitors on the stock
// socket.io-client. A user's `command send` reaches the monitor of its id
// on another node as `command do` (the user's `command ok` comes from its
// own node); the monitor's `command done` / `command error` reach the
// users of the id on every node as `command finish` / `command failed`;
// order is kept per sender and per monitor; a `con` for an id another node
// holds is refused as a duplicate on one node; a command for an id whose
// monitor left is dropped (still `command ok`), never kept for a later
// monitor; and kill -9 of a third node leaves the relay between the other
// two working.
//
// Routes across nodes are learnt asynchronously, so each test first proves
// the routes it relies on with real traffic closed by an ordering barrier
// (lib/cluster_relay.mjs). Absences are checked with barriers too: a later
// event that must arrive, with nothing before it. No sleeps; every node and
// socket is closed in after(), also on failure. Tests run in order on the
// one cluster; the kill -9 test is last.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { disposeAll, startClusterNode, waitForMesh, waitMemberState } from './lib/cluster.mjs';
import {
  ALREADY_REGISTERED,
  COMMAND_FINISH,
  COMMAND_OK,
  RelayClients,
  awaitCommandRoute,
  awaitResultRoute,
  commandRoundTrip,
  newMonitorId,
  reason,
} from './lib/cluster_relay.mjs';

const TEST_TIMEOUT_MS = 30000;
const MESH_TIMEOUT_MS = 20000;

describe('the altoponix relay across a cluster of three nodes', () => {
  const nodes = {};
  const clients = new RelayClients();

  before(
    async () => {
      nodes.a = await startClusterNode({ name: 'a' });
      nodes.b = await startClusterNode({ name: 'b', peers: [nodes.a.clusterAddress] });
      nodes.c = await startClusterNode({ name: 'c', peers: [nodes.b.clusterAddress] });
      await waitForMesh([nodes.a, nodes.b, nodes.c], { timeoutMs: MESH_TIMEOUT_MS });
    },
    { timeout: 45000 },
  );
  after(
    async () => {
      try {
        clients.closeAll();
      } finally {
        await disposeAll(Object.values(nodes));
      }
    },
    { timeout: 45000 },
  );

  test('commands from users on a and c reach the monitor on b; done and error reach the users on a, b and c', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const id = newMonitorId();
    const monitor = await clients.monitor(nodes.b, 'monitor@b', id);
    const onA = await clients.user(nodes.a, 'user@a', id, { transports: ['websocket'] });
    const onB = await clients.user(nodes.b, 'user@b', id, { transports: ['websocket'] });
    // Default transports: polling, then the upgrade to WebSocket.
    const onC = await clients.user(nodes.c, 'user@c', id);
    const probes = [await awaitCommandRoute(onA, monitor, 'a'), await awaitCommandRoute(onC, monitor, 'c')];
    const dones = await awaitResultRoute(monitor, [onA, onB, onC], 'results');
    t.diagnostic(`routes known after ${probes.join(' (a), ')} (c) probe commands and ${dones} probe dones`);

    await commandRoundTrip(onA, monitor, 'light on');
    monitor.emit('command done', {});
    for (const u of [onA, onB, onC]) await u.expect('command finish', COMMAND_FINISH);

    await commandRoundTrip(onC, monitor, 'open valve');
    monitor.emit('command error', { reason: 'valve stuck' });
    for (const u of [onA, onB, onC]) await u.expect('command failed', reason('valve stuck'));

    // A local user's command still works beside the remote ones.
    await commandRoundTrip(onB, monitor, 'pump off');
    monitor.emit('command done', {});
    for (const u of [onA, onB, onC]) await u.expect('command finish', COMMAND_FINISH);
    for (const c of [monitor, onA, onB, onC]) c.expectNothingElse();
  });

  test('order: each sender\'s commands arrive in the order sent; results reach every user in the monitor\'s order', { timeout: TEST_TIMEOUT_MS }, async () => {
    const N = 25;
    const id = newMonitorId();
    const monitor = await clients.monitor(nodes.b, 'monitor@b', id);
    const users = {
      a: await clients.user(nodes.a, 'user@a', id, { transports: ['websocket'] }),
      b: await clients.user(nodes.b, 'user@b', id, { transports: ['websocket'] }),
      c: await clients.user(nodes.c, 'user@c', id, { transports: ['websocket'] }),
    };
    await awaitCommandRoute(users.a, monitor, 'a');
    await awaitCommandRoute(users.c, monitor, 'c');
    await awaitResultRoute(monitor, Object.values(users), 'results');

    // All three send at once, without waiting for anything in between.
    for (let i = 0; i < N; i++) for (const [name, u] of Object.entries(users)) u.emit('command send', { command: `${name} ${i}` });
    const received = [];
    for (let i = 0; i < 3 * N; i++) {
      const got = await monitor.next();
      assert.equal(got.event, 'command do', monitor.describe());
      received.push(got.args[0].command);
    }
    for (const name of Object.keys(users)) {
      const mine = received.filter((cmd) => cmd.startsWith(`${name} `));
      assert.deepEqual(mine, Array.from({ length: N }, (_, i) => `${name} ${i}`), `commands of the user on ${name}, in arrival order: ${JSON.stringify(received)}`);
    }
    for (const u of Object.values(users)) for (let i = 0; i < N; i++) await u.expect('command ok', COMMAND_OK);

    // The monitor answers with dones and errors mixed: every user gets them in that order.
    const results = Array.from({ length: N }, (_, i) => (i % 3 === 1 ? { error: `failure ${i}` } : { done: i }));
    for (const r of results) {
      if (r.error) monitor.emit('command error', { reason: r.error });
      else monitor.emit('command done', {});
    }
    for (const u of Object.values(users))
      for (const r of results)
        if (r.error) await u.expect('command failed', reason(r.error));
        else await u.expect('command finish', COMMAND_FINISH);
    for (const c of [monitor, ...Object.values(users)]) c.expectNothingElse();
  });

  test('a con on a or c for an id the monitor on b holds is refused like a duplicate; b\'s monitor keeps it', { timeout: TEST_TIMEOUT_MS }, async () => {
    const id = newMonitorId();
    const monitor = await clients.monitor(nodes.b, 'monitor@b', id);
    const onA = await clients.user(nodes.a, 'user@a', id, { transports: ['websocket'] });
    const onC = await clients.user(nodes.c, 'user@c', id, { transports: ['websocket'] });
    // A command from a (and from c) reaching b's monitor proves that the
    // node knows that b holds the id.
    await awaitCommandRoute(onA, monitor, 'a');
    await awaitCommandRoute(onC, monitor, 'c');

    for (const [name, node] of [['a', nodes.a], ['c', nodes.c], ['b', nodes.b]]) {
      const rival = await clients.client(node, `rival monitor@${name}`, {
        transports: ['websocket'],
        onConnect: (s) => s.emit('con', { monitor_id: id }),
      });
      await rival.expect('connect');
      await rival.expect('con failed', ALREADY_REGISTERED);
      await rival.expect('disconnect', 'io server disconnect');
      rival.expectNothingElse();
    }

    // The id stays with b's monitor: commands from a and c still reach it,
    // and its results reach both users.
    await awaitResultRoute(monitor, [onA, onC], 'results');
    await commandRoundTrip(onA, monitor, 'light on');
    await commandRoundTrip(onC, monitor, 'light off');
    monitor.emit('command done', {});
    for (const u of [onA, onC]) await u.expect('command finish', COMMAND_FINISH);
    for (const c of [monitor, onA, onC]) c.expectNothingElse();
  });

  test('the monitor on b leaves: commands from a and c are dropped (command ok all the same) and never reach a later monitor', { timeout: TEST_TIMEOUT_MS }, async () => {
    const id = newMonitorId();
    const other = newMonitorId(); // a second id on b: an ordering barrier on the a -> b link
    const monitor = await clients.monitor(nodes.b, 'monitor@b', id);
    const otherMonitor = await clients.monitor(nodes.b, 'other monitor@b', other);
    const onA = await clients.user(nodes.a, 'user@a', id, { transports: ['websocket'] });
    const onC = await clients.user(nodes.c, 'user@c', id, { transports: ['websocket'] });
    const otherOnA = await clients.user(nodes.a, 'other user@a', other, { transports: ['websocket'] });
    const otherOnC = await clients.user(nodes.c, 'other user@c', other, { transports: ['websocket'] });
    await awaitCommandRoute(onA, monitor, 'a');
    await awaitCommandRoute(onC, monitor, 'c');
    await awaitCommandRoute(otherOnA, otherMonitor, 'other a');
    await awaitCommandRoute(otherOnC, otherMonitor, 'other c');
    await awaitResultRoute(monitor, [onA, onC], 'results');

    monitor.close();
    await monitor.expect('disconnect', 'io client disconnect');
    for (const u of [onA, onC]) {
      u.emit('command send', { command: `dropped from ${u.label}` });
      await u.expect('command ok', COMMAND_OK);
    }
    // Commands keep their order per link: once the other id's monitor on b
    // got these, b has handled the dropped commands sent before them.
    await commandRoundTrip(otherOnA, otherMonitor, 'barrier a');
    await commandRoundTrip(otherOnC, otherMonitor, 'barrier c');

    // The id is free again: a new monitor on b takes it (once b has seen
    // the old one leave). Its first commands are the users' later ones:
    // the dropped commands were not kept for it.
    const successor = await clients.monitorOnceFree(nodes.b, 'new monitor@b', id);
    await awaitCommandRoute(onA, successor, 'a again');
    await awaitCommandRoute(onC, successor, 'c again');
    await commandRoundTrip(onA, successor, 'light on');
    successor.emit('command done', {});
    for (const u of [onA, onC]) await u.expect('command finish', COMMAND_FINISH);
    for (const c of [successor, otherMonitor, onA, onC, otherOnA, otherOnC]) c.expectNothingElse();
    const everything = successor.inbox.history.filter((e) => e.event === 'command do').map((e) => e.args[0].command);
    assert.ok(!everything.some((cmd) => cmd.startsWith('dropped')), `the new monitor got a dropped command: ${JSON.stringify(everything)}`);

    // The id moves to another node: b's monitor leaves, one on c takes it;
    // the users on a and c follow it there.
    successor.close();
    await successor.expect('disconnect', 'io client disconnect');
    const onNodeC = await clients.monitorOnceFree(nodes.c, 'monitor@c', id);
    await awaitCommandRoute(onA, onNodeC, 'a to c');
    await commandRoundTrip(onC, onNodeC, 'local on c');
    await awaitResultRoute(onNodeC, [onA, onC], 'results from c');
    onNodeC.emit('command error', { reason: 'moved' });
    for (const u of [onA, onC]) await u.expect('command failed', reason('moved'));
    for (const c of [onNodeC, onA, onC]) c.expectNothingElse();
  });

  test('a user on a that queries another id no longer gets the results of the first one\'s monitor on b', { timeout: TEST_TIMEOUT_MS }, async () => {
    const first = newMonitorId();
    const second = newMonitorId();
    const firstMonitor = await clients.monitor(nodes.b, 'first monitor@b', first);
    const secondMonitor = await clients.monitor(nodes.b, 'second monitor@b', second);
    const switching = await clients.user(nodes.a, 'switching user@a', first, { transports: ['websocket'] });
    const staying = await clients.user(nodes.a, 'staying user@a', first, { transports: ['websocket'] });
    await awaitResultRoute(firstMonitor, [switching, staying], 'first');

    switching.emit('query', { monitor_id: second });
    await switching.expect('query ok', reason('Query ok'));
    await awaitCommandRoute(switching, secondMonitor, 'switched');
    await awaitResultRoute(secondMonitor, [switching], 'second');

    // The first monitor's result reaches the user that stayed; once it has,
    // a handled it. The switching user's next event is the second
    // monitor's result, not the first's.
    firstMonitor.emit('command error', { reason: 'first only' });
    await staying.expect('command failed', reason('first only'));
    secondMonitor.emit('command done', {});
    await switching.expect('command finish', COMMAND_FINISH);
    await commandRoundTrip(switching, secondMonitor, 'to the second');
    for (const c of [firstMonitor, secondMonitor, switching, staying]) c.expectNothingElse();
  });

  test('kill -9 of c: the relay between a and b keeps working, before and after c is shown down', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const id = newMonitorId();
    const monitor = await clients.monitor(nodes.b, 'monitor@b', id);
    const onA = await clients.user(nodes.a, 'user@a', id, { transports: ['websocket'] });
    const onB = await clients.user(nodes.b, 'user@b', id, { transports: ['websocket'] });
    const onC = await clients.user(nodes.c, 'user@c', id, { transports: ['websocket'] });
    await awaitCommandRoute(onA, monitor, 'a');
    await awaitResultRoute(monitor, [onA, onB, onC], 'results');

    const killedAt = Date.now();
    await nodes.c.kill9();
    const { event } = await onC.next();
    assert.equal(event, 'disconnect', onC.describe());

    // Right away, while a and b may still count c up.
    await commandRoundTrip(onA, monitor, 'light on');
    monitor.emit('command done', {});
    for (const u of [onA, onB]) await u.expect('command finish', COMMAND_FINISH);

    const shown = await Promise.all(
      [nodes.a, nodes.b].map((n) => waitMemberState(n, 'c', 'down', { since: killedAt, timeoutMs: 15000 })),
    );
    t.diagnostic(`c shown down ${shown.map((s) => s.elapsedMs).join(' ms (a), ')} ms (b) after kill -9`);

    // After: the same id, then a new one registered now, monitored on a
    // and driven from b (the other direction).
    await commandRoundTrip(onA, monitor, 'light off');
    monitor.emit('command error', { reason: 'bulb blown' });
    for (const u of [onA, onB]) await u.expect('command failed', reason('bulb blown'));

    const fresh = newMonitorId();
    const monitorOnA = await clients.monitor(nodes.a, 'monitor@a', fresh);
    const userOnB = await clients.user(nodes.b, 'user@b (fresh id)', fresh, { transports: ['websocket'] });
    await awaitCommandRoute(userOnB, monitorOnA, 'b');
    await awaitResultRoute(monitorOnA, [userOnB], 'results fresh');
    await commandRoundTrip(userOnB, monitorOnA, 'pump on');
    monitorOnA.emit('command done', {});
    await userOnB.expect('command finish', COMMAND_FINISH);
    // And a con for it on b is refused: b knows a holds it.
    const rival = await clients.client(nodes.b, 'rival monitor@b', {
      transports: ['websocket'],
      onConnect: (s) => s.emit('con', { monitor_id: fresh }),
    });
    await rival.expect('connect');
    await rival.expect('con failed', ALREADY_REGISTERED);
    await rival.expect('disconnect', 'io server disconnect');
    for (const c of [monitor, onA, onB, monitorOnA, userOnB]) c.expectNothingElse();
  });
});
