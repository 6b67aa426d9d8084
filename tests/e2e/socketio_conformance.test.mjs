// The official Socket.IO protocol suite (socketio/socket.io-protocol,
// test-suite/), case by case, against the conformance server on
// /socket.io/: its Engine.IO part (16 cases, lib/eio_cases.mjs) and its
// Socket.IO part (16). Frames are compared exactly.
// docs/socketio.md. SIO_REFERENCE=1 runs it against Node.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { openWebSocketSession } from './lib/eio.mjs';
import { engineIoCases } from './lib/eio_cases.mjs';
import { SERVER_KIND, startConformance } from './lib/sio_servers.mjs';

const PATH = '/socket.io/';
const CONNECT_TIMEOUT = 1000;

let server;
before(async () => {
  server = await startConformance();
});
after(() => server?.stop());

/** Asserts a CONNECT answer `40<nsp>{"sid":..}`; returns the Socket.IO sid. */
function expectConnectAnswer(frame, nspPrefix, eioSid) {
  assert.ok(frame.startsWith(`40${nspPrefix}`), `CONNECT answer: ${JSON.stringify(frame)}`);
  const data = JSON.parse(frame.slice(2 + nspPrefix.length));
  assert.deepEqual(Object.keys(data), ['sid'], `CONNECT answer: ${frame}`);
  assert.equal(typeof data.sid, 'string');
  assert.ok(data.sid.length > 0);
  assert.notEqual(data.sid, eioSid, 'the Socket.IO sid must differ from the Engine.IO sid');
  return data.sid;
}

/**
 * A WebSocket session connected to `/` (CONNECT answer and the `auth`
 * packet taken). `autoPong` as in EioWebSocket.
 */
async function connectedSocket({ autoPong = true } = {}) {
  const { ws, open } = await openWebSocketSession(server.url, PATH, { autoPong });
  await ws.send('40');
  expectConnectAnswer(await ws.next(), '', open.sid);
  await ws.expect('42["auth",{}]');
  return ws;
}

// Sessions already connected to `/` by roundTrip.
const connected = new WeakSet();

/** The upgrade tests' proof that the session works over WebSocket. */
async function roundTrip(ws, text) {
  if (!connected.has(ws)) {
    await ws.send('40');
    expectConnectAnswer(await ws.next(), '', undefined);
    await ws.expect('42["auth",{}]');
    connected.add(ws);
  }
  await ws.send(`42["message",${JSON.stringify(text)}]`);
  await ws.expect(`42["message-back",${JSON.stringify(text)}]`);
}

