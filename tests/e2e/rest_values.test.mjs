// The shared-value routes of the REST API and the API's general error
// handling (docs/api.md, "REST"): every route, status code and JSON
// error, URL-encoded keys, media types, size limits, methods, bearer tokens.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectError, expectJson, expectStatus, rawHttp, show } from './lib/http.mjs';
import { SignalboxNode } from './lib/node.mjs';

const MAX_BODY_BYTES = 4096;
const MAX_VALUE_BYTES = 2048;
const MAX_KEY_BYTES = 64;

// No jobs, no GPIO lines: only values matter here.
const config = renderConfig({ store: { sync: true } });

const path = (key) => `/api/values/${encodeURIComponent(key)}`;

function allowed(reply) {
  const allow = reply.headers.get('allow');
  assert.ok(allow, `405 without an Allow header: ${reply}`);
  return allow
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean)
    .sort();
}

describe('REST /api/values', () => {
  let node;
  let api;

  before(async () => {
    node = await SignalboxNode.start({
      config,
      args: [
        `--net.max-body-bytes=${MAX_BODY_BYTES}`,
        `--values.max-value-bytes=${MAX_VALUE_BYTES}`,
        `--values.max-key-bytes=${MAX_KEY_BYTES}`,
      ],
    });
    api = node.api;
  });
  after(() => node?.dispose());

  test('PUT adds (201) and updates (200); GET one and the list show it', async () => {
    const added = expectJson(await api.put(path('color'), { value: 'red', persistent: false, notify: true }), 201);
    assert.deepEqual(
      { key: added.key, value: added.value, persistent: added.persistent, notify: added.notify },
      { key: 'color', value: 'red', persistent: false, notify: true },
    );
    assert.equal(added.provider, 'api', 'provider defaults to "api" (docs/api.md)');

    const updated = expectJson(
      await api.put(path('color'), { value: 'green', persistent: false, notify: false, provider: 'e2e-tool' }),
      200,
    );
    assert.deepEqual(updated, { key: 'color', value: 'green', persistent: false, notify: false, provider: 'e2e-tool' });

    assert.deepEqual(expectJson(await api.get(path('color')), 200), updated);
    const list = expectJson(await api.get('/api/values'), 200);
    assert.ok(Array.isArray(list), 'GET /api/values returns an array');
    assert.deepEqual(
      list.filter((v) => v.key === 'color'),
      [updated],
    );
    for (const v of list)
      assert.deepEqual(Object.keys(v).sort(), ['key', 'notify', 'persistent', 'provider', 'value'], JSON.stringify(v));
  });

  test('DELETE removes (204, no body); then GET and DELETE answer 404', async () => {
    expectJson(await api.put(path('short-lived'), { value: 'x', persistent: false, notify: true }), 201);
    const deleted = expectStatus(await api.delete(path('short-lived')), 204);
    assert.equal(deleted.text, '');
    expectError(await api.get(path('short-lived')), 404);
    expectError(await api.delete(path('short-lived')), 404);
    const list = expectJson(await api.get('/api/values'), 200);
    assert.equal(list.filter((v) => v.key === 'short-lived').length, 0);
  });

  test('GET of an unknown key is 404', async () => {
    expectError(await api.get(path('never-written')), 404);
  });

  test('keys are URL-encoded in the path: "/", spaces, "%", "?", "#" and unicode', async () => {
    const client = await node.connect();
    for (const key of ['dir/sub key/ünïcödé €', '100% sure?#yes', 'emoji 🚂']) {
      const added = expectJson(await api.put(path(key), { value: `v of ${key}`, persistent: false, notify: true }), 201);
      assert.equal(added.key, key);
      assert.deepEqual(await client.next({ cmd: 'dbchange', key }), {
        cmd: 'dbchange',
        key,
        value: `v of ${key}`,
        reason: 'added',
      });
      assert.equal(expectJson(await api.get(path(key)), 200).value, `v of ${key}`);
      const list = expectJson(await api.get('/api/values'), 200);
      assert.equal(list.filter((v) => v.key === key).length, 1, `${key} listed once`);
      expectStatus(await api.delete(path(key)), 204);
      expectError(await api.get(path(key)), 404);
    }
  });

  test('values and flags of the wrong type are 400 and change nothing', async () => {
    const bad = [
      { value: 5 },
      { value: null },
      { value: true },
      { value: { nested: 'x' } },
      { value: ['x'] },
      {},
      { value: 'x', persistent: 'yes' },
      { value: 'x', notify: 1 },
      { value: 'x', provider: 7 },
      ['x'],
      'x',
    ];
    for (const body of bad) {
      const reply = await api.put(path('typed'), body);
      expectError(reply, 400);
    }
    expectError(await api.get(path('typed')), 404);
  });

  test('malformed JSON is 400', async () => {
    for (const body of ['{"value":', '{value:"x"}', '', '{"value":"x"} trailing'])
      expectError(await api.request('PUT', path('malformed'), { body, headers: { 'content-type': 'application/json' } }), 400);
    expectError(await api.get(path('malformed')), 404);
  });

  test('a media type other than application/json is 415; a charset parameter is fine', async () => {
    const body = JSON.stringify({ value: 'x', persistent: false, notify: true });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])
      expectError(await api.request('PUT', path('media'), { body, headers: { 'content-type': type } }), 415);
    expectError(await api.get(path('media')), 404);
    expectJson(
      await api.request('PUT', path('media'), { body, headers: { 'content-type': 'application/json; charset=utf-8' } }),
      201,
    );
  });

  test('a body over net.max-body-bytes is 413 (Content-Length and chunked)', async () => {
    const body = JSON.stringify({ value: 'z'.repeat(MAX_BODY_BYTES + 100), persistent: false, notify: true });
    const declared = await rawHttp(
      node.port,
      `PUT /api/values/too-big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    assert.equal(declared.status, 413, show(declared));
    assert.ok(JSON.parse(declared.body).error, declared.body);

    const chunked = await rawHttp(
      node.port,
      `PUT /api/values/too-big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    assert.equal(chunked.status, 413, show(chunked));
    expectError(await api.get(path('too-big')), 404);

    // Just under the limit is fine (and the node still serves).
    const fits = JSON.stringify({ value: 'f'.repeat(MAX_VALUE_BYTES), persistent: false, notify: true });
    assert.ok(Buffer.byteLength(fits) <= MAX_BODY_BYTES);
    expectJson(await api.request('PUT', path('fits'), { body: fits, headers: { 'content-type': 'application/json' } }), 201);
  });

  test('a value over values.max-value-bytes or a key over values.max-key-bytes is 400', async () => {
    expectJson(await api.put(path('v-limit'), { value: 'a'.repeat(MAX_VALUE_BYTES), persistent: false, notify: true }), 201);
    expectError(await api.put(path('v-limit'), { value: 'a'.repeat(MAX_VALUE_BYTES + 1), persistent: false, notify: true }), 400);
    assert.equal(expectJson(await api.get(path('v-limit')), 200).value.length, MAX_VALUE_BYTES);

    expectJson(await api.put(path('k'.repeat(MAX_KEY_BYTES)), { value: 'x', persistent: false, notify: true }), 201);
    expectError(await api.put(path('k'.repeat(MAX_KEY_BYTES + 1)), { value: 'x', persistent: false, notify: true }), 400);
  });

  test('unknown paths are 404', async () => {
    for (const p of ['/api/nothing', '/api/valuesX', '/api', '/index.html', '/api/gpios/relay-a/extra'])
      expectError(await api.get(p), 404);
  });

  test('a wrong method is 405 with an Allow header', async () => {
    const one = await api.request('POST', path('color'), { json: { value: 'x' } });
    expectError(one, 405);
    assert.deepEqual(allowed(one), ['DELETE', 'GET', 'PUT']);

    for (const method of ['PUT', 'DELETE', 'PATCH', 'POST']) {
      const list = await api.request(method, '/api/values', { json: { value: 'x' } });
      expectError(list, 405);
      assert.deepEqual(allowed(list), ['GET'], `${method} /api/values`);
    }
  });
});

