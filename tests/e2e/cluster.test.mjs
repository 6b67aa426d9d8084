// Clustering end to end (issue 13, first part): three nodes on loopback with
// ephemeral router ports, started one after another, each listing only the
// node before it as a peer (a <- b <- c). They must form a full mesh, show
// it in GET /api/cluster and as ttmnotify clusterupdate frames, carry JMRI
// messages and client-id ownership across nodes, refuse a second node of an
// existing name, notice a killed or hung (SIGSTOP) member within 3
// heartbeats while the others keep serving, and take a restarted member
// back.
//
// The shared cluster's tests run in order: the kill -9 test restarts the
// node it killed (the mesh is whole again afterwards) and the SIGSTOP test
// comes last. Every node is disposed in after(), a stopped one continued
// first. There are no sleeps: every wait is for an observable fact with a
// deadline (lib/cluster.mjs, lib/wait.mjs).

import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';

import WebSocket from 'ws';

import {
  HEARTBEAT_MS,
  LOSS_BOUND_MS,
  clusterUpdate,
  disposeAll,
  getCluster,
  membersNamed,
  postMessage,
  signal,
  spawnClusterNode,
  startClusterNode,
  unusedPort,
  waitForMesh,
  waitMemberState,
} from './lib/cluster.mjs';
import { expectJson } from './lib/http.mjs';
import { Inbox } from './lib/inbox.mjs';
import { JmriWs } from './lib/jmri.mjs';
import { SignalboxNode } from './lib/node.mjs';
import { eventually, notYet } from './lib/wait.mjs';

const TEST_TIMEOUT_MS = 60000;
const MESH_TIMEOUT_MS = 20000;
// The prompt answers a node owes its clients while a peer hangs.
const PROMPT_MS = 1000;

const PROBE = 'probe ';

const jmriClients = [];
async function jmriClient(node) {
  const c = await JmriWs.connect(await node.portOf('jmri'));
  jmriClients.push(c);
  await c.next('hello');
  return c;
}
after(() => jmriClients.forEach((c) => c.dispose()));

/** Subscribes `id` and proves the subscription took effect (success is silent). */
async function subscribe(client, id) {
  client.send({ type: 'client', method: 'put', data: { client: id } });
  client.send({ type: 'client', method: 'get', data: { client: id } });
  assert.deepEqual(await client.next('client'), { type: 'client', data: { client: id } });
}

/**
 * Waits until `node` knows where client id `id` lives: a message for it,
 * posted on `node`, is delivered (to the owner, which ignores probes).
 */
async function waitOwnerKnown(node, id, timeoutMs = 10000) {
  await eventually(
    async () => {
      const r = await postMessage(node, { message: `${PROBE}${id}`, client: id });
      assert.equal(r.status, 202, `${r.reply}`);
      return r.body.delivered === 1 || notYet(r.body);
    },
    { timeoutMs, intervalMs: 100, describe: (v) => `POST /api/messages on ${node.clusterName} for ${id}: ${JSON.stringify(v)}` },
  );
}

/** The next JMRI message frame that is not a probe. */
function nextMessage(client, timeoutMs = 5000) {
  return client.next((m) => m.type === 'message' && !String(m.data?.message).startsWith(PROBE) && !m.data?.context?.cluster, timeoutMs);
}

/** The JMRI message a node's clients get when member `node` is up or down. */
function memberMessage(node, state) {
  return messageFrame(`Cluster member ${node.clusterName} (${node.clusterAddress}) is ${state}.`, {
    type: state === 'up' ? 'success' : 'warning',
    context: { cluster: { name: node.clusterName, address: node.clusterAddress, state } },
  });
}

/**
 * A plain RTOC client (no password: authorized at once) collecting the
 * node's pushes; closed in after().
 */
const rtocClients = [];
async function rtocClient(node) {
  const inbox = new Inbox(`rtoc@${node.clusterName}`);
  const ws = new WebSocket(`ws://127.0.0.1:${await node.portOf('rtoc')}/`);
  rtocClients.push(ws);
  ws.on('message', (data) => inbox.push(JSON.parse(data.toString())));
  ws.on('close', () => inbox.end('closed'));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return inbox;
}
after(() => rtocClients.forEach((ws) => ws.terminate()));

