// Cluster links over mutual TLS (issue 13: "between hosts they run over
// CAF's OpenSSL module with mutual certificates (cluster.tls-*) options; a
// peer without the right certificate is refused"). Certificates are made
// by the openssl command line for each run (lib/certs.mjs).
//
// - Wrong TLS files stop the node at start-up with exit 2 and a message
//   naming the problem (CAF would only find them on the first link, and
//   abort the node on a missing file).
// - Two nodes with certificates of the site's authority link and carry a
//   JMRI message across.
// - A node with another authority's certificate, and a node without TLS,
//   are refused: never listed, the refused node says why.
// - Failed handshakes (wrong or no client certificate, repeated) do not
//   disturb the good link: CAF 0.17's OpenSSL module left OpenSSL's error
//   queue dirty and closed the next healthy link it read
//   (app/openssl_error_queue.cpp).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import { clusterTlsArgs, Pki } from './lib/certs.mjs';
import {
  HEARTBEAT_MS,
  disposeAll,
  getCluster,
  membersNamed,
  postMessage,
  spawnClusterNode,
  startClusterNode,
  waitForMesh,
} from './lib/cluster.mjs';
import { JmriWs } from './lib/jmri.mjs';
import { TempDir, runToExit } from './lib/node.mjs';
import { eventually, notYet } from './lib/wait.mjs';

const TEST_TIMEOUT_MS = 60000;
const PROBE = 'probe ';

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

describe('start-up checks of cluster.tls-*', () => {
  let dir;
  before(async () => {
    dir = await TempDir.create();
  });
  after(async () => {
    await dir?.remove();
  });

  async function refused(tlsArgs, expected) {
    const r = await runToExit(['--cluster.enabled=true', '--cluster.port=0', `--store.directory=${dir.file('data')}`, ...tlsArgs], { cwd: dir.path });
    assert.equal(r.code, 2, `exit code for ${tlsArgs.join(' ')}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /^listening /m, `it never listened: ${r.stdout}`);
    assert.match(r.stderr, /invalid configuration: .*cluster\.tls/, r.stderr);
    assert.match(r.stderr, expected, r.stderr);
    return r.stderr.trim();
  }

  test('a certificate without its key and authority', { timeout: TEST_TIMEOUT_MS }, async () => {
    const a = await pki.certificate('lone', site);
    await refused([`--cluster.tls-cert=${a.cert}`], /go together/);
    await refused([`--cluster.tls-cert=${a.cert}`, `--cluster.tls-key=${a.key}`], /go together/);
  });

  test('a missing file', { timeout: TEST_TIMEOUT_MS }, async () => {
    const a = await pki.certificate('missing', site);
    const gone = dir.file('no-such.pem');
    const line = await refused(clusterTlsArgs({ ...a, cert: gone }), /cannot read/);
    assert.ok(line.includes(gone), line);
  });

  test('a file that is not PEM', { timeout: TEST_TIMEOUT_MS }, async () => {
    const a = await pki.certificate('garbage', site);
    const junk = await dir.write('junk.pem', 'not a certificate\n');
    await refused(clusterTlsArgs({ ...a, cert: junk }), /holds no PEM certificate/);
    await refused(clusterTlsArgs({ ...a, ca: junk }), /holds no PEM certificate/);
  });

  test('the key of another certificate', { timeout: TEST_TIMEOUT_MS }, async () => {
    const a = await pki.certificate('key-a', site);
    const b = await pki.certificate('key-b', site);
    const line = await refused(clusterTlsArgs({ ...a, key: b.key }), /is not the key of the certificate/);
    // A key's file is named, its content never shown.
    const keyText = fs.readFileSync(b.key, 'utf8');
    const body = keyText.split('\n')[1];
    assert.ok(!line.includes(body), `the key's content is not printed: ${line}`);
  });

  test('a certificate another authority signed', { timeout: TEST_TIMEOUT_MS }, async () => {
    const stranger = await pki.certificate('stranger', other);
    await refused(clusterTlsArgs({ ...stranger, ca: site.cert }), /is not accepted by the authority/);
  });

  test('an expired certificate, and one not valid yet', { timeout: TEST_TIMEOUT_MS }, async () => {
    const old = await pki.certificate('expired', site, { start: '20200101000000Z', end: '20200201000000Z' });
    await refused(clusterTlsArgs(old), /has expired/);
    const early = await pki.certificate('early', site, { start: '20990101000000Z', end: '20991231000000Z' });
    await refused(clusterTlsArgs(early), /not valid yet/);
  });

  test('net.address off loopback needs TLS on the links', { timeout: TEST_TIMEOUT_MS }, async () => {
    const r = await runToExit(['--cluster.enabled=true', '--cluster.port=0', '--net.address=0.0.0.0', `--store.directory=${dir.file('data')}`], { cwd: dir.path });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cluster\.enabled with net\.address 0\.0\.0\.0 needs cluster\.tls-cert/, r.stderr);
  });
});

