// Cluster helpers for the end-to-end tests: nodes started with the cluster
// enabled on ephemeral router ports, the shape of `GET /api/cluster`, and
// waits for what a member table shows (a full mesh, one member's state),
// each a bounded wait for an observable fact, never a fixed sleep.
//
//   const a = await startClusterNode({ name: 'a' });
//   const b = await startClusterNode({ name: 'b', peers: [a.clusterAddress] });
//   await waitForMesh([a, b]);

import assert from 'node:assert/strict';
import net from 'node:net';

import { raw, renderConfig } from './config.mjs';
import { expectJson } from './http.mjs';
import { SignalboxNode } from './node.mjs';
import { eventually, notYet } from './wait.mjs';

/** The heartbeat the tests run with (the default is 1 s). */
export const HEARTBEAT_MS = 500;

/**
 * How long after a peer's loss (kill -9, SIGSTOP) its neighbours may still
 * show it up: 3 heartbeats, plus slack for a loaded 2-core machine.
 */
export const LOSS_BOUND_MS = 3 * HEARTBEAT_MS + 1500;

/** Every state a member can be in. */
export const MEMBER_STATES = ['up', 'down', 'connecting'];

const TOP_KEYS = ['address', 'enabled', 'heartbeat_ms', 'members', 'name'];
const MEMBER_KEYS = ['address', 'last_seen', 'name', 'state'];

/**
 * A light node: no jobs (no job-status JMRI messages in the clients'
 * queues), JMRI on, no DDS participant.
 */
export const CLUSTER_CONFIG = renderConfig({ jobs: { definitions: raw('[]') } });

/** `--cluster.peers=[...]` as one argv element: a CAF list of strings. */
export function peersArg(addresses) {
  return `--cluster.peers=[${addresses.map((a) => JSON.stringify(a)).join(', ')}]`;
}

/** The command-line options of a cluster node. */
export function clusterArgs({ name, peers = [], heartbeatMs = HEARTBEAT_MS, port = 0 } = {}) {
  const args = ['--cluster.enabled=true', `--cluster.port=${port}`, `--cluster.heartbeat=${heartbeatMs}ms`];
  if (name !== undefined) args.push(`--cluster.name=${name}`);
  if (peers.length > 0) args.push(peersArg(peers));
  return args;
}

/** Options for SignalboxNode: a light node with these cluster settings. */
export function clusterNodeOptions({ name, peers, heartbeatMs, args = [], ...rest } = {}) {
  return {
    config: CLUSTER_CONFIG,
    startTimeoutMs: 20000,
    ...rest,
    // JMRI closes connections silent for its heartbeat x 1.1 (16.5 s by
    // default): the tests' JMRI clients stay open however slow a wait is.
    args: [
      '--jmri.enabled=true',
      '--jmri.heartbeat-interval=300s',
      '--realdds.enabled=false',
      ...clusterArgs({ name, peers, heartbeatMs }),
      ...args,
    ],
  };
}

/**
 * Starts a cluster node and waits for its `listening cluster` line; the
 * node gets clusterName, clusterPort and clusterAddress ("127.0.0.1:<port>").
 * The caller disposes it.
 */
export async function startClusterNode(options = {}) {
  const node = await SignalboxNode.start(clusterNodeOptions(options));
  try {
    node.clusterName = options.name;
    node.clusterPort = await node.portOf('cluster', 10000);
    node.clusterAddress = `127.0.0.1:${node.clusterPort}`;
  } catch (err) {
    await node.dispose().catch(() => {});
    throw err;
  }
  return node;
}

/**
 * Spawns a node that may be refused and exit before it ever listens:
 * resolves with {node, startError} (startError null when it listened). The
 * node's stdout/stderr keep being collected either way; the caller disposes
 * it.
 */
export async function spawnClusterNode(options = {}) {
  const node = new SignalboxNode(clusterNodeOptions(options));
  let startError = null;
  try {
    await node._start();
  } catch (err) {
    startError = err;
  }
  return { node, startError };
}