/** The RTOC event pushed for member `name` going `state`. */
function nextMemberEvent(inbox, name, state) {
  return inbox.next((f) => f.event?.dname === 'cluster' && f.event.sname === name && f.event.text === state, 10000);
}

/** The message frame `client` receives for text `message`. */
function messageFrame(message, { type = 'info', context = null } = {}) {
  return { type: 'message', data: { message, context, type, locale: 'en' } };
}

/** A REST call, timed: resolves with {reply, ms}. */
async function timed(call) {
  const started = Date.now();
  const reply = await call();
  return { reply, ms: Date.now() - started };
}

describe('a cluster of three nodes (b lists a, c lists b)', () => {
  const nodes = {};
  const extra = []; // nodes started by single tests, disposed here as well
  let notifyA; // ttmnotify on a, connected before b and c existed

  before(
    async () => {
      nodes.a = await startClusterNode({ name: 'a' });
      notifyA = await nodes.a.connect({ label: 'ttmnotify@a' });
      nodes.b = await startClusterNode({ name: 'b', peers: [nodes.a.clusterAddress] });
      nodes.c = await startClusterNode({ name: 'c', peers: [nodes.b.clusterAddress] });
    },
    { timeout: TEST_TIMEOUT_MS },
  );
  after(() => disposeAll([...Object.values(nodes), ...extra]), { timeout: TEST_TIMEOUT_MS });

  const all = () => [nodes.a, nodes.b, nodes.c];

  test('each node prints its cluster listening line', () => {
    for (const n of all()) {
      assert.ok(n.clusterPort > 0, n.describe());
      assert.ok(n.stdoutLines.includes(`listening cluster 127.0.0.1:${n.clusterPort}`), n.describe());
    }
    assert.equal(new Set(all().map((n) => n.clusterPort)).size, 3);
  });

  test('a chain of peers becomes a full mesh, shown by GET /api/cluster on every node', { timeout: TEST_TIMEOUT_MS }, async () => {
    const views = await waitForMesh(all(), { timeoutMs: MESH_TIMEOUT_MS });
    const now = Date.now();
    all().forEach((n, i) => {
      const view = views[i];
      const { members, ...top } = view;
      assert.deepEqual(top, { enabled: true, name: n.clusterName, address: n.clusterAddress, heartbeat_ms: HEARTBEAT_MS }, JSON.stringify(view));
      const others = all()
        .filter((o) => o !== n)
        .sort((x, y) => x.clusterName.localeCompare(y.clusterName));
      assert.deepEqual(
        members.map(({ last_seen: _, ...m }) => m),
        others.map((o) => ({ name: o.clusterName, address: o.clusterAddress, state: 'up' })),
        `members on ${n.clusterName}: ${JSON.stringify(members)}`,
      );
      for (const m of members) {
        assert.ok(Number.isInteger(m.last_seen), `an up member was seen: ${JSON.stringify(m)}`);
        assert.ok(m.last_seen <= now + 1000 && m.last_seen > now - 60000, `last_seen ${m.last_seen} vs now ${now}`);
      }
    });
  });

  test('ttmnotify on a: clusterupdate "up" for b and for c', { timeout: TEST_TIMEOUT_MS }, async () => {
    for (const n of [nodes.b, nodes.c]) {
      const frame = await notifyA.next(
        (m) => m.cmd === 'clusterupdate' && m.name === n.clusterName && m.state === 'up',
        MESH_TIMEOUT_MS,
      );
      assert.deepEqual(frame, clusterUpdate(n, 'up'));
    }
  });

  describe('JMRI across nodes', () => {
    const j = {};

    before(async () => {
      await waitForMesh(all(), { timeoutMs: MESH_TIMEOUT_MS });
      for (const name of ['a', 'b', 'c']) {
        j[name] = await jmriClient(nodes[name]);
        await subscribe(j[name], `jmri-${name}`);
      }
    }, { timeout: TEST_TIMEOUT_MS });

    test('a broadcast posted on a, then one posted on c, reaches the clients on a, b and c once each', { timeout: TEST_TIMEOUT_MS }, async () => {
      await waitOwnerKnown(nodes.a, 'jmri-b');
      await waitOwnerKnown(nodes.a, 'jmri-c');
      const first = await postMessage(nodes.a, { message: 'to every node', type: 'warning', context: { from: 'a' } });
      assert.deepEqual({ status: first.status, body: first.body }, { status: 202, body: { delivered: 3 } });
      for (const name of ['a', 'b', 'c'])
        assert.deepEqual(await nextMessage(j[name]), messageFrame('to every node', { type: 'warning', context: { from: 'a' } }), `client on ${name}`);

      await waitOwnerKnown(nodes.c, 'jmri-a');
      await waitOwnerKnown(nodes.c, 'jmri-b');
      const second = await postMessage(nodes.c, { message: 'from c to all' });
      assert.deepEqual({ status: second.status, body: second.body }, { status: 202, body: { delivered: 3 } });
      for (const name of ['a', 'b', 'c'])
        assert.deepEqual(await nextMessage(j[name]), messageFrame('from c to all'), `client on ${name}`);
    });

    test('a message for the id on c, posted on a, reaches only the client on c', { timeout: TEST_TIMEOUT_MS }, async () => {
      await waitOwnerKnown(nodes.a, 'jmri-c');
      const targeted = await postMessage(nodes.a, { message: 'just c', client: 'jmri-c' });
      assert.deepEqual({ status: targeted.status, body: targeted.body }, { status: 202, body: { delivered: 1 } });
      assert.deepEqual(await nextMessage(j.c), messageFrame('just c'));
      // The next message a and b get is the following broadcast: `just c`
      // never reached them (nor a second copy of anything before).
      const next = await postMessage(nodes.a, { message: 'after just c' });
      assert.deepEqual({ status: next.status, body: next.body }, { status: 202, body: { delivered: 3 } });
      for (const name of ['a', 'b', 'c'])
        assert.deepEqual(await nextMessage(j[name]), messageFrame('after just c'), `client on ${name}`);
    });

    test('an id subscribed on b is refused to a client on a, as JMRI refuses an id in use', { timeout: TEST_TIMEOUT_MS }, async () => {
      await subscribe(j.b, 'dup-id');
      // a knows where dup-id lives once a message for it, posted on a, is delivered.
      await waitOwnerKnown(nodes.a, 'dup-id');
      const rival = await jmriClient(nodes.a);
      rival.send({ type: 'client', method: 'put', data: { client: 'dup-id' }, id: 3 });
      assert.deepEqual(await rival.next('error'), {
        type: 'error', data: { code: 409, message: 'Client "client" is in use by another connection.' }, id: 3,
      });
      // The refused connection owns nothing; the id stays with b's client.
      rival.send({ type: 'client', method: 'list' });
      assert.deepEqual(await rival.next('error'), {
        type: 'error', data: { code: 404, message: 'No client found for with this connection.' },
      });
      const still = await postMessage(nodes.a, { message: 'still on b', client: 'dup-id' });
      assert.deepEqual({ status: still.status, body: still.body }, { status: 202, body: { delivered: 1 } });
      assert.deepEqual(await j.b.next((m) => m.type === 'message' && m.data.message === 'still on b'), messageFrame('still on b'));
      // The rival can take an id of its own; then a broadcast is the first
      // message it gets (`still on b` never reached it).
      await subscribe(rival, 'rival-id');
      const later = await postMessage(nodes.a, { message: 'after the rival' });
      assert.equal(later.status, 202, `${later.reply}`);
      assert.deepEqual(await nextMessage(rival), messageFrame('after the rival'));
    });
  });

  test('a fourth node named like a member (b) is refused and never listed', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await waitForMesh(all(), { timeoutMs: MESH_TIMEOUT_MS });
    const { node: d } = await spawnClusterNode({ name: 'b', peers: [nodes.a.clusterAddress] });
    extra.push(d);
    const onlyB = async () => {
      for (const n of all()) {
        if (n === nodes.b) continue;
        const view = await getCluster(n);
        const bs = membersNamed(view, 'b');
        assert.equal(bs.length, 1, `exactly one member b on ${n.clusterName} while the impostor runs: ${JSON.stringify(view.members)}`);
        assert.deepEqual(
          { address: bs[0].address, state: bs[0].state },
          { address: nodes.b.clusterAddress, state: 'up' },
          `the member b on ${n.clusterName} is the first node b: ${JSON.stringify(view.members)}\nimpostor:\n${d.describe()}`,
        );
      }
    };
    try {
      const refusal = /^.*cluster\.name.*already.*$/m;
      // Until the impostor reports its refusal, every look at a and c shows
      // the one b, up.
      const line = await eventually(
        async () => {
          await onlyB();
          const m = refusal.exec(d.stderr);
          return m ? m[0] : notYet(d.stderr);
        },
        { timeoutMs: 10000, intervalMs: 100, describe: (stderr) => `impostor's stderr:\n${stderr}\nstdout:\n${d.stdoutLines.join('\n')}` },
      );
      t.diagnostic(`the impostor: ${line.trim()}`);
      assert.match(line, /cluster\.name/);
      assert.match(line, /already/);
      await onlyB();
      const view = await getCluster(nodes.a);
      assert.deepEqual(view.members.map((m) => m.name), ['b', 'c'], JSON.stringify(view.members));
    } finally {
      await d.dispose();
    }
  });

  test('kill -9 of c: a and b show it down within 3 heartbeats, keep serving, and take c back on restart', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await waitForMesh(all(), { timeoutMs: MESH_TIMEOUT_MS });
    const jA = await jmriClient(nodes.a);
    const jB = await jmriClient(nodes.b);
    await subscribe(jA, 'kill-a');
    await subscribe(jB, 'kill-b');
    await waitOwnerKnown(nodes.a, 'kill-b');
    const rtocA = await rtocClient(nodes.a);

    const old = nodes.c;
    const killedAt = Date.now();
    old.child.kill('SIGKILL');
    const [onA, onB] = await Promise.all(
      [nodes.a, nodes.b].map((n) => waitMemberState(n, 'c', 'down', { address: old.clusterAddress, since: killedAt, timeoutMs: 15000 })),
    );
    t.diagnostic(`c shown down ${onA.elapsedMs} ms (a), ${onB.elapsedMs} ms (b) after kill -9`);
    assert.ok(onA.elapsedMs <= LOSS_BOUND_MS, `a showed c down ${onA.elapsedMs} ms after kill -9 (bound ${LOSS_BOUND_MS} ms)`);
    assert.ok(onB.elapsedMs <= LOSS_BOUND_MS, `b showed c down ${onB.elapsedMs} ms after kill -9 (bound ${LOSS_BOUND_MS} ms)`);
    for (const { member } of [onA, onB])
      assert.ok(Number.isInteger(member.last_seen) && member.last_seen <= Date.now(), `a lost member was seen: ${JSON.stringify(member)}`);
    assert.deepEqual(
      await notifyA.next((m) => m.cmd === 'clusterupdate' && m.name === 'c' && m.state === 'down', 5000),
      clusterUpdate(old, 'down'),
    );
    // Membership as JMRI messages (local clients only: one each, though
    // both survivors saw c go) and as an RTOC event on cluster.c.
    for (const client of [jA, jB])
      assert.deepEqual(await client.next((m) => m.type === 'message' && m.data.context?.cluster?.state === 'down'), memberMessage(old, 'down'));
    const lostEvent = await nextMemberEvent(rtocA, 'c', 'down');
    assert.deepEqual(
      { dname: lostEvent.event.dname, sname: lostEvent.event.sname, text: lostEvent.event.text, priority: lostEvent.event.priority, value: lostEvent.event.value },
      { dname: 'cluster', sname: 'c', text: 'down', priority: 2, value: 0 },
    );
    await old.waitExit();
    await old.dispose();

    // The survivors keep serving, and keep each other.
    for (const [n, other] of [[nodes.a, nodes.b], [nodes.b, nodes.a]]) {
      expectJson(await n.api.get('/api/values'), 200);
      const m = membersNamed(await getCluster(n), other.clusterName);
      assert.deepEqual(m.map((x) => x.state), ['up'], `${n.clusterName} still has ${other.clusterName}: ${JSON.stringify(m)}`);
    }
    const survivors = await postMessage(nodes.a, { message: 'c is gone' });
    assert.equal(survivors.status, 202, `${survivors.reply}`);
    for (const client of [jA, jB]) {
      assert.deepEqual(await client.next((m) => m.type === 'message' && m.data.message === 'c is gone'), messageFrame('c is gone'));
      // No second copy of c's loss came from the other survivor.
      assert.equal(client.items.filter((m) => m.data?.context?.cluster).length, 0, `one membership message only: ${JSON.stringify(client.items)}`);
    }

    // Restart: the same name and peers (a new router port: ephemeral).
    nodes.c = await startClusterNode({ name: 'c', peers: [nodes.b.clusterAddress] });
    const views = await waitForMesh(all(), { timeoutMs: MESH_TIMEOUT_MS });
    for (const [i, n] of [[0, nodes.a], [1, nodes.b]]) {
      const cs = membersNamed(views[i], 'c');
      assert.deepEqual(
        cs.map(({ last_seen: _, ...m }) => m),
        [{ name: 'c', address: nodes.c.clusterAddress, state: 'up' }],
        `one member c on ${n.clusterName}, the restarted one: ${JSON.stringify(views[i].members)}`,
      );
    }
    assert.deepEqual(
      await notifyA.next((m) => m.cmd === 'clusterupdate' && m.name === 'c' && m.state === 'up' && m.address === nodes.c.clusterAddress, MESH_TIMEOUT_MS),
      clusterUpdate(nodes.c, 'up'),
    );
    for (const client of [jA, jB])
      assert.deepEqual(await client.next((m) => m.type === 'message' && m.data.context?.cluster?.state === 'up', MESH_TIMEOUT_MS), memberMessage(nodes.c, 'up'));
    const upEvent = await nextMemberEvent(rtocA, 'c', 'up');
    assert.deepEqual({ priority: upEvent.event.priority, value: upEvent.event.value }, { priority: 0, value: 1 });
  });

  // Last: b is continued afterwards, and may or may not rejoin.
  test('SIGSTOP of b (a hung peer): a and c keep answering promptly and show b down within 3 heartbeats', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await waitForMesh(all(), { timeoutMs: MESH_TIMEOUT_MS });
    const jA = await jmriClient(nodes.a);
    await subscribe(jA, 'stop-a');
    await waitOwnerKnown(nodes.c, 'stop-a');
    const hung = nodes.b;
    const alive = [nodes.a, nodes.c];
    const stoppedAt = Date.now();
    signal(hung, 'SIGSTOP');
    try {
      // Messages posted right away, while a and c still count b up.
      const posts = await Promise.all(
        alive.map((n) => timed(() => postMessage(n, { message: `while b hangs, from ${n.clusterName}` }))),
      );
      alive.forEach((n, i) => {
        const { reply, ms } = posts[i];
        assert.equal(reply.status, 202, `POST /api/messages on ${n.clusterName} while b hangs: ${reply.reply}`);
        // A member not heard from is waited for at most one heartbeat.
        assert.ok(ms <= HEARTBEAT_MS + PROMPT_MS, `POST /api/messages on ${n.clusterName} took ${ms} ms while b hangs`);
      });
      for (const n of alive)
        assert.deepEqual(
          await jA.next((m) => m.type === 'message' && m.data.message === `while b hangs, from ${n.clusterName}`),
          messageFrame(`while b hangs, from ${n.clusterName}`),
        );

      // Until both show b down: every REST answer is prompt.
      const downAfter = {};
      while (alive.some((n) => downAfter[n.clusterName] === undefined)) {
        assert.ok(Date.now() - stoppedAt < 15000, `b not shown down within 15 s of SIGSTOP: ${JSON.stringify(downAfter)}`);
        await Promise.all(
          alive.map(async (n) => {
            const values = await timed(() => n.api.get('/api/values'));
            expectJson(values.reply, 200);
            assert.ok(values.ms <= PROMPT_MS, `GET /api/values on ${n.clusterName} took ${values.ms} ms while b hangs`);
            const started = Date.now();
            const view = await getCluster(n);
            const ms = Date.now() - started;
            assert.ok(ms <= PROMPT_MS, `GET /api/cluster on ${n.clusterName} took ${ms} ms while b hangs`);
            const bs = membersNamed(view, 'b');
            assert.equal(bs.length, 1, `one member b on ${n.clusterName}: ${JSON.stringify(view.members)}`);
            if (bs[0].state === 'down' && downAfter[n.clusterName] === undefined) downAfter[n.clusterName] = Date.now() - stoppedAt;
          }),
        );
      }
      t.diagnostic(`b shown down ${downAfter.a} ms (a), ${downAfter.c} ms (c) after SIGSTOP; ` +
        `POST /api/messages right after it: ${posts.map((p) => p.ms).join(' ms, ')} ms`);
      for (const n of alive)
        assert.ok(
          downAfter[n.clusterName] <= LOSS_BOUND_MS,
          `${n.clusterName} showed b down ${downAfter[n.clusterName]} ms after SIGSTOP (bound ${LOSS_BOUND_MS} ms)`,
        );
      assert.deepEqual(
        await notifyA.next((m) => m.cmd === 'clusterupdate' && m.name === 'b' && m.state === 'down', 5000),
        clusterUpdate(hung, 'down'),
      );

      // a and c still have each other, and still answer messages promptly.
      for (const [n, other] of [[nodes.a, nodes.c], [nodes.c, nodes.a]]) {
        const m = membersNamed(await getCluster(n), other.clusterName);
        assert.deepEqual(m.map((x) => x.state), ['up'], `${n.clusterName} still has ${other.clusterName}: ${JSON.stringify(m)}`);
        const { reply, ms } = await timed(() => postMessage(n, { message: `b is down, from ${n.clusterName}` }));
        assert.equal(reply.status, 202, `${reply.reply}`);
        assert.ok(ms <= PROMPT_MS, `POST /api/messages on ${n.clusterName} took ${ms} ms with b down`);
        assert.deepEqual(
          await jA.next((f) => f.type === 'message' && f.data.message === `b is down, from ${n.clusterName}`),
          messageFrame(`b is down, from ${n.clusterName}`),
        );
      }
    } finally {
      signal(hung, 'SIGCONT');
    }
  });
});