describe('a cluster over mutual TLS', () => {
  const nodes = {};
  const extra = [];
  const clients = [];
  const all = () => [nodes.a, nodes.b].filter(Boolean);

  before(async () => {
    const a = await pki.certificate('a', site);
    const b = await pki.certificate('b', site);
    nodes.a = await startClusterNode({ name: 'a', args: clusterTlsArgs(a) });
    nodes.b = await startClusterNode({ name: 'b', peers: [nodes.a.clusterAddress], args: clusterTlsArgs(b) });
  });
  after(async () => {
    clients.forEach((c) => c.dispose());
    await disposeAll([...all(), ...extra]);
  });

  /** Subscribes JMRI client id `id` on `node` (success is silent: a get proves it). */
  async function jmriClient(node, id) {
    const c = await JmriWs.connect(await node.portOf('jmri'));
    clients.push(c);
    await c.next('hello');
    c.send({ type: 'client', method: 'put', data: { client: id } });
    c.send({ type: 'client', method: 'get', data: { client: id } });
    assert.deepEqual(await c.next('client'), { type: 'client', data: { client: id } });
    return c;
  }

  /** The next JMRI message that is not a probe. */
  const nextMessage = (c) => c.next((m) => m.type === 'message' && !String(m.data?.message).startsWith(PROBE));

  test('nodes with certificates of the authority link and carry JMRI messages', { timeout: TEST_TIMEOUT_MS }, async () => {
    await waitForMesh(all(), { timeoutMs: 20000 });
    const onA = await jmriClient(nodes.a, 'tls-a');
    const onB = await jmriClient(nodes.b, 'tls-b');
    // a knows b's client once a message for it, posted on a, reaches it.
    await eventually(
      async () => {
        const r = await postMessage(nodes.a, { message: `${PROBE}tls-b`, client: 'tls-b' });
        return r.body?.delivered === 1 || notYet(r.body);
      },
      { timeoutMs: 10000, intervalMs: 100 },
    );
    const r = await postMessage(nodes.a, { message: 'over tls' });
    assert.equal(r.status, 202, `${r.reply}`);
    assert.deepEqual(r.body, { delivered: 2 });
    for (const c of [onA, onB]) assert.equal((await nextMessage(c)).data.message, 'over tls');
  });

  /** Spawns a node dialling a, waits for its stderr to say why it was refused. */
  async function refusedDialler(name, args) {
    const { node, startError } = await spawnClusterNode({ name, peers: [nodes.a.clusterAddress], args });
    extra.push(node);
    assert.equal(startError, null, `${name} started: ${node.describe()}`);
    const line = await eventually(
      async () => {
        const m = new RegExp(`^.*cannot link to ${nodes.a.clusterAddress}: .*handshake.*$`, 'm').exec(node.stderr);
        return m ? m[0] : notYet(node.stderr);
      },
      { timeoutMs: 15000, intervalMs: 100, describe: (s) => `${name}'s stderr:\n${s}` },
    );
    const own = await getCluster(node);
    assert.ok(!own.members.some((m) => m.state === 'up'), `${name} linked with nobody: ${JSON.stringify(own.members)}`);
    for (const n of all()) {
      const view = await getCluster(n);
      assert.deepEqual(membersNamed(view, name), [], `${name} is not a member on ${n.clusterName}: ${JSON.stringify(view.members)}`);
    }
    return line;
  }

  test('a node with another authority\'s certificate is refused', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await waitForMesh(all(), { timeoutMs: 20000 });
    const rogue = await pki.certificate('rogue', other);
    const line = await refusedDialler('rogue', clusterTlsArgs(rogue));
    t.diagnostic(line);
    assert.match(line, /certificate not signed by cluster\.tls-ca/);
  });

  test('a node without TLS is refused', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    await waitForMesh(all(), { timeoutMs: 20000 });
    const line = await refusedDialler('plain', []);
    t.diagnostic(line);
  });

  /** One TLS client handshake against `port`; resolves once the node closed it. */
  function handshake(port, options) {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('the node neither finished nor closed the handshake within 5 s'));
      }, 5000);
      let secure = false;
      socket.on('secureConnect', () => (secure = true));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ secure });
      });
      // Anything the node might accept is answered with nothing: a
      // handshake the node accepted would leave this open until the timer.
      socket.resume();
    });
  }

  test('failed handshakes do not disturb the links that stand', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const [viewA] = await waitForMesh(all(), { timeoutMs: 20000 });
    const linkedB = membersNamed(viewA, 'b')[0];
    const stderrBefore = nodes.a.stderr.length;
    const stranger = await pki.certificate('prober', other);
    const strangerTls = { cert: fs.readFileSync(stranger.cert), key: fs.readFileSync(stranger.key) };
    for (let i = 0; i < 10; i++) {
      await handshake(nodes.a.clusterPort, {});
      await handshake(nodes.a.clusterPort, strangerTls);
    }
    const attacksOver = Date.now();
    // b keeps beating to a (every half heartbeat): once a has heard from b
    // twice after the last failed handshake, a read on the link has
    // followed it.
    await eventually(
      async () => {
        const b = membersNamed(await getCluster(nodes.a), 'b')[0];
        return (b && b.last_seen > attacksOver + HEARTBEAT_MS) || notYet(b);
      },
      { timeoutMs: 10000, intervalMs: 50 },
    );
    const since = nodes.a.stderr.slice(stderrBefore);
    assert.doesNotMatch(since, /lost b/, `a kept its link to b through 20 failed handshakes:\n${since}`);
    const b = membersNamed(await getCluster(nodes.a), 'b')[0];
    assert.equal(b.state, 'up');
    t.diagnostic(`b up on a since before the probes: last_seen ${linkedB.last_seen} -> ${b.last_seen}`);
    const r = await postMessage(nodes.b, { message: 'after the probes' });
    assert.deepEqual(r.body, { delivered: 2 }, 'the link still carries messages');
  });
});
