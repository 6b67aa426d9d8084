// The JMRI JSON message service end to end: the real node, WebSocket /json/
// and the raw TCP stream, messages sent through REST and by a crashing job.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { renderConfig, raw } from './lib/config.mjs';
import { JmriTcp, JmriWs } from './lib/jmri.mjs';
import { SignalboxNode } from './lib/node.mjs';

const clients = [];
async function ws(node) {
  const c = await JmriWs.connect(await node.portOf('jmri'));
  clients.push(c);
  return c;
}
async function tcp(node) {
  const c = await JmriTcp.connect(await node.portOf('jmri-tcp'));
  clients.push(c);
  return c;
}
after(() => clients.forEach((c) => c.dispose()));

const HELLO_KEYS = ['JMRI', 'json', 'heartbeat', 'railroad', 'node', 'activeProfile'];

async function postMessage(node, body) {
  const res = await fetch(`${node.baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Subscribes `id` and proves the subscription took effect (success is silent). */
async function subscribe(client, id) {
  client.send({ type: 'client', method: 'put', data: { client: id } });
  client.send({ type: 'client', method: 'get', data: { client: id } });
  assert.deepEqual(await client.next('client'), { type: 'client', data: { client: id } });
}

describe('JMRI JSON service', () => {
  let node;
  test('starts with both JMRI listeners', async () => {
    node = await SignalboxNode.start({ config: renderConfig({ jobs: { definitions: raw('[]') } }) });
    assert.ok((await node.portOf('jmri')) > 0);
    assert.ok((await node.portOf('jmri-tcp')) > 0);
  });
  after(() => node && node.dispose());

  for (const [name, connect] of [['WebSocket', ws], ['TCP', tcp]]) {
    test(`${name}: the server speaks first with its hello`, async () => {
      const c = await connect(node);
      const hello = await c.next();
      assert.equal(hello.type, 'hello');
      assert.deepEqual(Object.keys(hello.data), HELLO_KEYS);
      assert.equal(hello.data.json, '5.1.0');
      assert.equal(hello.data.heartbeat, 13500);
      assert.equal(hello.data.activeProfile, null);
      assert.equal(hello.id, undefined);
    });

    test(`${name}: ping, list forms, errors with ids, goodbye closes`, async () => {
      const c = await connect(node);
      await c.next('hello');
      c.send({ type: 'ping', id: 5 });
      assert.deepEqual(await c.next(), { type: 'pong' });
      c.send({ type: 'hello', id: 4, data: { version: 'v5' } });
      assert.equal((await c.next('hello')).id, 4);
      c.send({ type: 'hello', data: { version: 'v4' } });
      assert.deepEqual(await c.next('error'), {
        type: 'error', data: { code: 404, message: 'Unknown object type v4 was requested.' },
      });
      c.send({ type: 'nonesuch', method: 'post', data: {}, id: 8 });
      assert.deepEqual(await c.next('error'), {
        type: 'error', data: { code: 404, message: 'Unknown object type nonesuch was requested.' }, id: 8,
      });
      c.send({ type: 'client', method: 'post', id: 2 });
      assert.deepEqual(await c.next('error'), {
        type: 'error', data: { code: 400, message: 'Data property of JSON message missing.' }, id: 2,
      });
      c.send({ type: 'client', method: 'list' });
      assert.deepEqual(await c.next('error'), {
        type: 'error', data: { code: 404, message: 'No client found for with this connection.' },
      });
      await subscribe(c, `${name}-x`);
      const expected = [{ type: 'client', data: { client: `${name}-x` } }];
      for (const form of [{ type: 'client', method: 'list' }, { type: 'list', list: 'client' }, { list: 'client' }]) {
        c.send(form);
        assert.deepEqual(await c.next((m) => Array.isArray(m)), expected);
      }
      c.send({ list: 'client', id: 9 });
      assert.deepEqual(await c.next('list'), { type: 'list', data: expected, id: 9 });
      c.send({ type: 'goodbye' });
      assert.deepEqual(await c.next('goodbye'), { type: 'goodbye' });
      await c.waitClose();
    });
  }

  test('malformed JSON is a 500 without an id; the connection stays usable', async () => {
    const c = await ws(node);
    await c.next('hello');
    c.send('{"type":');
    const err = await c.next('error');
    assert.equal(err.data.code, 500);
    assert.match(err.data.message, /^Unable to process JSON message with error: /);
    assert.equal(err.id, undefined);
    c.send({ type: 'ping' });
    await c.next('pong');
  });

  test('TCP: values back to back, split anywhere, answered in order', async () => {
    const c = await tcp(node);
    await c.next('hello');
    const text = '{"type":"ping"}{"type":"client","method":"put","data":{"client":"tcp-order"}}' +
      '  {"type":"client","method":"get","data":{"client":"tcp-order"}}\n{"type":"ping"}';
    for (const ch of text) c.write(ch);
    assert.deepEqual(await c.next(), { type: 'pong' });
    assert.deepEqual(await c.next(), { type: 'client', data: { client: 'tcp-order' } });
    assert.deepEqual(await c.next(), { type: 'pong' });
    // Replies are written with no delimiter between them.
    assert.match(c.raw, /\}\{"type":"pong"\}/);
  });

  test('client get without data makes a UUID, then lists the ids', async () => {
    const c = await ws(node);
    await c.next('hello');
    c.send({ type: 'client', method: 'get' });
    const first = await c.next('client');
    assert.match(first.data.client, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    c.send({ type: 'client', method: 'get' });
    assert.deepEqual(await c.next((m) => Array.isArray(m)), [first]);
  });

  test('a client id is unique across connections (409) and freed on close', async () => {
    const a = await ws(node);
    const b = await tcp(node);
    await a.next('hello');
    await b.next('hello');
    await subscribe(a, 'shared-id');
    b.send({ type: 'client', method: 'put', data: { client: 'shared-id' }, id: 3 });
    assert.deepEqual(await b.next('error'), {
      type: 'error', data: { code: 409, message: 'Client "client" is in use by another connection.' }, id: 3,
    });
    a.dispose();
    await a.waitClose();
    // Once the owner is gone the id is free; retry until the node noticed.
    let owned = false;
    for (let i = 0; i < 50 && !owned; ++i) {
      b.send({ type: 'client', method: 'put', data: { client: 'shared-id' } });
      b.send({ type: 'client', method: 'list' });
      const reply = await b.next((m) => Array.isArray(m) || m.type === 'error');
      owned = Array.isArray(reply) && reply.some((m) => m.data.client === 'shared-id');
    }
    assert.ok(owned, 'the id of a closed connection was never freed');
  });

  test('REST messages: one copy per subscribed id, targeted, unknown dropped', async () => {
    const fresh = await SignalboxNode.start({ config: renderConfig({ jobs: { definitions: raw('[]') } }) });
    try {
      const two = await JmriWs.connect(await fresh.portOf('jmri'));
      const one = await JmriTcp.connect(await fresh.portOf('jmri-tcp'));
      clients.push(two, one);
      await two.next('hello');
      await one.next('hello');
      await subscribe(two, 'p');
      await subscribe(two, 'q');
      await subscribe(one, 'r');
      const all = await postMessage(fresh, { message: 'to all', type: 'warning', context: { a: 1 } });
      assert.deepEqual(all, { status: 202, body: { delivered: 3 } });
      const frame = { type: 'message', data: { message: 'to all', context: { a: 1 }, type: 'warning', locale: 'en' } };
      assert.deepEqual(await two.next('message'), frame);
      assert.deepEqual(await two.next('message'), frame);
      assert.deepEqual(await one.next('message'), frame);
      const targeted = await postMessage(fresh, { message: 'just r', client: 'r', context: 'not an object' });
      assert.deepEqual(targeted, { status: 202, body: { delivered: 1 } });
      assert.deepEqual((await one.next('message')).data, { message: 'just r', context: null, type: 'info', locale: 'en' });
      assert.deepEqual(await postMessage(fresh, { message: 'nobody', client: 'zz' }), { status: 202, body: { delivered: 0 } });
      // Nothing else arrived at `two`: the next message it gets is a new broadcast.
      await postMessage(fresh, { message: 'last' });
      assert.equal((await two.next('message')).data.message, 'last');
      const bad = await postMessage(fresh, { message: 'x', type: 'loud' });
      assert.equal(bad.status, 400);
      assert.equal((await postMessage(fresh, { type: 'info' })).status, 400);
    } finally {
      await fresh.dispose();
    }
  });

  test('a crashing job is reported to JMRI clients as an error message', async () => {
    const c = await ws(node);
    await c.next('hello');
    await subscribe(c, 'jobs-watcher');
    const res = await fetch(`${node.baseUrl}/api/jobs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'segv', command: ['/bin/sh', '-c', 'kill -SEGV $$'] }),
    });
    assert.equal(res.status, 201);
    const job = await res.json();
    const crash = await c.next((m) => m.type === 'message' && m.data.type === 'error', 10000);
    assert.equal(crash.data.context.job.id, job.id);
    assert.equal(crash.data.context.job.status, 17);
    assert.equal(crash.data.context.job.signal, 11);
    assert.match(crash.data.message, /crashed/);
  });
});