/** A loopback port that nothing listens on (it was free a moment ago). */
export function unusedPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Checks one member entry of /api/cluster. */
export function checkMember(m, where) {
  assert.deepEqual(Object.keys(m).sort(), MEMBER_KEYS, `member keys ${where}: ${JSON.stringify(m)}`);
  assert.ok(m.name === null || (typeof m.name === 'string' && m.name.length > 0), `member name ${where}: ${JSON.stringify(m)}`);
  assert.match(m.address, /^127\.0\.0\.1:\d+$/, `member address ${where}: ${JSON.stringify(m)}`);
  assert.ok(MEMBER_STATES.includes(m.state), `member state ${where}: ${JSON.stringify(m)}`);
  if (m.last_seen !== null) {
    assert.ok(Number.isInteger(m.last_seen), `last_seen is an integer or null ${where}: ${JSON.stringify(m)}`);
    // Milliseconds since the epoch (the same clock as ours), not a
    // monotonic clock or seconds.
    assert.ok(Math.abs(Date.now() - m.last_seen) < 10 * 60 * 1000, `last_seen is ms since the epoch ${where}: ${JSON.stringify(m)}`);
  }
}

/**
 * GET /api/cluster on `node`: 200 JSON, checked for the contract's shape
 * (enabled nodes: exactly enabled/name/address/heartbeat_ms/members; members
 * the other nodes, sorted by name). Resolves with the body.
 */
export async function getCluster(node) {
  const view = expectJson(await node.api.get('/api/cluster'), 200);
  const where = `on ${node.clusterName ?? node.baseUrl}`;
  assert.equal(typeof view.enabled, 'boolean', `enabled ${where}: ${JSON.stringify(view)}`);
  assert.ok(Array.isArray(view.members), `members is a list ${where}: ${JSON.stringify(view)}`);
  if (!view.enabled) return view;
  assert.deepEqual(Object.keys(view).sort(), TOP_KEYS, `/api/cluster keys ${where}: ${JSON.stringify(view)}`);
  for (const m of view.members) checkMember(m, where);
  const named = view.members.filter((m) => m.name !== null).map((m) => m.name);
  assert.deepEqual(named, [...named].sort(), `members sorted by name ${where}: ${JSON.stringify(view)}`);
  assert.ok(!named.includes(view.name), `members lists the other nodes only ${where}: ${JSON.stringify(view)}`);
  return view;
}

/** The members of `view` called `name`. */
export function membersNamed(view, name) {
  return view.members.filter((m) => m.name === name);
}

/**
 * Waits until every node shows every other one "up" at its cluster
 * address; resolves with the views, one per node.
 */
export async function waitForMesh(nodes, { timeoutMs = 20000 } = {}) {
  return eventually(
    async () => {
      const views = await Promise.all(nodes.map((n) => getCluster(n)));
      const ok = nodes.every((n, i) =>
        nodes.every(
          (other) =>
            other === n ||
            views[i].members.some((m) => m.name === other.clusterName && m.address === other.clusterAddress && m.state === 'up'),
        ),
      );
      return ok ? views : notYet(views.map((v, i) => ({ on: nodes[i].clusterName, members: v.members })));
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * Polls node's /api/cluster until member `name` is in `state` (and, when
 * given, has `address`); resolves with {member, elapsedMs} where elapsedMs
 * counts from `since` (a Date.now() value, default: the call).
 */
export async function waitMemberState(node, name, state, { address, since = Date.now(), timeoutMs = 15000, intervalMs = 50 } = {}) {
  const member = await eventually(
    async () => {
      const view = await getCluster(node);
      const found = membersNamed(view, name);
      const m = found.find((x) => x.state === state && (address === undefined || x.address === address));
      return m || notYet({ on: node.clusterName, members: view.members });
    },
    { timeoutMs, intervalMs },
  );
  return { member, elapsedMs: Date.now() - since };
}

/** The clusterupdate frame for member `node` in `state`, as ttmnotify sends it. */
export function clusterUpdate(node, state) {
  return { cmd: 'clusterupdate', name: node.clusterName, address: node.clusterAddress, state };
}

/** POST /api/messages on `node`: resolves with {status, body}. */
export async function postMessage(node, body) {
  const reply = await node.api.post('/api/messages', body);
  return { status: reply.status, body: reply.json, reply };
}

/** Sends `signal` to a node's process when it still runs; ignores a gone one. */
export function signal(node, sig) {
  try {
    if (node && node.running) process.kill(node.pid, sig);
  } catch {
    // gone already
  }
}

/**
 * Disposes nodes (a stopped one is continued first, so that SIGTERM can
 * reach it) and throws the first failure after all were tried.
 */
export async function disposeAll(nodes) {
  const live = nodes.filter(Boolean);
  for (const n of live) signal(n, 'SIGCONT');
  const results = await Promise.allSettled(live.map((n) => n.dispose()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
