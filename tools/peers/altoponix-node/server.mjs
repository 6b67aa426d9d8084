// The altoponix command relay (seed 004, docs/socketio.md) on
// Node's socket.io, behaving as signalbox decided ("What signalbox does"):
// the reference the relay end-to-end tests are validated against
// (SIO_REFERENCE=1), and the peer of the benchmarks.
//
//   node server.mjs --port=0 [--ping-interval=25s] [--ping-timeout=20s]
//     [--max-payload=1000000] [--connect-timeout=45s] [--upgrade-timeout=10s]
//     [--cors-origins=http://a,http://b]
//
// Durations take a unit (ms, s, min) or are milliseconds. Prints
// `listening socketio 127.0.0.1:<port>` once bound. SIGTERM drops every
// connection (no Socket.IO disconnect: clients reconnect to a restarted
// relay) and exits with code 0.

import http from 'node:http';
import { parseArgs } from 'node:util';

import { Server } from 'socket.io';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5000' },
    'ping-interval': { type: 'string', default: '25s' },
    'ping-timeout': { type: 'string', default: '20s' },
    'max-payload': { type: 'string', default: '1000000' },
    'connect-timeout': { type: 'string', default: '45s' },
    'upgrade-timeout': { type: 'string', default: '10s' },
    'cors-origins': { type: 'string', default: '' },
  },
});

function milliseconds(text) {
  const m = /^(\d+)(ms|s|min)?$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * { ms: 1, s: 1000, min: 60000 }[m[2] || 'ms'];
}

const origins = values['cors-origins'].split(',').filter(Boolean);

const httpServer = http.createServer();
const io = new Server(httpServer, {
  pingInterval: milliseconds(values['ping-interval']),
  pingTimeout: milliseconds(values['ping-timeout']),
  maxHttpBufferSize: Number(values['max-payload']),
  connectTimeout: milliseconds(values['connect-timeout']),
  upgradeTimeout: milliseconds(values['upgrade-timeout']),
  serveClient: false,
  ...(origins.length ? { cors: { origin: origins } } : {}),
});

// -- the relay's state (the original's three dicts) --
const users = new Map(); // socket -> the monitor_id it queried
const monitors = new Map(); // socket -> the monitor_id it registered
const registered = new Set(); // monitor_ids taken by a monitor

const MONITOR_ID_LENGTH = 32;

/** The monitor_id of a payload: a string of 32 code points (Python's len). */
function monitorIdOf(payload) {
  const id = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload.monitor_id : undefined;
  return typeof id === 'string' && [...id].length === MONITOR_ID_LENGTH ? id : undefined;
}

function stringMember(payload, key) {
  const value = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The sockets whose entry in `table` is `monitorId`. */
function socketsOf(table, monitorId) {
  return [...table].filter(([, id]) => id === monitorId).map(([socket]) => socket);
}

/** Emits the failure, then disconnects the namespace (`41`: no reconnect loop). */
function refuse(socket, event, reason) {
  socket.emit(event, { reason });
  socket.disconnect();
}

io.on('connection', (socket) => {
  socket.on('query', (payload) => {
    const id = monitorIdOf(payload);
    if (id === undefined) return refuse(socket, 'query failed', 'Invalid monitor_id');
    users.set(socket, id);
    socket.emit('query ok', { reason: 'Query ok' });
  });

  socket.on('con', (payload) => {
    const id = monitorIdOf(payload);
    if (id === undefined) return refuse(socket, 'con failed', 'Invalid monitor_id');
    if (registered.has(id)) return refuse(socket, 'con failed', 'monitor_id already registered');
    // A second `con` with another id leaves the first one taken for good,
    // as in the original.
    monitors.set(socket, id);
    registered.add(id);
    socket.emit('con ok', { reason: 'Connection ok' });
  });

  socket.on('command send', (payload) => {
    const command = stringMember(payload, 'command');
    if (!command) return socket.emit('command failed', { reason: 'Invalid command' });
    if (!users.has(socket)) return socket.emit('command failed', { reason: 'Query a monitor_id first' });
    for (const monitor of socketsOf(monitors, users.get(socket))) monitor.emit('command do', { command });
    // Also when the monitor is offline: the command is dropped silently.
    socket.emit('command ok', { reason: 'Command ok' });
  });

  socket.on('command done', () => {
    if (!monitors.has(socket)) return socket.emit('command failed', { reason: 'Not registered as a monitor' });
    for (const user of socketsOf(users, monitors.get(socket))) user.emit('command finish', { reason: 'Command finish' });
  });

  socket.on('command error', (payload) => {
    if (!monitors.has(socket)) return socket.emit('command failed', { reason: 'Not registered as a monitor' });
    const reason = stringMember(payload, 'reason') ?? 'Monitor reported an error without a reason';
    for (const user of socketsOf(users, monitors.get(socket))) user.emit('command failed', { reason });
  });

  socket.on('disconnect', () => {
    // Users are not told that their monitor left.
    if (monitors.has(socket)) registered.delete(monitors.get(socket));
    monitors.delete(socket);
    users.delete(socket);
  });
});

httpServer.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`listening socketio 127.0.0.1:${httpServer.address().port}`);
});

process.on('SIGTERM', () => {
  io.engine.close(); // drops every transport: clients see "transport close"
  httpServer.close();
  httpServer.closeAllConnections();
  setImmediate(() => process.exit(0)); // once the close frames are written
});
