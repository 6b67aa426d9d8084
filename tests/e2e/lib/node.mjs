// Starts and stops the real signalbox binary for end-to-end tests.
//
// Every node gets a fresh temporary directory (its data directory lives in
// it, and it is the node's working directory) and the ttmnotify port 0, so
// that test files can run in parallel. Start-up waits for the node's
// `listening ttm 127.0.0.1:<port>` line on stdout; a node that exits or stays
// silent fails the start with its stderr in the message.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { Api } from './http.mjs';
import { WsClient } from './ws.mjs';

/**
 * The binary under test: CTest sets SIGNALBOX_BIN; manual runs use the
 * lead's build when there is one, else <repo>/build (deploy/setup.sh).
 */
export const signalboxBin =
  process.env.SIGNALBOX_BIN || fileURLToPath(new URL('../../../build/signalbox', import.meta.url));

const LISTENING_TTM = /^listening ttm 127\.0\.0\.1:(\d+)$/;
const LISTENING_ANY = /^listening (\S+) 127\.0\.0\.1:(\d+)$/;

/** A DDS domain for this test process (realdds.domain: 0..232). */
export const REALDDS_TEST_DOMAIN = 1 + (process.pid % 200);

/**
 * Every listener on an ephemeral port, so that test nodes never collide:
 * put first, so that a test's own arguments can still override them.
 */
export const EPHEMERAL_PORTS = [
  '--ttm.port=0',
  '--jmri.port=0',
  '--jmri.tcp-port=0',
  '--socketio.port=0',
  '--rtoc.port=0',
  '--realdds.port=0',
  // DDS has no ports to pick: nodes of one test process share a domain and
  // topic root of their own, so that parallel test files never see each
  // other's notifications (tests that read them pick unique ones).
  `--realdds.domain=${REALDDS_TEST_DOMAIN}`,
  `--realdds.topic-root=signalbox/e2e-${process.pid}`,
];

