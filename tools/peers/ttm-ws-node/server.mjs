// The ttmnotify fan-out of port 1777 on Node's `ws` 8: shared values written
// over REST, each change sent as a `dbchange` frame to every WebSocket
// subscriber, byte for byte what signalbox sends (docs/api.md). The peer of
// the fan-out and idle-connection benchmarks (deploy/bench/run.sh), so only
// the part signalbox-load uses:
//
//   WebSocket at / and /ttmnotify: an offer of subprotocols must include
//     `ttmnotify` (answered with it; 400 otherwise); nothing is sent on
//     connect; frames from clients are ignored.
//   GET /api/values/{key}   200 value | 404
//   PUT /api/values/{key}   {"value":"..","persistent":bool,"notify":bool,
//     "provider":".."} -> 201 added / 200 updated, then `dbchange` to all
//     (unless notify is false).
//
//   node server.mjs --port=0 [--max-queue-bytes=4194304]
//                   [--tls-cert=FILE --tls-key=FILE]   (https:// and wss://)
//
// Prints `listening ttm 127.0.0.1:<port>` once bound; SIGTERM closes every
// connection (1001, like a node shutting down) and exits with code 0.
//
// Values live in memory: `persistent` is stored and echoed but nothing is
// written to disk. The benchmarks write with persistent false, where
// signalbox does not commit to LMDB either, so both do the same work.

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { parseArgs } from 'node:util';

import { WebSocket, WebSocketServer } from 'ws';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '1777' },
    // signalbox's net.max-queue-bytes: a subscriber that falls this far
    // behind is closed as a slow consumer instead of growing without bound.
    'max-queue-bytes': { type: 'string', default: String(4 * 1024 * 1024) },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  },
});
const maxQueueBytes = Number(args['max-queue-bytes']);
const maxBodyBytes = 1024 * 1024;
// A subscriber that does not answer a ping by the next round is dropped
// (signalbox: within 60 s).
const pingIntervalMs = 30_000;

/** key -> {key, value, persistent, notify, provider}, the REST value object. */
const store = new Map();

// perMessageDeflate is off by default in ws 8, as in signalbox.
const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => (offered.has('ttmnotify') ? 'ttmnotify' : false),
});

wss.on('connection', (ws) => {
  ws.isAlive = true;
  ws.on('pong', () => {
    ws.isAlive = true;
  });
  ws.on('error', () => ws.terminate());
});

const pinger = setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) {
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, pingIntervalMs);

/** Encodes once, then hands the same bytes to every subscriber. */
function broadcast(event) {
  const frame = Buffer.from(JSON.stringify(event));
  for (const ws of wss.clients) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    if (ws.bufferedAmount > maxQueueBytes) {
      ws.close(1008, 'slow consumer');
      continue;
    }
    ws.send(frame, { binary: false });
  }
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

const fail = (res, status, error) => reply(res, status, { error });

/** The body as parsed JSON, or undefined after answering the error. */
async function readJson(req, res) {
  const type = (req.headers['content-type'] || '').split(';')[0].trim();
  if (type.toLowerCase() !== 'application/json') {
    fail(res, 415, 'Content-Type must be application/json');
    return undefined;
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > maxBodyBytes) {
      fail(res, 413, 'request body too large');
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    fail(res, 400, 'malformed JSON');
    return undefined;
  }
}

/** The value object of a PUT body, or a string naming what is wrong. */
function valueFrom(key, body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return 'body must be a JSON object';
  const { value, persistent = false, notify = true, provider = 'api' } = body;
  if (typeof value !== 'string') return "'value' must be a string";
  if (typeof persistent !== 'boolean') return "'persistent' must be a boolean";
  if (typeof notify !== 'boolean') return "'notify' must be a boolean";
  if (typeof provider !== 'string') return "'provider' must be a string";
  return { key, value, persistent, notify, provider };
}

async function putValue(req, res, key) {
  const body = await readJson(req, res);
  if (body === undefined) return;
  const old = store.get(key);
  const next = valueFrom(key, body);
  if (typeof next === 'string') return fail(res, 400, next);
  store.set(key, next);
  reply(res, old ? 200 : 201, next);
  if (next.notify)
    broadcast({ cmd: 'dbchange', key, value: next.value, reason: old ? 'updated' : 'added' });
}

async function handle(req, res) {
  const path = req.url.split('?')[0];
  const m = /^\/api\/values\/(.+)$/.exec(path);
  if (!m) return fail(res, 404, `no such resource: ${path}`);
  let key;
  try {
    key = decodeURIComponent(m[1]);
  } catch {
    return fail(res, 400, 'key is not valid URL encoding');
  }
  if (req.method === 'PUT') return putValue(req, res, key);
  if (req.method === 'GET') {
    const value = store.get(key);
    return value ? reply(res, 200, value) : fail(res, 404, `no value ${key}`);
  }
  res.setHeader('Allow', 'GET, PUT');
  return fail(res, 405, `method ${req.method} not allowed`);
}

const onRequest = (req, res) => {
  handle(req, res).catch(() => res.destroy());
};
const server = args['tls-cert']
  ? https.createServer({ cert: fs.readFileSync(args['tls-cert']), key: fs.readFileSync(args['tls-key']) }, onRequest)
  : http.createServer(onRequest);

server.on('upgrade', (req, socket, head) => {
  const path = req.url.split('?')[0];
  const offer = req.headers['sec-websocket-protocol'];
  const refusal =
    path !== '/' && path !== '/ttmnotify'
      ? '404 Not Found'
      : offer !== undefined && !offer.split(',').some((p) => p.trim() === 'ttmnotify')
        ? '400 Bad Request'
        : null;
  if (refusal) {
    socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

process.on('SIGTERM', () => {
  clearInterval(pinger);
  for (const ws of wss.clients) ws.close(1001, 'shutting down');
  server.close(() => process.exit(0));
  // Connections that do not finish the close handshake do not hold us up.
  setTimeout(() => process.exit(0), 2000).unref();
});

server.listen(Number(args.port), '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`listening ttm ${address}:${port}`);
});
