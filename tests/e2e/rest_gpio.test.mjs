// The GPIO routes of the REST API with the simulated backend: listing,
// reading, writing outputs, refusing writes to inputs, driving simulated
// inputs, and the gpioupdate frames that follow.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectError, expectJson } from './lib/http.mjs';
import { SignalboxNode } from './lib/node.mjs';

const DEBOUNCE_MS = 20;

const config = renderConfig({
  gpio: {
    backend: 'simulated',
    lines: [
      { name: 'relay-a', direction: 'output' },
      { name: 'relay-b', direction: 'output', initial: 1 },
      { name: 'lamp-inverted', direction: 'output', 'active-low': true },
      { name: 'button-1', direction: 'input', 'debounce-ms': DEBOUNCE_MS },
      { name: 'door-sensor', direction: 'input' },
    ],
  },
});

/** The fields the note promises, as a comparable object. */
function core(line) {
  return { name: line.name, direction: line.direction, value: line.value, active_low: line.active_low };
}

describe('REST /api/gpios (simulated backend)', () => {
  let node;
  let api;

  before(async () => {
    node = await SignalboxNode.start({ config });
    api = node.api;
  });
  after(() => node?.dispose());

  test('GET /api/gpios lists every configured line in order with its fields', async () => {
    const list = expectJson(await api.get('/api/gpios'), 200);
    assert.ok(Array.isArray(list));
    assert.deepEqual(list.map(core), [
      { name: 'relay-a', direction: 'output', value: 0, active_low: false },
      { name: 'relay-b', direction: 'output', value: 1, active_low: false },
      { name: 'lamp-inverted', direction: 'output', value: 0, active_low: true },
      { name: 'button-1', direction: 'input', value: 0, active_low: false },
      { name: 'door-sensor', direction: 'input', value: 0, active_low: false },
    ]);
  });

  test('GET /api/gpios/{name} returns one line; unknown names are 404', async () => {
    const line = expectJson(await api.get('/api/gpios/relay-b'), 200);
    assert.deepEqual(core(line), { name: 'relay-b', direction: 'output', value: 1, active_low: false });
    const listed = expectJson(await api.get('/api/gpios'), 200).find((l) => l.name === 'relay-b');
    assert.deepEqual(line, listed, 'the line and its list entry agree');
    expectError(await api.get('/api/gpios/no-such-line'), 404);
    expectError(await api.put('/api/gpios/no-such-line', { value: 1 }), 404);
    expectError(await api.put('/api/sim/gpios/no-such-line', { value: 1 }), 404);
  });

  test('PUT on an output sets it (200 with the line) and broadcasts gpioupdate', async () => {
    const client = await node.connect();
    const line = expectJson(await api.put('/api/gpios/relay-a', { value: 1 }), 200);
    assert.deepEqual(core(line), { name: 'relay-a', direction: 'output', value: 1, active_low: false });
    assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'relay-a', value: 1 });
    assert.equal(expectJson(await api.get('/api/gpios/relay-a'), 200).value, 1);

    // Values are logical: an active-low line reads back what was written.
    const inverted = expectJson(await api.put('/api/gpios/lamp-inverted', { value: 1 }), 200);
    assert.equal(inverted.value, 1);
    assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'lamp-inverted', value: 1 });

    expectJson(await api.put('/api/gpios/relay-a', { value: 0 }), 200);
    assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'relay-a', value: 0 });
    assert.equal(expectJson(await api.get('/api/gpios/relay-a'), 200).value, 0);
  });

  test('PUT on an input is 409 and changes nothing', async () => {
    expectError(await api.put('/api/gpios/door-sensor', { value: 1 }), 409);
    expectError(await api.put('/api/gpios/button-1', { value: 1 }), 409);
    assert.equal(expectJson(await api.get('/api/gpios/door-sensor'), 200).value, 0);
  });

  test('a value other than the number 0 or 1 is 400', async () => {
    for (const body of [{ value: 2 }, { value: -1 }, { value: '1' }, { value: 0.5 }, { value: null }, {}, [1]])
      expectError(await api.put('/api/gpios/relay-a', body), 400);
    expectError(
      await api.request('PUT', '/api/gpios/relay-a', { body: '{"value":', headers: { 'content-type': 'application/json' } }),
      400,
    );
    expectError(await api.put('/api/sim/gpios/door-sensor', { value: 2 }), 400);
    assert.equal(expectJson(await api.get('/api/gpios/relay-a'), 200).value, 0);
  });

  test('PUT /api/sim/gpios/{input} drives the input: 200, gpioupdate, GET shows it', async () => {
    const client = await node.connect();
    expectJson(await api.put('/api/sim/gpios/door-sensor', { value: 1 }), 200);
    assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'door-sensor', value: 1 });
    assert.equal(expectJson(await api.get('/api/gpios/door-sensor'), 200).value, 1);

    expectJson(await api.put('/api/sim/gpios/door-sensor', { value: 0 }), 200);
    assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'door-sensor', value: 0 });
    assert.equal(expectJson(await api.get('/api/gpios/door-sensor'), 200).value, 0);
  });

  test('PUT /api/sim/gpios on an output is 409 (only inputs are driven from outside)', async () => {
    expectError(await api.put('/api/sim/gpios/relay-a', { value: 1 }), 409);
    assert.equal(expectJson(await api.get('/api/gpios/relay-a'), 200).value, 0);
  });

  test('a debounced simulated input settles to the new value and notifies once', async () => {
    const client = await node.connect();
    expectJson(await api.put('/api/sim/gpios/button-1', { value: 1 }), 200);
    assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'button-1', value: 1 });
    assert.equal(expectJson(await api.get('/api/gpios/button-1'), 200).value, 1);
    // Exactly one frame for the press: the next gpioupdate is the release.
    expectJson(await api.put('/api/sim/gpios/button-1', { value: 0 }), 200);
    assert.deepEqual(await client.next({ cmd: 'gpioupdate' }), { cmd: 'gpioupdate', gpio: 'button-1', value: 0 });
  });
});
