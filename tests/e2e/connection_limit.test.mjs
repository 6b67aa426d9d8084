// net.max-connections (issue 15, "Overload"): a listener at its limit
// refuses the next connection at once (closed before any byte) and counts
// it, the connections inside the limit are served as before, and a freed
// slot is taken by the next client. Shown on JMRI's raw TCP port, where
// every connection is one client (the ttm port also carries this test's
// own HTTP requests).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { JmriTcp } from './lib/jmri.mjs';
import { scrape, valueOf } from './lib/metrics.mjs';
import { startNode } from './lib/node.mjs';
import { eventually } from './lib/wait.mjs';

const LIMIT = 3;

test('a listener at net.max-connections refuses the next client and serves the others', async (t) => {
  const node = await startNode(t, { args: [`--net.max-connections=${LIMIT}`] });
  const port = await node.portOf('jmri-tcp');
  const clients = [];
  t.after(() => clients.forEach((c) => c.dispose()));
  for (let i = 0; i < LIMIT; ++i) {
    const c = await JmriTcp.connect(port);
    clients.push(c);
    await c.next('hello');
  }

  // One more: accepted by the kernel, closed by the node without a word.
  const extra = await JmriTcp.connect(port);
  clients.push(extra);
  await extra.waitClose();
  assert.equal(extra.raw, '', 'a refused client gets no hello');

  const metrics = async () => (await scrape(node.port)).samples;
  const labels = { interface: 'jmri-tcp' };
  assert.equal(valueOf(await metrics(), 'signalbox_connections_refused_total', labels), 1);
  assert.equal(valueOf(await metrics(), 'signalbox_connections', labels), LIMIT);

  // The clients inside the limit are served as before.
  clients[0].send({ type: 'ping' });
  await clients[0].next('pong');

  // A slot freed is the next client's.
  clients[1].dispose();
  await eventually(async () => valueOf(await metrics(), 'signalbox_connections', labels) === LIMIT - 1);
  const next = await JmriTcp.connect(port);
  clients.push(next);
  await next.next('hello');
});
