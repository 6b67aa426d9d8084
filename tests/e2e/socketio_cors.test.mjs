// Cross-origin access to the Socket.IO listener (socketio.cors-origins):
// browser pages from an allowed origin get the CORS headers on polling
// answers and a preflight answer; other origins get none, as with Node's
// `cors` option. docs/socketio.md.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { eioUrl, httpRequest } from './lib/eio.mjs';
import { REFERENCE, startRelay } from './lib/sio_servers.mjs';

const ALLOWED = 'http://app.example';

describe('Socket.IO CORS', { skip: REFERENCE && 'signalbox option only', concurrency: true }, () => {
  let relay;
  before(async () => {
    relay = await startRelay({ options: { 'cors-origins': JSON.stringify([ALLOWED]) } });
  });
  after(() => relay?.stop());

  const handshake = () => eioUrl(relay.url, '/socket.io/', { EIO: '4', transport: 'polling' });

  test('an allowed origin gets the CORS headers on a polling answer', async () => {
    const answer = await httpRequest(handshake(), { headers: { Origin: ALLOWED } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(answer.headers['access-control-allow-credentials'], 'true');
    assert.match(answer.body, /^0\{"sid":/);
  });

  test('a preflight from an allowed origin is answered 204 with methods and headers', async () => {
    const answer = await httpRequest(handshake(), {
      method: 'OPTIONS',
      headers: { Origin: ALLOWED, 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(answer.status, 204);
    assert.equal(answer.headers['access-control-allow-origin'], ALLOWED);
    assert.match(answer.headers['access-control-allow-methods'], /POST/);
    assert.equal(answer.headers['access-control-allow-headers'], 'content-type');
  });

  test('another origin gets no CORS headers, and its preflight is a bad handshake', async () => {
    const answer = await httpRequest(handshake(), { headers: { Origin: 'http://evil.example' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['access-control-allow-origin'], undefined);
    const preflight = await httpRequest(handshake(), {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example' },
    });
    assert.equal(preflight.status, 400);
    assert.deepEqual(preflight.json, { code: 2, message: 'Bad handshake method' });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });
});
