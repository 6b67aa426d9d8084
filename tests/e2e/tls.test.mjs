// TLS on every interface (issue 15): with net.tls-cert and net.tls-key the
// ttmnotify/REST port serves HTTPS and WSS, JMRI /json/ WSS, the JMRI raw
// stream TLS, Socket.IO HTTPS and WSS. Real clients in TLS mode: npm `ws`
// and `socket.io-client` trusting the test's own authority, Node's https,
// and `openssl s_client` on the raw stream. Certificates are made per run
// by the openssl command line (lib/certs.mjs).
//
// - Wrong files stop the node at start-up with exit 2.
// - A plain-text client on a TLS port gets one clear answer and the end.
// - net.tls-client-ca: a client certificate of that authority is required;
//   none, or another authority's, is refused and the node says why.
// - SIGHUP re-reads the certificate: new connections get the new one,
//   connections already up stay up; a broken file keeps the old one.
// - A per-interface switch (jmri.tcp-tls=false) leaves that port plain.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import { io } from 'socket.io-client';
import WebSocket from 'ws';

import { Pki } from './lib/certs.mjs';
import { rawHttp } from './lib/http.mjs';
import { parseMetrics, valueOf } from './lib/metrics.mjs';
import { SignalboxNode, TempDir, runToExit } from './lib/node.mjs';
import { eventually } from './lib/wait.mjs';

const TEST_TIMEOUT_MS = 60000;

let pki;
let site;
let other;
before(async () => {
  pki = await Pki.create();
  site = await pki.authority('site');
  other = await pki.authority('other');
});
after(async () => {
  await pki?.remove();
});

function tlsArgs({ cert, key }, clientCa) {
  const args = [`--net.tls-cert=${cert}`, `--net.tls-key=${key}`];
  if (clientCa) args.push(`--net.tls-client-ca=${clientCa}`);
  return args;
}

/** What a client trusts and shows: {ca, cert?, key?} as file contents. */
function clientTls(ca, identity) {
  const out = { ca: fs.readFileSync(ca) };
  if (identity) {
    out.cert = fs.readFileSync(identity.cert);
    out.key = fs.readFileSync(identity.key);
  }
  return out;
}

/** An HTTPS request: {status, body}. */
function httpsRequest(port, path, { method = 'GET', body, tlsOptions }) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, method, ...tlsOptions, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode, body: data }));
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** PUT a notifying value over HTTPS; its status. */
async function putValue(port, key, value, tlsOptions) {
  const body = JSON.stringify({ value, persistent: false, notify: true });
  const reply = await httpsRequest(port, `/api/values/${key}`, { method: 'PUT', body, tlsOptions });
  assert.ok(reply.status === 200 || reply.status === 201, JSON.stringify(reply));
}

/** A WebSocket opened with `ws`; resolves once open, with its messages queued. */
function openWs(url, protocols, tlsOptions) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, tlsOptions);
    const messages = [];
    const waiters = [];
    ws.on('message', (data) => {
      messages.push(data.toString());
      for (const w of waiters.splice(0)) w();
    });
    ws.nextMatching = (pattern, timeoutMs = 5000) =>
      new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`no message matching ${pattern}; got ${JSON.stringify(messages)}`)), timeoutMs);
        const check = () => {
          const i = messages.findIndex((m) => pattern.test(m));
          if (i >= 0) {
            clearTimeout(timer);
            ok(messages.splice(0, i + 1)[i]);
          } else waiters.push(check);
        };
        check();
      });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The peer certificate's subject CN of a TLS connection to `port`. */
function peerName(port, ca) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(ca) }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(cn);
    });
    socket.on('error', reject);
  });
}

/** `openssl s_client` on the JMRI raw stream: writes `input`, collects what arrives until `until` matches. */
function sClient(port, ca, input, until) {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-quiet', '-verify_return_error', '-CAfile', ca, '-connect', `127.0.0.1:${port}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`s_client: no match for ${until}; stdout ${out}; stderr ${err}`));
    }, 10000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (until.test(out)) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(out);
      }
    });
    child.stdin.write(input);
  });
}