describe('JMRI heartbeat', () => {
  test('a silent connection is closed after the heartbeat interval x 1.1', async (t) => {
    const node = await SignalboxNode.start({ args: ['--jmri.heartbeat-interval=400ms'] });
    t.after(() => node.dispose());
    // From before the connections: a hello that reaches a loaded machine
    // late must not make the node's timer look early (seen in CI).
    const started = Date.now();
    const w = await ws(node);
    const c = await tcp(node);
    assert.equal((await w.next('hello')).data.heartbeat, 360);
    await c.next('hello');
    await w.waitClose(5000);
    await c.waitClose(5000);
    assert.ok(Date.now() - started >= 440, 'closed before the idle timeout (1.1 x 400 ms)');
  });

  test('a client that pings at the announced heartbeat stays connected', async (t) => {
    // JMRI's margin is 0.2 x the interval (pings at 0.9, closes at 1.1): 1.5 s
    // leaves 300 ms for a loaded CI machine.
    const node = await SignalboxNode.start({ args: ['--jmri.heartbeat-interval=1500ms'] });
    t.after(() => node.dispose());
    const c = await ws(node);
    const hello = await c.next('hello');
    assert.equal(hello.data.heartbeat, 1350);
    // Like jquery.jmri.js: ping every `heartbeat` ms, over seven idle periods.
    for (let i = 0; i < 8; ++i) {
      await new Promise((resolve) => setTimeout(resolve, hello.data.heartbeat));
      c.send({ type: 'ping' });
      await c.next('pong');
    }
    assert.equal(c.closed, null);
  });
});

describe('JMRI shutdown', () => {
  test('SIGTERM says goodbye to JMRI clients on both transports', async (t) => {
    const node = await SignalboxNode.start({});
    t.after(() => node.dispose());
    const w = await ws(node);
    const c = await tcp(node);
    await w.next('hello');
    await c.next('hello');
    const stopped = node.stopCleanly();
    assert.deepEqual(await w.next('goodbye'), { type: 'goodbye' });
    assert.deepEqual(await c.next('goodbye'), { type: 'goodbye' });
    assert.equal((await w.waitClose()).code, 1001);
    await c.waitClose();
    await stopped;
  });
});
