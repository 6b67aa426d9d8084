// realdds log benchmark (issue 12): a job writes `rate` lines per second for
// `seconds` seconds; one client of the realdds WebSocket mirror counts the
// `log` entries it receives. Prints one JSON object: entries delivered,
// messages, the node's CPU seconds over the run (from /proc), and CPU per
// delivered entry. With --listen=0 nobody listens (realdds encodes nothing):
// the CPU the node spends capturing the job's output alone, for comparison.
//
//   node realdds-log.mjs --pid=N --ttm-port=P --realdds-port=P
//        --program=<line_burst> [--rate=100000] [--seconds=5] [--listen=0]
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/e2e/package.json', import.meta.url));
const WebSocket = require('ws');

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v];
  }),
);
const rate = Number(args.rate ?? 100000);
const seconds = Number(args.seconds ?? 5);
const base = `http://127.0.0.1:${args['ttm-port']}`;
const jobName = `burst-${process.pid}-${Date.now()}`;

/** utime + stime of the node, in seconds (USER_HZ 100). */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const listen = args.listen !== '0';
let entries = 0;
let messages = 0;
let jobExited;
const exited = new Promise((resolve) => (jobExited = resolve));
let jobId;
function count(data) {
  messages++;
  const m = JSON.parse(data.toString());
  for (const n of Array.isArray(m) ? m : [m]) {
    if (n.id === 'log') for (const e of n.entries) if (e[3] && e[3].job === jobName) entries++;
    if (n.id === 'job-status' && n['job-id'] === jobId && n.status === 15) jobExited();
  }
}
let ws;
if (listen) {
  ws = new WebSocket(`ws://127.0.0.1:${args['realdds-port']}/`, 'realdds-json');
  ws.on('message', count);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
}

/** Without a listener: the job's status by REST until it has exited. */
async function pollExit() {
  for (;;) {
    const job = await (await fetch(`${base}/api/jobs/${jobId}`)).json();
    if (job.status === 15) return jobExited();
    await new Promise((r) => setTimeout(r, 50));
  }
}
const created = await (
  await fetch(`${base}/api/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: jobName, command: [args.program, String(rate), String(seconds)], autostart: false, restart: 'no' }),
  })
).json();
jobId = created.id;
if (jobId === undefined) throw new Error(`creating the job: ${JSON.stringify(created)}`);
const cpuBefore = cpuSeconds(args.pid);
const t0 = Date.now();
await fetch(`${base}/api/jobs/${jobId}/start`, { method: 'POST' });
if (!listen) pollExit();
await exited;
// The last lines go out on the log-flush timer, before the exit's status
// (logs first): by the exit notification every entry has arrived.
const wall = (Date.now() - t0) / 1000;
const cpu = cpuSeconds(args.pid) - cpuBefore;
if (ws) ws.close();
console.log(
  JSON.stringify({
    listen,
    rate,
    seconds,
    lines: rate * seconds,
    entries,
    messages,
    wall_seconds: wall,
    server_cpu_seconds: cpu,
    cpu_us_per_line: (cpu * 1e6) / (rate * seconds),
    cpu_us_per_entry: entries ? (cpu * 1e6) / entries : null,
  }),
);
