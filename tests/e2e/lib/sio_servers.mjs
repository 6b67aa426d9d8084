// The Socket.IO servers of the end-to-end tests, switchable to the Node
// reference so that the same tests validate against Node's socket.io:
//
// - startConformance(): the conformance server of the protocol suites
//   (docs/socketio.md): signalbox's test program
//   SIGNALBOX_SIO_CONFORMANCE (default <repo>/build/tests/
//   signalbox-sio-conformance), or with SIO_REFERENCE=1
//   tools/peers/socketio-conformance/server.mjs;
// - startRelay(): the altoponix relay: a signalbox node with a Socket.IO
//   listener, or with SIO_REFERENCE=1 tools/peers/altoponix-node/server.mjs.
//
// Every server is started with --port=0 (or --socketio.port=0) and found by
// its `listening socketio 127.0.0.1:<port>` line. Each returns
// {port, url, wsUrl, stop(), describe()}; stop() sends SIGTERM and fails
// when the server does not exit cleanly.

import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { SignalboxNode } from './node.mjs';

/** True when the tests run against the Node reference servers. */
export const REFERENCE = process.env.SIO_REFERENCE === '1';

/** Names the server under test in test output. */
export const SERVER_KIND = REFERENCE ? 'Node reference' : 'signalbox';

export const conformanceBin =
  process.env.SIGNALBOX_SIO_CONFORMANCE ||
  fileURLToPath(new URL('../../../build/tests/signalbox-sio-conformance', import.meta.url));

const PEERS = fileURLToPath(new URL('../../../tools/peers/', import.meta.url));
const REFERENCE_CONFORMANCE = `${PEERS}socketio-conformance/server.mjs`;
const REFERENCE_RELAY = `${PEERS}altoponix-node/server.mjs`;

const LISTENING_SOCKETIO = /^listening socketio 127\.0\.0\.1:(\d+)$/;
const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 10000;

// Servers still running when the test process exits are killed, so that no
// orphan keeps a port.
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A server process found by its listening line. */
class ServerProcess {
  static async start(command, args) {
    const server = new ServerProcess(command, args);
    await server._start();
    return server;
  }

  constructor(command, args) {
    this.command = command;
    this.args = args;
    this.stdout = [];
    this.stderr = '';
  }

  async _start() {
    this.child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        live.delete(this.child);
        resolve({ code, signal });
      }),
    );
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-65536)));
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      this.child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
        this.stdout.push(line);
        const m = LISTENING_SOCKETIO.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`exited (code ${code}, signal ${signal}) before listening`));
      });
    }).catch((err) => {
      this.child.kill('SIGKILL');
      throw new Error(`${err.message}\n${this.describe()}`);
    });
    this.port = port;
  }

  describe() {
    return `command: ${this.command} ${this.args.join(' ')}\nstdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr}`;
  }

  /** SIGTERM; fails unless the process exits with code 0 in time. */
  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === null) {
      this.child.kill('SIGKILL');
      throw new Error(`did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${this.describe()}`);
    }
    if (result.code !== 0)
      throw new Error(`exited with code ${result.code}, signal ${result.signal} on SIGTERM\n${this.describe()}`);
  }
}

function endpoint(port, stop, describe) {
  return { port, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, stop, describe };
}

/** Starts the conformance server (signalbox's, or Node's with SIO_REFERENCE=1). */
export async function startConformance() {
  const server = REFERENCE
    ? await ServerProcess.start(process.execPath, [REFERENCE_CONFORMANCE, '--port=0'])
    : await ServerProcess.start(conformanceBin, ['--port=0']);
  return endpoint(server.port, () => server.stop(), () => server.describe());
}

/**
 * Starts the altoponix relay. `options` are the Socket.IO options by their
 * names ({'ping-interval': '500ms', 'max-payload': 10000}): signalbox gets
 * them as --socketio.<name>=<value>, the Node reference as --<name>=<value>.
 * `port` 0 is ephemeral; give the port of a stopped relay to restart it
 * there.
 */
export async function startRelay({ port = 0, options = {} } = {}) {
  if (REFERENCE) {
    const args = Object.entries(options).map(([k, v]) => `--${k}=${v}`);
    const server = await ServerProcess.start(process.execPath, [REFERENCE_RELAY, `--port=${port}`, ...args]);
    return endpoint(server.port, () => server.stop(), () => server.describe());
  }
  const args = [`--socketio.port=${port}`, ...Object.entries(options).map(([k, v]) => `--socketio.${k}=${v}`)];
  const node = await SignalboxNode.start({ args });
  let socketioPort;
  try {
    socketioPort = await node.portOf('socketio');
  } catch (err) {
    await node.dispose().catch(() => {});
    throw err;
  }
  // dispose(): SIGTERM, a clean exit required, the temp dir removed.
  // `node`: the signalbox node itself (its metrics); absent for Node's.
  return { ...endpoint(socketioPort, () => node.dispose(), () => node.describe()), node };
}
