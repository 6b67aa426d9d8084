// The ttmnotify WebSocket as a client sees it (seed 000, docs/api.md):
// subprotocol negotiation, the exact frames of all four notification kinds,
// fan-out to several clients, and what happens to client frames.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectJson, expectStatus } from './lib/http.mjs';
import { SignalboxNode } from './lib/node.mjs';
import { tryHandshake } from './lib/ws.mjs';

const MAX_FRAME_BYTES = 1024;

const config = renderConfig({
  gpio: {
    backend: 'simulated',
    lines: [
      { name: 'relay-a', direction: 'output' },
      { name: 'relay-b', direction: 'output' },
      { name: 'door-sensor', direction: 'input' },
    ],
  },
  jobs: {
    definitions: [{ name: 'oneshot', command: ['/bin/true'], autostart: false }],
  },
});

describe('ttmnotify', () => {
  let node;
  let api;

  before(async () => {
    node = await SignalboxNode.start({ config, args: [`--net.max-frame-bytes=${MAX_FRAME_BYTES}`] });
    api = node.api;
  });
  after(() => node?.dispose());

  describe('subprotocol negotiation', () => {
    test('an offer of "ttmnotify" is accepted and answered with it', async () => {
      const r = await tryHandshake(node.wsUrl, 'ttmnotify');
      assert.deepEqual(r, { outcome: 'open', protocol: 'ttmnotify' });
    });

    test('"ttmnotify" is selected from a list of offers', async () => {
      const r = await tryHandshake(node.wsUrl, ['other', 'ttmnotify']);
      assert.deepEqual(r, { outcome: 'open', protocol: 'ttmnotify' });
    });

    test('an offer without "ttmnotify" is refused with HTTP 400', async () => {
      const r = await tryHandshake(node.wsUrl, 'other');
      assert.equal(r.outcome, 'refused', JSON.stringify(r));
      assert.equal(r.status, 400);
    });

    test('a client offering no subprotocol is accepted without one', async () => {
      const r = await tryHandshake(node.wsUrl, undefined);
      assert.deepEqual(r, { outcome: 'open', protocol: '' });
    });

    test('the path /ttmnotify works as well', async () => {
      const r = await tryHandshake(`${node.wsUrl}/ttmnotify`, 'ttmnotify');
      assert.deepEqual(r, { outcome: 'open', protocol: 'ttmnotify' });
    });
  });

  describe('notifications', () => {
    test('gpioupdate on each change of an output, not on a write of the same value', async () => {
      const client = await node.connect();
      expectJson(await api.put('/api/gpios/relay-a', { value: 1 }), 200);
      assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'relay-a', value: 1 });

      // Writing 1 again is no change. The next gpioupdate must be the one of
      // the following real change, so a duplicate would be caught here.
      expectJson(await api.put('/api/gpios/relay-a', { value: 1 }), 200);
      expectJson(await api.put('/api/gpios/relay-b', { value: 1 }), 200);
      assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'relay-b', value: 1 });

      expectJson(await api.put('/api/gpios/relay-a', { value: 0 }), 200);
      assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'relay-a', value: 0 });
      expectJson(await api.put('/api/gpios/relay-b', { value: 0 }), 200);
      assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'relay-b', value: 0 });
    });

    test('gpioupdate when a (simulated) input changes', async () => {
      const client = await node.connect();
      expectJson(await api.put('/api/sim/gpios/door-sensor', { value: 1 }), 200);
      assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'door-sensor', value: 1 });
      expectJson(await api.put('/api/sim/gpios/door-sensor', { value: 0 }), 200);
      assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'door-sensor', value: 0 });
    });

    test('dbchange added, updated and removed (with value "")', async () => {
      const client = await node.connect();
      const key = 'special-setting-A';
      const path = `/api/values/${key}`;
      expectJson(await api.put(path, { value: 'Some arbitrary setting', persistent: false, notify: true }), 201);
      assert.deepEqual(await client.next({ cmd: 'dbchange', key }), {
        cmd: 'dbchange',
        key,
        value: 'Some arbitrary setting',
        reason: 'added',
      });
      expectJson(await api.put(path, { value: 'blah', persistent: false, notify: true }), 200);
      assert.deepEqual(await client.next({ cmd: 'dbchange', key }), { cmd: 'dbchange', key, value: 'blah', reason: 'updated' });
      expectStatus(await api.delete(path), 204);
      assert.deepEqual(await client.next({ cmd: 'dbchange', key }), { cmd: 'dbchange', key, value: '', reason: 'removed' });
    });

    test('notify:false suppresses dbchange for adding, updating and removing', async () => {
      const client = await node.connect();
      const quiet = '/api/values/quiet-value';
      expectJson(await api.put(quiet, { value: 'a', persistent: false, notify: false }), 201);
      expectJson(await api.put(quiet, { value: 'b', persistent: false, notify: false }), 200);
      expectStatus(await api.delete(quiet), 204);
      // A notified change afterwards: it must be the first dbchange at all.
      expectJson(await api.put('/api/values/loud-value', { value: 'x', persistent: false, notify: true }), 201);
      assert.deepEqual(await client.next({ cmd: 'dbchange' }), {
        cmd: 'dbchange',
        key: 'loud-value',
        value: 'x',
        reason: 'added',
      });
    });

    test('refresh newjob and jobremoved', async () => {
      const client = await node.connect();
      const created = expectJson(
        await api.post('/api/jobs', { name: 'refresh-probe', command: ['/bin/true'], restart: 'no', autostart: false }),
        201,
      );
      assert.equal(typeof created.id, 'number');
      assert.deepEqual(await client.next({ cmd: 'refresh' }), { cmd: 'refresh', reason: 'newjob', jobid: created.id });
      expectStatus(await api.delete(`/api/jobs/${created.id}`), 204);
      assert.deepEqual(await client.next({ cmd: 'refresh' }), { cmd: 'refresh', reason: 'jobremoved', jobid: created.id });
    });

    test('updatejob for every status change: /bin/true goes 11, 10, 15', async () => {
      const client = await node.connect();
      expectJson(await api.post('/api/jobs/1/start'), 202);
      const frames = await client.nextN(3, { cmd: 'updatejob' });
      assert.deepEqual(frames, [
        { cmd: 'updatejob', jobid: 1, status: 11 },
        { cmd: 'updatejob', jobid: 1, status: 10 },
        { cmd: 'updatejob', jobid: 1, status: 15 },
      ]);
    });

    test('several clients receive the same frames in the same order', async () => {
      const clients = [
        await node.connect({ label: 'root' }),
        await node.connect({ path: '/ttmnotify', label: '/ttmnotify' }),
        await node.connect({ protocols: null, label: 'no subprotocol' }),
      ];
      expectJson(await api.put('/api/values/fan-out', { value: '1', persistent: false, notify: true }), 201);
      expectJson(await api.put('/api/gpios/relay-a', { value: 1 }), 200);
      expectStatus(await api.delete('/api/values/fan-out'), 204);
      expectJson(await api.put('/api/gpios/relay-a', { value: 0 }), 200);
      const expected = [
        { cmd: 'dbchange', key: 'fan-out', value: '1', reason: 'added' },
        { cmd: 'gpioupdate', gpio: 'relay-a', value: 1 },
        { cmd: 'dbchange', key: 'fan-out', value: '', reason: 'removed' },
        { cmd: 'gpioupdate', gpio: 'relay-a', value: 0 },
      ];
      const relevant = (m) => (m.cmd === 'dbchange' && m.key === 'fan-out') || m.cmd === 'gpioupdate';
      for (const client of clients) assert.deepEqual(await client.nextN(4, relevant), expected, client.label);
    });

    test('a change made right after the handshake reaches the new client', async () => {
      // A client may read the REST state right after connecting and then
      // rely on notifications: its subscription must be active by the time
      // the handshake completes.
      for (let i = 0; i < 10; ++i) {
        const client = await node.connect({ label: `early-${i}` });
        const key = `early-${i}`;
        expectJson(await api.put(`/api/values/${key}`, { value: String(i), persistent: false, notify: true }), 201);
        assert.deepEqual(await client.next({ cmd: 'dbchange', key }), { cmd: 'dbchange', key, value: String(i), reason: 'added' });
        client.close();
      }
    });
  });

  describe('client frames', () => {
    test('well-formed frames are ignored and the connection stays usable', async () => {
      const client = await node.connect();
      await client.send('hello');
      await client.send('{"cmd":"gpioupdate","gpio":"relay-a","value":1}');
      await client.send(Buffer.from([1, 2, 3]), { binary: true });
      await client.send('x'.repeat(MAX_FRAME_BYTES)); // exactly at the limit
      await client.ping('still-there');
      assert.ok(client.isOpen);
      // The client's gpioupdate-looking frame changed nothing (relay-a is
      // still 0) and a real change arrives as the very next frame.
      expectJson(await api.put('/api/values/after-client-frames', { value: 'v', persistent: false, notify: true }), 201);
      assert.deepEqual(await client.next(), { cmd: 'dbchange', key: 'after-client-frames', value: 'v', reason: 'added' });
      assert.equal(expectJson(await api.get('/api/gpios/relay-a'), 200).value, 0);
    });

    test('a frame over net.max-frame-bytes closes the connection with 1009', async () => {
      const client = await node.connect();
      await client.send('y'.repeat(MAX_FRAME_BYTES + 1000));
      const { code } = await client.waitClose();
      assert.equal(code, 1009);
      // Others are not affected.
      const other = await node.connect();
      await other.ping('other');
    });
  });
});
