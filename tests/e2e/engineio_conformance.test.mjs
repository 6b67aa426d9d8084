// The official Engine.IO protocol suite (socketio/engine.io-protocol,
// test-suite/), case by case (24), against the conformance server's
// Engine.IO echo on /engine.io/: the handshake, heartbeat, close and upgrade
// cases it shares with the Socket.IO suite (lib/eio_cases.mjs) and its
// message cases. docs/socketio.md. SIO_REFERENCE=1 runs it
// against Node.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { expectEioErrorCode, expectPollingAnswer, openWebSocketSession, PollingSession } from './lib/eio.mjs';
import { engineIoCases } from './lib/eio_cases.mjs';
import { REFERENCE, SERVER_KIND, startConformance } from './lib/sio_servers.mjs';

const PATH = '/engine.io/';

let server;
before(async () => {
  server = await startConformance();
});
after(() => server?.stop());

/** The upgrade tests' proof that the session works over WebSocket. */
async function roundTrip(ws, text) {
  await ws.send(`4${text}`);
  await ws.expect(`4${text}`);
}

describe(`Engine.IO protocol suite on ${SERVER_KIND}`, { concurrency: true }, () => {
  engineIoCases({ server: () => server, path: PATH, roundTrip });

  describe('message', { concurrency: true }, () => {
    describe('HTTP long-polling', { concurrency: true }, () => {
      const echoes = [
        ['one plain text packet', '4hello'],
        ['several plain text packets', '4test1\x1e4test2\x1e4test3'],
        ['plain text and binary packets', '4hello\x1ebAQIDBA=='],
      ];
      for (const [what, payload] of echoes) {
        test(`sends and receives a payload containing ${what} (${JSON.stringify(payload)})`, async () => {
          const session = await PollingSession.open(server.url, PATH);
          await session.send(payload);
          // Everything queued comes in one answer.
          assert.equal(expectPollingAnswer(await session.get()), payload);
        });
      }

      test('closes the session upon invalid packet format (POST abc: 400, then 400)', async () => {
        const session = await PollingSession.open(server.url, PATH);
        const answer = await session.post('abc');
        // signalbox refuses the body (docs/socketio.md). Node's engine.io 6.6
        // answers the POST `ok` and then closes the session on the decoded
        // error packet; the official suite accepts both.
        assert.equal(answer.status, REFERENCE ? 200 : 400, `${answer}`);
        expectEioErrorCode(await session.get(), 1);
      });

      test('closes the session upon duplicate poll requests (1st GET -> 1, 2nd -> 400, then 400)', async () => {
        const session = await PollingSession.open(server.url, PATH);
        const first = session.get();
        // The first GET is on the wire before the second starts.
        await first.flushed;
        const second = await session.get({ query: { t: 'burst' } });
        assert.equal(second.status, 400, `${second}`);
        assert.equal(expectPollingAnswer(await first), '1');
        expectEioErrorCode(await session.get(), 1);
      });
    });

    describe('WebSocket', { concurrency: true }, () => {
      test('sends and receives a plain text packet (4hello)', async () => {
        const { ws } = await openWebSocketSession(server.url, PATH, { autoPong: true });
        await ws.send('4hello');
        await ws.expect('4hello');
        ws.close();
      });

      test('sends and receives a binary packet (binary frame 01 02 03 04)', async () => {
        const { ws } = await openWebSocketSession(server.url, PATH, { autoPong: true });
        await ws.send(Uint8Array.from([1, 2, 3, 4]));
        await ws.expect([1, 2, 3, 4]);
        ws.close();
      });

      test('closes the session upon invalid packet format (abc: closed)', async () => {
        const { ws } = await openWebSocketSession(server.url, PATH, { autoPong: true });
        await ws.send('abc');
        await ws.closed();
        assert.deepEqual(ws.unread, []);
      });
    });
  });
});