describe('a node on its own', () => {
  test('cluster disabled (the default): enabled false, no members, no cluster listener', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const node = await SignalboxNode.start({ args: ['--realdds.enabled=false'] });
    t.after(() => node.dispose());
    const view = await getCluster(node);
    assert.equal(view.enabled, false, JSON.stringify(view));
    assert.equal(view.name, os.hostname(), `the default cluster.name is the host name: ${JSON.stringify(view)}`);
    assert.deepEqual(view.members, []);
    assert.ok(!('cluster' in node.ports), node.describe());
  });

  test('a configured peer never reached is listed with name null and last_seen null', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const nowhere = `127.0.0.1:${await unusedPort()}`;
    const node = await startClusterNode({ name: 'lonely', peers: [nowhere] });
    t.after(() => node.dispose());
    const view = await eventually(
      async () => {
        const v = await getCluster(node);
        return v.members.length > 0 ? v : notYet(v);
      },
      { timeoutMs: 5000, intervalMs: 50 },
    );
    const { members, ...top } = view;
    assert.deepEqual(top, { enabled: true, name: 'lonely', address: node.clusterAddress, heartbeat_ms: HEARTBEAT_MS });
    assert.equal(members.length, 1, JSON.stringify(members));
    const [peer] = members;
    assert.deepEqual({ name: peer.name, address: peer.address, last_seen: peer.last_seen }, { name: null, address: nowhere, last_seen: null });
    assert.ok(['connecting', 'down'].includes(peer.state), `an unreached peer is connecting or down: ${JSON.stringify(peer)}`);
  });
});
