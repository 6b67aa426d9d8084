// Clients that send faster than the node answers (issue 15, "Overload").
// Requests that wait for an actor queue per connection; at the bound
// (256 requests, or net.max-frame-bytes of them) the node stops reading the
// client and reads again once half is answered. So a burst far beyond the
// bound is slowed by TCP, not dropped: every request is answered, in order,
// on the same connection. (Before, such a client was disconnected at 256.)
// Shown for JMRI over raw TCP and WebSocket, RTOC, the realdds mirror's
// controls and the Socket.IO relay (WebSocket and polling), each with a
// burst written in one go.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';

import { io } from 'socket.io-client';
import WebSocket from 'ws';

import { JmriTcp, JmriWs } from './lib/jmri.mjs';
import { scrape, valueOf } from './lib/metrics.mjs';
import { startNode } from './lib/node.mjs';
import { connectMirror, replyTo } from './lib/realdds.mjs';

const BURST = 2000; // requests written at once: about 8 x the bound
const REPLY_TIMEOUT_MS = 20000;

/** Awaits `count` messages of `client` matching `match`, in order. */
async function takeAll(client, match, count) {
  const out = [];
  for (let i = 0; i < count; ++i) out.push(await client.next(match, REPLY_TIMEOUT_MS));
  return out;
}

async function assertNothingDropped(node, service, connections = 1) {
  const samples = (await scrape(node.port)).samples;
  const labels = { interface: service };
  assert.equal(valueOf(samples, 'signalbox_slow_consumer_closes_total', labels), 0, `${service}: no slow consumer`);
  assert.equal(valueOf(samples, 'signalbox_connections', labels), connections, `${service}: the clients are still connected`);
}

test('JMRI: a burst of waiting requests is answered in full, over TCP and WebSocket', async (t) => {
  const node = await startNode(t);
  const list = JSON.stringify({ type: 'client', method: 'list' });
  const transports = [
    ['jmri-tcp', async () => JmriTcp.connect(await node.portOf('jmri-tcp')), (c) => c.write(list.repeat(BURST))],
    ['jmri', async () => JmriWs.connect(await node.portOf('jmri')), (c) => { for (let i = 0; i < BURST; ++i) c.send(list); }],
  ];
  for (const [service, connect, burst] of transports) {
    const client = await connect();
    t.after(() => client.dispose());
    await client.next('hello');
    // With a client id, a list is an array (else JMRI's 404 error).
    client.send({ type: 'client', method: 'post', data: { client: service } });
    burst(client);
    const replies = await takeAll(client, Array.isArray, BURST);
    assert.deepEqual(new Set(replies.map((r) => JSON.stringify(r))), new Set([JSON.stringify([{ type: 'client', data: { client: service } }])]));
    // Besides the answers only the demo jobs' messages to registered clients.
    const others = client.items.filter((m) => m.type !== 'message');
    assert.deepEqual(others, [], `${service}: nothing but the answers`);
    client.send({ type: 'ping' });
    await client.next('pong');
    assert.equal(client.closed, null, `${service}: not disconnected`);
    await assertNothingDropped(node, service);
  }
});

test('RTOC: a burst of requests is answered in full and in order', async (t) => {
  const node = await startNode(t);
  const ws = new WebSocket(`ws://127.0.0.1:${await node.portOf('rtoc')}/`);
  t.after(() => ws.terminate());
  const replies = [];
  let closed = null;
  let waiter = null;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (!('error' in msg)) return; // a push (the demo's jobs write signals)
    replies.push(msg);
    if (waiter && replies.length >= BURST) waiter();
  });
  ws.on('close', (code) => { closed = code; });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  // getSignalList and getEventList alternate, so that order shows.
  for (let i = 0; i < BURST; ++i) ws.send(JSON.stringify(i % 2 ? { getEventList: true } : { getSignalList: true }));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${replies.length} of ${BURST} answers`)), REPLY_TIMEOUT_MS);
    waiter = () => { clearTimeout(timer); resolve(); };
    if (replies.length >= BURST) waiter();
  });
  replies.forEach((reply, i) => assert.ok(i % 2 ? 'events' in reply : 'signalList' in reply, `answer ${i}: ${JSON.stringify(reply)}`));
  assert.equal(closed, null, 'not disconnected');
  await assertNothingDropped(node, 'rtoc');
});

test('realdds mirror: a burst of controls is answered in full and in order', async (t) => {
  const node = await startNode(t);
  const client = await connectMirror(node);
  t.after(() => client.ws.terminate());
  const count = 500;
  const control = JSON.stringify({ id: 'query-option', 'option-name': 'no-such-option' });
  for (let i = 0; i < count; ++i) client.ws.send(control);
  client.controls = count;
  for (let sequence = 1; sequence <= count; ++sequence)
    await client.skipTo(replyTo('websocket', sequence), REPLY_TIMEOUT_MS, `the reply to control ${sequence}, after ${sequence - 1}`);
  assert.equal(client.closeInfo, null, 'not disconnected');
  await assertNothingDropped(node, 'realdds');
});

// The relay: `query` waits for the directory, so a burst of them fills the
// user's event queue; the node stops reading the WebSocket (or holds the
// polling POST) instead of disconnecting. Every query is answered and
// acknowledged, in order, and the user stays connected.
for (const transports of [['websocket'], ['polling']]) {
  test(`Socket.IO relay (${transports[0]}): a burst of waiting events is answered in full`, async (t) => {
    const node = await startNode(t);
    const url = `http://127.0.0.1:${await node.portOf('socketio')}`;
    const monitorId = crypto.randomBytes(16).toString('hex');
    const connect = () => {
      const socket = io(url, { forceNew: true, reconnection: false, transports });
      t.after(() => socket.disconnect());
      return socket;
    };
    const monitor = connect();
    await new Promise((resolve) => monitor.once('con ok', resolve).emit('con', { monitor_id: monitorId }));

    const user = connect();
    let disconnected = null;
    user.on('disconnect', (why) => { disconnected = why; });
    await new Promise((resolve) => user.once('connect', resolve));
    let oks = 0;
    user.on('query ok', () => { ++oks; });
    const count = 1000;
    const acks = [];
    for (let i = 0; i < count; ++i)
      acks.push(new Promise((resolve) => user.emit('query', { monitor_id: monitorId }, () => resolve(i))));
    const order = [];
    for (const ack of acks) ack.then((i) => order.push(i));
    let timer;
    await Promise.race([
      Promise.all(acks),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${order.length} of ${count} acks`)), REPLY_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.deepEqual(order, [...Array(count).keys()], 'acknowledged in order');
    assert.equal(oks, count, 'a query ok for each');
    assert.equal(disconnected, null, 'not disconnected');
    await assertNothingDropped(node, 'socketio', 2);
  });
}
