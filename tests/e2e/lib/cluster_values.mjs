// Helpers for the shared values across cluster nodes (docs/cluster.md,
// "Shared values: master and clones"): nodes started with
// `--cluster.master=<name>` on a data directory of the test's own (so that
// a node can be restarted on the same directory and the same cluster port),
// the REST calls on values with their contract checked, and the bounded
// waits for what the value lists show. No fixed sleeps: every wait polls an
// observable fact with a deadline and names what it saw when it fails.

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';

import { startClusterNode } from './cluster.mjs';
import { expectJson, expectStatus } from './http.mjs';
import { TempDir } from './node.mjs';
import { eventually, notYet } from './wait.mjs';

/** How long clones may take to show what the master committed. */
export const CONVERGE_TIMEOUT_MS = 10000;

const VALUE_KEYS = ['key', 'notify', 'persistent', 'provider', 'value'];

/** The exact 503 body of a write on a clone while master `master` is down. */
export function masterDownBody(master) {
  return {
    error: `the shared-value master ${master} is unreachable: writes are refused until it is back (reads still answer)`,
  };
}

/** The REST path of value `key`. */
export const valuePath = (key) => `/api/values/${encodeURIComponent(key)}`;

/**
 * Starts cluster node `name` sharing the values of `master`, on data
 * directory `dir` (a TempDir the caller owns and removes). `port` pins the
 * cluster port (a restart); without it the port is ephemeral. A restart
 * whose port differs from the one asked for, or that cannot start (the port
 * taken), fails with a message that says so.
 */
export async function startValueNode({ name, master, peers = [], dir, port, args = [] }) {
  const all = [`--cluster.master=${master}`, ...(port === undefined ? [] : [`--cluster.port=${port}`]), ...args];
  let node;
  try {
    // Later options override earlier ones: --cluster.port here wins over
    // the --cluster.port=0 of lib/cluster.mjs.
    node = await startClusterNode({ name, peers, dir, args: all });
  } catch (err) {
    if (port === undefined) throw err;
    throw new Error(`restart of ${name} on cluster port ${port} (same data directory) failed: ${err.message}`);
  }
  if (port !== undefined && node.clusterPort !== port) {
    const got = node.clusterPort;
    await node.dispose().catch(() => {});
    throw new Error(`restart of ${name} asked for cluster port ${port} but listens on ${got}`);
  }
  return node;
}

/** A fresh data directory (removed by the caller). */
export function dataDir() {
  return TempDir.create('signalbox-e2e-values-');
}

/** Checks one value object of the REST API. */
export function checkValue(v, where) {
  assert.deepEqual(Object.keys(v).sort(), VALUE_KEYS, `value keys ${where}: ${JSON.stringify(v)}`);
  assert.equal(typeof v.key, 'string', `key ${where}: ${JSON.stringify(v)}`);
  assert.equal(typeof v.value, 'string', `value ${where}: ${JSON.stringify(v)}`);
  assert.equal(typeof v.persistent, 'boolean', `persistent ${where}: ${JSON.stringify(v)}`);
  assert.equal(typeof v.notify, 'boolean', `notify ${where}: ${JSON.stringify(v)}`);
  assert.equal(typeof v.provider, 'string', `provider ${where}: ${JSON.stringify(v)}`);
}

/** GET /api/values on `node`: 200, a list of value objects in key order. */
export async function getValues(node) {
  const where = `on ${node.clusterName}`;
  const list = expectJson(await node.api.get('/api/values'), 200);
  assert.ok(Array.isArray(list), `GET /api/values ${where} is a list: ${JSON.stringify(list)}`);
  for (const v of list) checkValue(v, where);
  const keys = list.map((v) => v.key);
  assert.deepEqual(keys, [...keys].sort(), `GET /api/values ${where} is in key order`);
  return list;
}

/** GET /api/values/{key} on `node`: the value, or null on 404. */
export async function getValue(node, key) {
  const reply = await node.api.get(valuePath(key));
  if (reply.status === 404) return null;
  const v = expectJson(reply, 200);
  checkValue(v, `on ${node.clusterName}`);
  return v;
}

/**
 * PUT /api/values/{key} on `node` with `body` ({value, persistent, notify,
 * provider?}), expecting `status` (201 added, 200 updated); resolves with
 * the value object answered, checked against the body.
 */
export async function putValue(node, key, body, status) {
  const reply = await node.api.put(valuePath(key), body);
  const v = expectJson(reply, status);
  assert.deepEqual(v, valueOf(key, body), `PUT ${key} on ${node.clusterName} answers the value: ${reply}`);
  return v;
}

/** DELETE /api/values/{key} on `node`: 204 with no body. */
export async function deleteValue(node, key) {
  const reply = expectStatus(await node.api.delete(valuePath(key)), 204);
  assert.equal(reply.text, '', `DELETE ${key} on ${node.clusterName}: no body`);
}

/** The value object the API shows for a PUT of `body` (provider defaults to "api"). */
export function valueOf(key, { value, persistent, notify, provider = 'api' }) {
  return { key, value, persistent, notify, provider };
}

/** A list of value objects in key order (as GET /api/values answers). */
export function sorted(values) {
  return [...values].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/**
 * Polls GET /api/values on every node of `nodes` until each equals
 * `expected` (a list, or a function of nothing resolving with the list, read
 * again on every try: e.g. the master's own list); resolves with the lists.
 */
export async function waitValuesEqual(nodes, expected, { timeoutMs = CONVERGE_TIMEOUT_MS, label = '' } = {}) {
  return eventually(
    async () => {
      const want = typeof expected === 'function' ? await expected() : expected;
      const lists = await Promise.all(nodes.map((n) => getValues(n)));
      const ok = lists.every((l) => isDeepStrictEqual(l, want));
      return ok ? lists : notYet({ want, got: Object.fromEntries(nodes.map((n, i) => [n.clusterName, lists[i]])) });
    },
    {
      timeoutMs,
      intervalMs: 100,
      describe: (v) => `${label}GET /api/values equal on ${nodes.map((n) => n.clusterName).join(', ')}:\n${JSON.stringify(v, null, 1)}`,
    },
  );
}

/** A REST call, timed: resolves with {reply, ms}. */
export async function timed(call) {
  const started = Date.now();
  const reply = await call();
  return { reply, ms: Date.now() - started };
}
