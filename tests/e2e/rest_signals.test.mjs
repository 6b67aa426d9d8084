// GET /api/signals and /api/signals/{name}: the RTOC signals over REST, as
// the dashboard plots them. The RTOC mirror makes every GPIO line a signal
// gpio.<line>, so driving a line over REST makes samples to read.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectError, expectJson } from './lib/http.mjs';
import { SignalboxNode } from './lib/node.mjs';
import { eventually, notYet } from './lib/wait.mjs';

const config = renderConfig({
  gpio: { backend: 'simulated', lines: [{ name: 'relay-a', direction: 'output' }] },
});

describe('GET /api/signals', () => {
  let node;
  let api;

  before(async () => {
    node = await SignalboxNode.start({ config });
    api = node.api;
  });
  after(() => node?.dispose());

  test('lists the mirrored signals with their latest sample', async () => {
    for (const value of [1, 0, 1]) expectJson(await api.put('/api/gpios/relay-a', { value }), 200);
    const relay = await eventually(async () => {
      const list = expectJson(await api.get('/api/signals'), 200);
      const s = list.find((x) => x.name === 'gpio.relay-a');
      return s && s.latest && s.latest[1] === 1 && s.samples >= 3 ? s : notYet(list);
    });
    assert.deepEqual(Object.keys(relay).sort(), ['latest', 'name', 'samples', 'unit']);
    assert.ok(Math.abs(relay.latest[0] - Date.now() / 1000) < 60, `latest x ${relay.latest[0]}`);
  });

  test('reads a window after since, oldest first, thinned to limit', async () => {
    const all = expectJson(await api.get('/api/signals/gpio.relay-a'), 200);
    assert.equal(all.name, 'gpio.relay-a');
    assert.equal(all.x.length, all.y.length);
    assert.ok(all.x.length >= 3);
    for (let i = 1; i < all.x.length; i++) assert.ok(all.x[i] >= all.x[i - 1], 'x goes forward');
    const last = all.x[all.x.length - 1];
    const news = expectJson(await api.get(`/api/signals/gpio.relay-a?since=${last}`), 200);
    assert.deepEqual(news.x, [], 'since is exclusive: nothing after the last sample');
    const some = expectJson(await api.get(`/api/signals/gpio.relay-a?since=${all.x[0]}`), 200);
    assert.deepEqual(some.x, all.x.slice(1));
    assert.deepEqual(some.y, all.y.slice(1));
    const thin = expectJson(await api.get('/api/signals/gpio.relay-a?limit=1'), 200);
    assert.equal(thin.x.length, 1);
  });

  test('refuses bad queries and unknown signals', async () => {
    expectError(await api.get('/api/signals/gpio.relay-a?limit=0'), 400);
    expectError(await api.get('/api/signals/gpio.relay-a?since=soon'), 400);
    const missing = expectError(await api.get('/api/signals/no.such'), 404);
    assert.match(missing, /no signal named 'no\.such'/);
  });
});

describe('GET /api/signals with an RTOC password, and without RTOC', () => {
  test('needs the password as the bearer token', async (t) => {
    const node = await SignalboxNode.start({ config, args: ['--rtoc.password=s3cret'] });
    t.after(() => node.dispose());
    const refused = await node.api.get('/api/signals');
    expectError(refused, 401);
    assert.match(refused.headers.get('www-authenticate'), /^Bearer/);
    expectError(await node.api.get('/api/signals', { token: 'wrong' }), 401);
    expectJson(await node.api.get('/api/signals', { token: 's3cret' }), 200);
    expectJson(await node.api.get('/api/gpios'), 200); // the rest of the API is unaffected
  });

  test('is 404 when RTOC is disabled', async (t) => {
    const node = await SignalboxNode.start({ config, args: ['--rtoc.enabled=false'] });
    t.after(() => node.dispose());
    expectError(await node.api.get('/api/signals'), 404);
  });
});