/** A plain TCP client: what arrives until the server closes. */
function plainExchange(port, input) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(input));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no close; got ${out}`));
    });
  });
}

/** Starts a node that logs at info level (the TLS failure lines). */
async function startTlsNode(t, args) {
  const node = await SignalboxNode.start({ args: ['--log.level=info', ...args] });
  t.after(() => node.dispose());
  return node;
}

describe('start-up checks of net.tls-*', () => {
  let dir;
  before(async () => {
    dir = await TempDir.create();
  });
  after(async () => {
    await dir?.remove();
  });

  async function refused(args, expected) {
    const r = await runToExit([`--store.directory=${dir.file('data')}`, '--ttm.port=0', ...args], { cwd: dir.path });
    assert.equal(r.code, 2, `exit code for ${args.join(' ')}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /^listening /m);
    assert.match(r.stderr, /net\.tls/, r.stderr);
    assert.match(r.stderr, expected, r.stderr);
  }

  test('a certificate without its key, a client authority without either', { timeout: TEST_TIMEOUT_MS }, async () => {
    const a = await pki.certificate('lone', site, { server: true });
    await refused([`--net.tls-cert=${a.cert}`], /go together/);
    await refused([`--net.tls-client-ca=${site.cert}`], /needs net\.tls-cert/);
  });

  test('an expired certificate, the key of another, a client authority that is no PEM', { timeout: TEST_TIMEOUT_MS }, async () => {
    const old = await pki.certificate('expired', site, { start: '20200101000000Z', end: '20200201000000Z' });
    await refused(tlsArgs(old), /has expired/);
    const a = await pki.certificate('key-a', site, { server: true });
    const b = await pki.certificate('key-b', site, { server: true });
    await refused(tlsArgs({ cert: a.cert, key: b.key }), /is not the key of the certificate/);
    const junk = await dir.write('junk.pem', 'not a certificate\n');
    await refused(tlsArgs(a, junk), /holds no PEM certificate/);
  });
});

describe('every interface over TLS', () => {
  let identity;
  before(async () => {
    identity = await pki.certificate('node', site, { server: true });
  });

  test('REST over HTTPS and ttmnotify over WSS with ws', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const node = await startTlsNode(t, tlsArgs(identity));
    const trust = clientTls(site.cert);
    const ws = await openWs(`wss://127.0.0.1:${node.port}/`, 'ttmnotify', trust);
    t.after(() => ws.terminate());
    await putValue(node.port, 'tls-probe', 'over tls', trust);
    await ws.nextMatching(/tls-probe/);
    const got = await httpsRequest(node.port, '/api/values/tls-probe', { tlsOptions: trust });
    assert.equal(got.status, 200);
    assert.match(got.body, /over tls/);
  });

  test('plain text on a TLS port gets one clear answer, and is counted', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const node = await startTlsNode(t, tlsArgs(identity));
    const reply = await rawHttp(node.port, 'GET /api/values HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(reply.status, 400);
    assert.match(JSON.parse(reply.body).error, /speaks TLS: connect with https:\/\/ or wss:\/\//);
    const jmriTcp = await node.portOf('jmri-tcp');
    const answer = await plainExchange(jmriTcp, '{"type":"ping"}');
    assert.deepEqual(JSON.parse(answer), { type: 'error', data: { code: 400, message: 'this port speaks TLS: connect with TLS' } });
    const metrics = await httpsRequest(node.port, '/metrics', { tlsOptions: clientTls(site.cert) });
    const samples = parseMetrics(metrics.body);
    assert.equal(valueOf(samples, 'signalbox_tls_failures_total', { interface: 'ttm' }), 1);
    assert.equal(valueOf(samples, 'signalbox_tls_failures_total', { interface: 'jmri-tcp' }), 1);
  });

  test('JMRI: /json/ over WSS with ws, the raw stream with openssl s_client', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const node = await startTlsNode(t, tlsArgs(identity));
    const ws = await openWs(`wss://127.0.0.1:${await node.portOf('jmri')}/json/`, undefined, clientTls(site.cert));
    t.after(() => ws.terminate());
    await ws.nextMatching(/"type":"hello"/);
    ws.send('{"type":"ping"}');
    await ws.nextMatching(/^\{"type":"pong"\}$/);
    const out = await sClient(await node.portOf('jmri-tcp'), site.cert, '{"type":"ping"}', /"type":"pong"/);
    assert.match(out, /^\{"type":"hello".*\}\{"type":"pong"\}/);
  });

  test('the Socket.IO relay over HTTPS polling and WSS with socket.io-client', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const node = await startTlsNode(t, tlsArgs(identity));
    const url = `https://127.0.0.1:${await node.portOf('socketio')}`;
    const options = { forceNew: true, reconnection: false, ca: fs.readFileSync(site.cert) };
    const once = (socket, event) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${event}`)), 10000);
        socket.once(event, (value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    const monitor = io(url, options);
    const user = io(url, options);
    t.after(() => {
      monitor.close();
      user.close();
    });
    const userConnected = once(user, 'connect');
    const monitorId = crypto.randomBytes(16).toString('hex');
    await once(monitor, 'connect');
    monitor.emit('con', { monitor_id: monitorId });
    await once(monitor, 'con ok');
    await userConnected;
    user.emit('query', { monitor_id: monitorId });
    await once(user, 'query ok');
    const done = once(monitor, 'command do');
    user.emit('command send', { command: 'valve open' });
    assert.deepEqual(await done, { command: 'valve open' });
    // Polling first, then the upgrade to a WebSocket, both over TLS.
    await eventually(() => user.io.engine.transport.name === 'websocket');
  });

  test('jmri.tcp-tls=false leaves the raw stream plain', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const node = await startTlsNode(t, [...tlsArgs(identity), '--jmri.tcp-tls=false']);
    const jmriTcp = await node.portOf('jmri-tcp');
    const socket = net.connect(jmriTcp, '127.0.0.1');
    t.after(() => socket.destroy());
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (text += d));
    socket.write('{"type":"ping"}');
    await eventually(() => /"type":"pong"/.test(text));
    // The ttm port still speaks only TLS.
    const reply = await rawHttp(node.port, 'GET /api/values HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(reply.status, 400);
  });
});

describe('net.tls-client-ca: mutual TLS', () => {
  test('a client certificate of the authority is required', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const identity = await pki.certificate('mtls-node', site, { server: true });
    const clients = await pki.authority('clients');
    const good = await pki.certificate('good-client', clients);
    const stranger = await pki.certificate('stranger', other);
    const node = await startTlsNode(t, tlsArgs(identity, clients.cert));
    const url = `wss://127.0.0.1:${node.port}/`;

    const ws = await openWs(url, 'ttmnotify', clientTls(site.cert, good));
    t.after(() => ws.terminate());
    const ok = await httpsRequest(node.port, '/api/values', { tlsOptions: clientTls(site.cert, good) });
    assert.equal(ok.status, 200);

    for (const [label, creds] of [
      ['no certificate', undefined],
      ['another authority', stranger],
    ]) {
      await assert.rejects(openWs(url, 'ttmnotify', clientTls(site.cert, creds)), undefined, label);
      await assert.rejects(httpsRequest(node.port, '/api/values', { tlsOptions: clientTls(site.cert, creds) }), undefined, label);
    }
    await eventually(() => /ttm: 127\.0\.0\.1: TLS handshake failed: (peer did not return a certificate|certificate verify failed)/.test(node.stderr), {
      describe: () => node.stderr,
    });
    // The refusals did not disturb the connection that is up.
    await putValue(node.port, 'after-refusals', '1', clientTls(site.cert, good));
    await ws.nextMatching(/after-refusals/);
  });
});

