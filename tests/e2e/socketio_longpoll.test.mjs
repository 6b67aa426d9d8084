// A long-polling GET whose TCP connection closes (issue 15): the client is
// gone, so the Engine.IO session ends at once ("transport error"), as the
// Node server's "poll connection closed prematurely", instead of holding a
// connection and a session until the ping timeout (45 s by default).
// SIO_REFERENCE=1 runs it against the relay on Node's socket.io.

import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { after, before, test } from 'node:test';

import { expectEioErrorCode, PollingSession } from './lib/eio.mjs';
import { scrape, valueOf } from './lib/metrics.mjs';
import { startRelay } from './lib/sio_servers.mjs';
import { eventually } from './lib/wait.mjs';

const PATH = '/socket.io/';

let relay;
before(async () => {
  relay = await startRelay();
});
after(() => relay?.stop());

/** The node's open Socket.IO connections (signalbox only; null for Node). */
async function socketioConnections() {
  if (!relay.node) return null;
  const { samples } = await scrape(relay.node.port);
  return valueOf(samples, 'signalbox_connections', { interface: 'socketio' });
}

test('a parked polling GET whose connection closes ends its session', { timeout: 30000 }, async () => {
  const session = await PollingSession.open(relay.url, PATH);
  await session.send('40');
  await session.receive(); // the CONNECT answer: the next GET waits
  // Nothing left over from the set-up: every request above closed its
  // connection (Connection: close).
  if (relay.node) await eventually(async () => (await socketioConnections()) === 0);

  // The GET on a socket of our own, then gone while the node holds it.
  const url = new URL(session.url());
  const socket = net.connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
  if (relay.node) await eventually(async () => (await socketioConnections()) === 1);
  socket.destroy();

  // The node lets go of the connection at once (not at the ping timeout).
  if (relay.node) await eventually(async () => (await socketioConnections()) === 0);
  // And the session is over: its sid is unknown (code 1), not busy with
  // an orphaned GET (which would refuse this one as overlapping, code 3).
  await eventually(async () => {
    const answer = await session.get({ timeoutMs: 2000 });
    return answer.status === 400 ? answer : undefined;
  }).then((answer) => expectEioErrorCode(answer, 1));
});
