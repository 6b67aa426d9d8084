// The soak's durability probe: writes persistent shared values over REST as
// fast as `--rate` allows and appends every acknowledged write (a 200 or 201
// after the node's commit) to `--log` as "<key> <seq>". The sequence goes on
// from the log's last line, so one log spans every node restart. It ends
// when the node stops answering (it was killed) or on SIGTERM.
//
//   node acked_writer.mjs --port=N --log=FILE [--keys=50] [--rate=200]

import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    log: { type: 'string' },
    keys: { type: 'string', default: '50' },
    rate: { type: 'string', default: '200' },
  },
});
const keys = Number(args.keys);
const interval = 1000 / Number(args.rate);

function lastSeq() {
  if (!fs.existsSync(args.log)) return 0;
  const lines = fs.readFileSync(args.log, 'utf8').trimEnd().split('\n');
  const last = lines[lines.length - 1];
  return last ? Number(last.split(' ')[1]) : 0;
}

let seq = lastSeq();
let stopping = false;
process.on('SIGTERM', () => (stopping = true));

while (!stopping) {
  const started = Date.now();
  seq += 1;
  const key = `soak-${seq % keys}`;
  let res;
  try {
    res = await fetch(`http://127.0.0.1:${args.port}/api/values/${key}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: String(seq), persistent: true, notify: true }),
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
  } catch {
    break; // the node is gone
  }
  if (res.status === 200 || res.status === 201) fs.appendFileSync(args.log, `${key} ${seq}\n`);
  const wait = interval - (Date.now() - started);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