describe(`Socket.IO protocol suite on ${SERVER_KIND}`, { concurrency: true }, () => {
  describe('Engine.IO protocol', { concurrency: true }, () => {
    engineIoCases({ server: () => server, path: PATH, roundTrip });
  });

  describe('Socket.IO protocol', { concurrency: true }, () => {
    describe('connect', { concurrency: true }, () => {
      const cases = [
        ['allows connection to the main namespace', '40', '', '42["auth",{}]'],
        ['allows connection to the main namespace with a payload', '40{"token":"123"}', '', '42["auth",{"token":"123"}]'],
        ['allows connection to a custom namespace', '40/custom,', '/custom,', '42/custom,["auth",{}]'],
        [
          'allows connection to a custom namespace with a payload',
          '40/custom,{"token":"abc"}',
          '/custom,',
          '42/custom,["auth",{"token":"abc"}]',
        ],
      ];
      for (const [name, connect, nspPrefix, auth] of cases) {
        test(`${name} (${connect})`, async () => {
          const { ws, open } = await openWebSocketSession(server.url, PATH, { autoPong: true });
          await ws.send(connect);
          expectConnectAnswer(await ws.next(), nspPrefix, open.sid);
          await ws.expect(auth);
          ws.close();
        });
      }

      test('disallows connection to an unknown namespace (44/random,{"message":"Invalid namespace"})', async () => {
        const { ws, open } = await openWebSocketSession(server.url, PATH, { autoPong: true });
        await ws.send('40/random');
        await ws.expect('44/random,{"message":"Invalid namespace"}');
        // The connection stays open: the main namespace still connects.
        await ws.send('40');
        expectConnectAnswer(await ws.next(), '', open.sid);
        ws.close();
      });

      test('disallows connection with an invalid handshake (4abc: closed)', async () => {
        // Pings are answered: only the bad packet can close the connection.
        const { ws } = await openWebSocketSession(server.url, PATH, { autoPong: true });
        await ws.send('4abc');
        await ws.closed();
        assert.deepEqual(ws.unread, []);
      });

      test('closes the connection if no handshake is received (connect timeout)', async () => {
        const start = Date.now();
        // Pings are answered: it is the connect timeout that closes.
        const { ws } = await openWebSocketSession(server.url, PATH, { autoPong: true });
        await ws.closed(CONNECT_TIMEOUT + 3000);
        const elapsed = Date.now() - start;
        assert.ok(elapsed >= CONNECT_TIMEOUT - 50, `closed after ${elapsed} ms, before the connect timeout`);
        assert.ok(ws.pings >= 2, `the heartbeat ran meanwhile (${ws.pings} pings)`);
        assert.deepEqual(ws.unread, []);
      });
    });

    describe('disconnect', { concurrency: true }, () => {
      test('disconnects from the main namespace (41: the next frame is a ping)', async () => {
        const ws = await connectedSocket({ autoPong: false });
        await ws.send('41');
        // The Engine.IO session outlives the namespace: it keeps pinging.
        await ws.expect('2');
        await ws.send('3');
        await ws.expect('2');
        ws.close();
      });

      test('connects then disconnects from a custom namespace (40/custom, 41/custom; / still works)', async () => {
        const ws = await connectedSocket();
        await ws.send('40/custom');
        expectConnectAnswer(await ws.next(), '/custom,', undefined);
        await ws.expect('42/custom,["auth",{}]');
        await ws.send('41/custom');
        await ws.send('42["message","message to main namespace"]');
        await ws.expect('42["message-back","message to main namespace"]');
        ws.close();
      });
    });

    describe('message', { concurrency: true }, () => {
      test('sends a plain-text packet', async () => {
        const ws = await connectedSocket();
        await ws.send('42["message",1,"2",{"3":[true]}]');
        await ws.expect('42["message-back",1,"2",{"3":[true]}]');
        ws.close();
      });

      test('sends a packet with binary attachments (452-)', async () => {
        const ws = await connectedSocket();
        await ws.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
        await ws.send(Uint8Array.from([1, 2, 3]));
        await ws.send(Uint8Array.from([4, 5, 6]));
        await ws.expect('452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
        await ws.expect([1, 2, 3]);
        await ws.expect([4, 5, 6]);
        ws.close();
      });

      test('sends a plain-text packet with an ack (42456 -> 43456)', async () => {
        const ws = await connectedSocket();
        await ws.send('42456["message-with-ack",1,"2",{"3":[false]}]');
        await ws.expect('43456[1,"2",{"3":[false]}]');
        ws.close();
      });

      test('sends a packet with binary attachments and an ack (452-789 -> 462-789)', async () => {
        const ws = await connectedSocket();
        await ws.send('452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
        await ws.send(Uint8Array.from([1, 2, 3]));
        await ws.send(Uint8Array.from([4, 5, 6]));
        await ws.expect('462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
        await ws.expect([1, 2, 3]);
        await ws.expect([4, 5, 6]);
        ws.close();
      });

      const invalid = [
        ['unknown packet type', '4abc'],
        ['invalid payload format', '42{}'],
        ['invalid ack id', '42abc["message-with-ack",1,"2",{"3":[false]}]'],
      ];
      for (const [what, frame] of invalid) {
        test(`closes the connection upon invalid format (${what}: ${frame})`, async () => {
          const ws = await connectedSocket();
          await ws.send(frame);
          await ws.closed();
          assert.deepEqual(ws.unread, []);
        });
      }
    });
  });
});