describe('REST bearer token (ttm.api-token)', () => {
  let node;
  const TOKEN = 'secret-e2e-token';

  before(async () => {
    node = await SignalboxNode.start({
      config: renderConfig({
        gpio: { backend: 'simulated', lines: [{ name: 'relay-a', direction: 'output' }] },
      }),
      args: [`--ttm.api-token=${TOKEN}`],
    });
  });
  after(() => node?.dispose());

  test('mutating requests without the right token are 401 and change nothing', async () => {
    const anonymous = node.api;
    for (const token of [undefined, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const refused = await anonymous.put(path('guarded'), { value: 'x', persistent: false, notify: true }, { token });
      expectError(refused, 401);
      assert.match(refused.headers.get('www-authenticate') || '', /^Bearer\b/, `WWW-Authenticate of ${refused}`);
      expectError(await anonymous.put('/api/gpios/relay-a', { value: 1 }, { token }), 401);
      expectError(
        await anonymous.post('/api/jobs', { name: 'intruder', command: ['/bin/true'], autostart: false }, { token }),
        401,
      );
    }
    // Another scheme with the right secret is not a bearer token.
    expectError(
      await anonymous.request('PUT', path('guarded'), {
        json: { value: 'x' },
        headers: { authorization: `Basic ${TOKEN}` },
      }),
      401,
    );
    expectError(await anonymous.get(path('guarded')), 404);
    assert.equal(expectJson(await anonymous.get('/api/gpios/relay-a'), 200).value, 0);
    assert.deepEqual(expectJson(await anonymous.get('/api/jobs'), 200), []);
  });

  test('reading needs no token', async () => {
    assert.ok(Array.isArray(expectJson(await node.api.get('/api/values'), 200)));
    assert.ok(Array.isArray(expectJson(await node.api.get('/api/gpios'), 200)));
    assert.ok(Array.isArray(expectJson(await node.api.get('/api/jobs'), 200)));
  });

  test('with the right token mutating requests work', async () => {
    const authorized = node.apiWithToken(TOKEN);
    expectJson(await authorized.put(path('guarded'), { value: 'x', persistent: false, notify: true }), 201);
    expectError(await node.api.delete(path('guarded')), 401);
    expectStatus(await authorized.delete(path('guarded')), 204);
    assert.equal(expectJson(await authorized.put('/api/gpios/relay-a', { value: 1 }), 200).value, 1);
  });
});
