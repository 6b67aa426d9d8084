// The Engine.IO test cases that the official protocol suites share: the
// Socket.IO suite runs them on /socket.io/, the Engine.IO suite on
// /engine.io/ (docs/socketio.md). Test names follow the
// checklist. The conformance server runs with pingInterval 300, pingTimeout
// 200 and maxPayload 1000000.
//
// What differs between the two paths is how a test proves that the session
// works over WebSocket after an upgrade: `roundTrip(ws, text)` sends a
// message with `text` and expects its echo (`4hello` on /engine.io/, a
// Socket.IO CONNECT and then `message`/`message-back` on /socket.io/).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  EioWebSocket,
  eioUrl,
  expectEioErrorCode,
  expectNoWebSocketSession,
  expectPollingAnswer,
  httpRequest,
  openWebSocketSession,
  parseOpenPacket,
  PollingSession,
} from './eio.mjs';
import { REFERENCE } from './sio_servers.mjs';

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const MAX_PAYLOAD = 1000000;

const OPEN_KEYS = ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades'];

/** Asserts the five keys and the values of the suites' open packet. */
function expectOpenPacket(open, upgrades) {
  assert.deepEqual(Object.keys(open).sort(), OPEN_KEYS, JSON.stringify(open));
  assert.equal(typeof open.sid, 'string');
  // The clients put the sid into URLs unescaped: base64url like Node's.
  assert.match(open.sid, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(open.upgrades, upgrades);
  assert.equal(open.pingInterval, PING_INTERVAL);
  assert.equal(open.pingTimeout, PING_TIMEOUT);
  assert.equal(open.maxPayload, MAX_PAYLOAD);
}

/**
 * Upgrades a new polling session to WebSocket up to the `3probe` answer:
 * resolves with {session, ws}.
 */
async function probeUpgrade(base, path) {
  const session = await PollingSession.open(base, path);
  const ws = await EioWebSocket.connect(session.upgradeUrl, { autoPong: true, label: 'upgrade' });
  await ws.send('2probe');
  await ws.expect('3probe');
  return { session, ws };
}

/**
 * Defines the handshake, heartbeat, close and upgrade tests on `path`.
 * `server()` returns the running server ({url, wsUrl}).
 */
export function engineIoCases({ server, path, roundTrip }) {
  const base = () => server().url;
  const url = (query) => eioUrl(base(), path, query);
  const wsUrl = (query) => eioUrl(server().wsUrl, path, query);

  describe('handshake', { concurrency: true }, () => {
    describe('HTTP long-polling', { concurrency: true }, () => {
      test('opens a session', async () => {
        const answer = await httpRequest(url({ EIO: 4, transport: 'polling' }));
        const body = expectPollingAnswer(answer);
        assert.ok(!body.includes('\x1e'), `one packet only: ${answer}`);
        expectOpenPacket(parseOpenPacket(body), ['websocket']);
      });

      test("fails with an invalid 'EIO' query parameter (missing or abc: 400)", async () => {
        expectEioErrorCode(await httpRequest(url({ transport: 'polling' })), 5);
        expectEioErrorCode(await httpRequest(url({ EIO: 'abc', transport: 'polling' })), 5);
      });

      test("fails with an invalid 'transport' query parameter (missing or abc: 400)", async () => {
        expectEioErrorCode(await httpRequest(url({ EIO: 4 })), 0);
        expectEioErrorCode(await httpRequest(url({ EIO: 4, transport: 'abc' })), 0);
      });

      test('fails with an invalid request method (POST/PUT without sid: 400)', async () => {
        for (const method of ['POST', 'PUT'])
          expectEioErrorCode(await httpRequest(url({ EIO: 4, transport: 'polling' }), { method, body: '' }), 2);
      });
    });

    describe('WebSocket', { concurrency: true }, () => {
      test('opens a session (upgrades [])', async () => {
        const { ws, open } = await openWebSocketSession(base(), path);
        expectOpenPacket(open, []);
        ws.close();
      });

      test("fails with an invalid 'EIO' query parameter (closed)", async () => {
        await expectNoWebSocketSession(wsUrl({ transport: 'websocket' }));
        await expectNoWebSocketSession(wsUrl({ EIO: 'abc', transport: 'websocket' }));
      });

      test("fails with an invalid 'transport' query parameter (closed)", async () => {
        await expectNoWebSocketSession(wsUrl({ EIO: 4 }));
        await expectNoWebSocketSession(wsUrl({ EIO: 4, transport: 'abc' }));
      });
    });
  });

  describe('heartbeat', { concurrency: true }, () => {
    describe('HTTP long-polling', { concurrency: true }, () => {
      test('sends ping/pong packets (3x GET -> 2, POST 3)', async () => {
        const session = await PollingSession.open(base(), path);
        for (let i = 0; i < 3; ++i) {
          assert.deepEqual(await session.receive(), ['2'], `ping ${i + 1}`);
          await session.send('3');
        }
      });

      test('closes the session upon ping timeout', async () => {
        const session = await PollingSession.open(base(), path);
        // The held GET gets the ping; nobody answers it.
        assert.deepEqual(await session.receive(), ['2']);
        // The next GET is held until the pong timeout closes the session:
        // it is answered with the close packet.
        assert.deepEqual(await session.receive(), ['1']);
        expectEioErrorCode(await session.get(), 1);
      });
    });

    describe('WebSocket', { concurrency: true }, () => {
      test('sends ping/pong packets (3x 2 -> 3)', async () => {
        const { ws } = await openWebSocketSession(base(), path);
        for (let i = 0; i < 3; ++i) {
          await ws.expect('2');
          await ws.send('3');
        }
        ws.close();
      });

      test('closes the session upon ping timeout', async () => {
        const { ws } = await openWebSocketSession(base(), path);
        await ws.expect('2');
        await ws.closed(PING_INTERVAL + PING_TIMEOUT + 2000);
        assert.deepEqual(ws.unread, []);
      });
    });
  });

  describe('close', { concurrency: true }, () => {
    test('HTTP long-polling: forcefully closes the session (POST 1 -> pending GET 6, then 400)', async () => {
      const session = await PollingSession.open(base(), path);
      const poll = session.get();
      // The GET is on the wire before the POST starts: the server has it
      // pending when the close arrives.
      await poll.flushed;
      await session.send('1');
      assert.equal(expectPollingAnswer(await poll), '6');
      expectEioErrorCode(await session.get(), 1);
    });

    // Node's engine.io 6.6 ignores a close packet over WebSocket (only its
    // polling transport handles it); the official suite passes there only
    // because its client never answers a ping. Pings are answered here, so
    // this tests the close packet itself, which docs/socketio.md requires.
    const closeIgnoredByNode = REFERENCE && 'the Node server ignores a client close packet over WebSocket';
    test('WebSocket: forcefully closes the session (client 1 -> closed)', { skip: closeIgnoredByNode }, async () => {
      const { ws } = await openWebSocketSession(base(), path, { autoPong: true });
      await ws.send('1');
      await ws.closed();
      assert.deepEqual(ws.unread, []);
    });
  });

  describe('upgrade', { concurrency: true }, () => {
    test('successfully upgrades from HTTP long-polling to WebSocket (2probe, 3probe, GET -> 6, 5)', async () => {
      const { session, ws } = await probeUpgrade(base(), path);
      // A GET during the upgrade is released with a noop at once.
      assert.deepEqual(await session.receive(), ['6']);
      await ws.send('5');
      await roundTrip(ws, 'hello');
      ws.close();
    });

    test('ignores HTTP requests with same sid after upgrade (400)', async () => {
      const { session, ws } = await probeUpgrade(base(), path);
      await ws.send('5');
      // An answer over the WebSocket proves that the server took the 5.
      await roundTrip(ws, 'before');
      expectEioErrorCode(await session.get(), 3);
      await roundTrip(ws, 'after');
      ws.close();
    });

    test('ignores WebSocket connection with same sid after upgrade (101, then closed)', async () => {
      const { session, ws } = await probeUpgrade(base(), path);
      await ws.send('5');
      await roundTrip(ws, 'before');
      // Not an HTTP error: the official suite's socket has no error handler.
      const second = await EioWebSocket.connect(session.upgradeUrl, { label: 'second' });
      await second.closed();
      assert.deepEqual(second.unread, []);
      await roundTrip(ws, 'after');
      ws.close();
    });
  });
}