// Nodes still running when the test process exits (a crashed test, an
// uncaught error) are killed so that no orphan keeps a port or a data dir.
const liveNodes = new Set();
process.on('exit', () => {
  for (const node of liveNodes) {
    try {
      process.kill(node.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A temporary directory that is removed again by `remove()`. */
export class TempDir {
  static async create(prefix = 'signalbox-e2e-') {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
    return new TempDir(dir);
  }

  constructor(dirPath) {
    this.path = dirPath;
  }

  /** An absolute path inside the directory. */
  file(...parts) {
    return path.join(this.path, ...parts);
  }

  async write(name, text) {
    const file = this.file(name);
    await fs.promises.writeFile(file, text);
    return file;
  }

  async remove() {
    await fs.promises.rm(this.path, { recursive: true, force: true });
  }
}

/** Resolves with {code, signal} when `child` has exited. */
function exitOf(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else
      child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function withTimeout(promise, ms, onTimeout) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs the binary with `args` to completion (for start-up errors) and
 * resolves with {code, signal, stdout, stderr}; kills it after `timeoutMs`.
 * A node that starts listening although it should not is stopped at once
 * (SIGTERM): its stdout then shows the listening line.
 */
export async function runToExit(args, { cwd, timeoutMs = 10000, env } = {}) {
  const child = spawn(signalboxBin, [...EPHEMERAL_PORTS, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    if (/^listening /m.test(stdout)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d) => (stderr += d));
  const spawned = new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  await spawned;
  const exited = exitOf(child);
  const result = await withTimeout(exited, timeoutMs, () => {
    child.kill('SIGKILL');
    return new Error(
      `signalbox ${args.join(' ')} did not exit within ${timeoutMs} ms\n` +
        `stdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  });
  // 'exit' can fire before the pipes are drained.
  await Promise.all([
    new Promise((r) => (child.stdout.readableEnded ? r() : child.stdout.once('close', r))),
    new Promise((r) => (child.stderr.readableEnded ? r() : child.stderr.once('close', r))),
  ]);
  return { ...result, stdout, stderr };
}

/**
 * A running signalbox node.
 *
 * Options:
 * - config: INI text written to <dir>/node.conf and passed as --config-file
 *   (without it the embedded default configuration runs);
 * - args: more command-line options (they override the config file);
 * - dir: a TempDir to use (e.g. to restart on the same data directory); the
 *   node then does not remove it;
 * - env: extra environment variables;
 * - startTimeoutMs: how long to wait for the listening line;
 * - cpus: a CPU list (`taskset -c`) to start the node on, which it takes
 *   as its affinity mask (taskset execs it: the pid stays the node's).
 */
export class SignalboxNode {
  static async start(options = {}) {
    const node = new SignalboxNode(options);
    try {
      await node._start();
    } catch (err) {
      await node.dispose();
      throw err;
    }
    return node;
  }

  constructor({ config, args = [], dir, env = {}, startTimeoutMs = 10000, cpus } = {}) {
    this.config = config;
    this.cpus = cpus;
    this.extraArgs = args;
    this.dir = dir;
    this.ownsDir = !dir;
    this.env = env;
    this.startTimeoutMs = startTimeoutMs;
    this.stdoutLines = [];
    this.ports = {};
    this.portWaiters = [];
    this.stderr = '';
    this.clients = new Set();
  }

  /** The data directory inside the node's temp dir. */
  get dataDir() {
    return this.dir.file('data');
  }

  get running() {
    return this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async _start() {
    if (!this.dir) this.dir = await TempDir.create();
    const args = [];
    if (this.config !== undefined)
      args.push(`--config-file=${await this.dir.write('node.conf', this.config)}`);
    args.push(...EPHEMERAL_PORTS, `--store.directory=${this.dataDir}`, ...this.extraArgs);
    this.args = args;
    const [command, argv] =
      this.cpus === undefined ? [signalboxBin, args] : ['taskset', ['-c', this.cpus, signalboxBin, ...args]];
    this.child = spawn(command, argv, {
      cwd: this.dir.path,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid;
    liveNodes.add(this);
    this.exited = exitOf(this.child).then((r) => {
      liveNodes.delete(this);
      return r;
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => {
      // Bounded: a chatty node must not eat the test's memory.
      this.stderr = (this.stderr + d).slice(-65536);
    });
    const listening = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      const lines = readline.createInterface({ input: this.child.stdout });
      lines.on('line', (line) => {
        this.stdoutLines.push(line);
        const any = LISTENING_ANY.exec(line);
        if (any) {
          this.ports[any[1]] = Number(any[2]);
          for (const waiter of this.portWaiters.splice(0)) waiter();
        }
        const m = LISTENING_TTM.exec(line);
        if (m) resolve(Number(m[1]));
      });
      this.exited.then(({ code, signal }) =>
        reject(new Error(`signalbox exited (code ${code}, signal ${signal}) before listening`)),
      );
    });
    try {
      this.port = await withTimeout(
        listening,
        this.startTimeoutMs,
        () => new Error(`no "listening ttm 127.0.0.1:<port>" line within ${this.startTimeoutMs} ms`),
      );
    } catch (err) {
      throw new Error(`${err.message}\n${this.describe()}`);
    }
    this.baseUrl = `http://127.0.0.1:${this.port}`;
    this.wsUrl = `ws://127.0.0.1:${this.port}`;
    this.api = new Api(this.baseUrl);
  }

  /**
   * The port of listener `service` ("jmri", "jmri-tcp", ...), once its
   * listening line has been printed.
   */
  async portOf(service, timeoutMs = 5000) {
    const ready = new Promise((resolve) => {
      const check = () => (service in this.ports ? resolve(this.ports[service]) : this.portWaiters.push(check));
      check();
    });
    return withTimeout(ready, timeoutMs, () => new Error(`no "listening ${service}" line\n${this.describe()}`));
  }

  /** Command line, stdout and stderr, for failure messages. */
  describe() {
    return (
      `command: ${signalboxBin} ${(this.args || []).join(' ')}\n` +
      `stdout:\n${this.stdoutLines.join('\n')}\nstderr:\n${this.stderr}`
    );
  }

  /** A REST client of this node with a bearer token. */
  apiWithToken(token) {
    return new Api(this.baseUrl, { token });
  }

  /** Connects a ttmnotify client (closed again by dispose()). */
  async connect({ path = '/', protocols = 'ttmnotify', label } = {}) {
    const client = await WsClient.connect(this.wsUrl + path, { protocols, label });
    this.clients.add(client);
    return client;
  }

  /** Waits for the process to exit; SIGKILLs it and throws after timeoutMs. */
  async waitExit(timeoutMs = 15000) {
    return withTimeout(this.exited, timeoutMs, () => {
      this.child.kill('SIGKILL');
      return new Error(`signalbox did not exit within ${timeoutMs} ms\n${this.describe()}`);
    });
  }

  /** SIGTERM; resolves with {code, signal}. */
  async stop(timeoutMs = 15000) {
    if (this.running) this.child.kill('SIGTERM');
    return this.waitExit(timeoutMs);
  }

  /** SIGTERM and require a clean exit (code 0). */
  async stopCleanly(timeoutMs = 15000) {
    const { code, signal } = await this.stop(timeoutMs);
    if (code !== 0)
      throw new Error(`signalbox exited with code ${code}, signal ${signal} on SIGTERM\n${this.describe()}`);
  }

  /** SIGKILL: no chance to clean up (durability tests). */
  async kill9() {
    if (this.running) this.child.kill('SIGKILL');
    return this.waitExit();
  }

  /**
   * For t.after()/after(): closes clients, stops a still running node with
   * SIGTERM (SIGKILL when it hangs) and removes its temp dir when it owns it.
   * Throws when a running node did not exit cleanly, so that every test file
   * also checks the orderly shutdown.
   */
  async dispose() {
    for (const client of this.clients) client.terminate();
    this.clients.clear();
    let failure;
    try {
      if (this.child && this.running) await this.stopCleanly();
    } catch (err) {
      failure = err;
    } finally {
      if (this.child && this.running) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
      if (this.ownsDir && this.dir) await this.dir.remove();
    }
    if (failure) throw failure;
  }
}

/**
 * A data directory that outlives single nodes: returns `start(options)`,
 * which starts a node on it with `defaults` and `options`. Every node and
 * the directory are cleaned up after the test `t`, whatever happens
 * (restarts, kill -9).
 */
export async function nodesOnOneDataDir(t, defaults = {}) {
  const dir = await TempDir.create();
  const nodes = [];
  t.after(async () => {
    try {
      for (const n of nodes) await n.dispose();
    } finally {
      await dir.remove();
    }
  });
  return async (options = {}) => {
    const node = await SignalboxNode.start({ ...defaults, ...options, dir });
    nodes.push(node);
    return node;
  };
}

/** Starts a node and registers its disposal with the test context `t`. */
export async function startNode(t, options) {
  const node = await SignalboxNode.start(options);
  t.after(() => node.dispose());
  return node;
}

/**
 * True when process `pid` no longer exists at all: it ended and was reaped
 * (a supervisor that stopped a child has also waited for it).
 */
export function processGone(pid) {
  return !fs.existsSync(`/proc/${pid}`);
}

/**
 * True when process `pid` is running (present in /proc and not a zombie).
 * A zombie is dead; it only waits for its parent to reap it.
 */
export function processAlive(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // Field 3 follows the parenthesised command name, which may hold spaces.
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}