describe('SIGHUP re-reads the certificate', () => {
  test('new connections get the new one; open ones stay; a broken file keeps the old', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const dir = await TempDir.create();
    t.after(() => dir.remove());
    const first = await pki.certificate('first', site, { server: true });
    const second = await pki.certificate('second', site, { server: true });
    const cert = dir.file('node.pem');
    const key = dir.file('node.key');
    fs.copyFileSync(first.cert, cert);
    fs.copyFileSync(first.key, key);
    const node = await startTlsNode(t, tlsArgs({ cert, key }));
    assert.equal(await peerName(node.port, site.cert), 'first');
    const ws = await openWs(`wss://127.0.0.1:${node.port}/`, 'ttmnotify', clientTls(site.cert));
    t.after(() => ws.terminate());

    // Replaced (renamed over), as certificate tools do.
    fs.copyFileSync(second.cert, `${cert}.new`);
    fs.copyFileSync(second.key, `${key}.new`);
    fs.renameSync(`${cert}.new`, cert);
    fs.renameSync(`${key}.new`, key);
    node.child.kill('SIGHUP');
    await eventually(() => /SIGHUP: TLS certificate reloaded/.test(node.stderr), { describe: () => node.stderr });
    assert.equal(await peerName(node.port, site.cert), 'second');

    // The connection made before the reload still works.
    await putValue(node.port, 'reload-probe', '2', clientTls(site.cert));
    await ws.nextMatching(/reload-probe/);

    // A broken certificate file is refused; the node keeps serving the last good one.
    fs.writeFileSync(`${cert}.new`, 'garbage\n');
    fs.renameSync(`${cert}.new`, cert);
    node.child.kill('SIGHUP');
    await eventually(() => /SIGHUP: TLS identity kept as it was: .*node\.pem/.test(node.stderr), { describe: () => node.stderr });
    assert.equal(await peerName(node.port, site.cert), 'second');
    assert.ok(node.running);
  });
});
