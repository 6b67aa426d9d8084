// The reference conformance server: the setup the official protocol test
// suites (socketio/socket.io-protocol and socketio/engine.io-protocol,
// test-suite/) expect, on Node's own socket.io and engine.io. signalbox's
// end-to-end tests run against it with SIO_REFERENCE=1 to prove that they
// test what the Node server does (docs/socketio.md).
//
//   node server.mjs --port=0
//
// prints `listening socketio 127.0.0.1:<port>` once bound and serves:
// - Socket.IO on /socket.io/ with the namespaces / and /custom: on
//   connection each emits `auth` with the CONNECT payload, echoes `message`
//   as `message-back` (same arguments, binary attachments included) and
//   acks `message-with-ack` with its arguments;
// - a bare Engine.IO server on /engine.io/ that echoes every message (text
//   as text, binary as binary).
// SIGTERM closes every session and exits with code 0.

import http from 'node:http';
import { parseArgs } from 'node:util';

import { Server as EngineServer } from 'engine.io';
import { Server } from 'socket.io';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3000' } } });

// The timings of the suites: a ping every 300 ms, answered within 200 ms.
const engineOptions = {
  pingInterval: 300,
  pingTimeout: 200,
  maxHttpBufferSize: 1e6,
  upgradeTimeout: 10000,
};

const httpServer = http.createServer();

const io = new Server(httpServer, { ...engineOptions, connectTimeout: 1000, serveClient: false });

function onConnection(socket) {
  socket.emit('auth', socket.handshake.auth);
  socket.on('message', (...args) => socket.emit('message-back', ...args));
  socket.on('message-with-ack', (...args) => {
    const ack = args.pop();
    ack(...args);
  });
}
io.of('/').on('connection', onConnection);
io.of('/custom').on('connection', onConnection);

// Attached after socket.io: each server takes the requests under its own
// path and hands the others on.
const engine = new EngineServer(engineOptions);
engine.attach(httpServer, { path: '/engine.io/' });
engine.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));

httpServer.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`listening socketio 127.0.0.1:${httpServer.address().port}`);
});

process.on('SIGTERM', () => {
  engine.close();
  io.close(); // every session, then the listening socket
  httpServer.closeAllConnections();
  setImmediate(() => process.exit(0)); // once the close frames are written
});
