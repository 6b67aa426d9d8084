// After a restart: every write the node acknowledged (acked_writer.mjs's
// log) must be there. For each key the stored value must be at least the
// last acknowledged sequence number (a later write may have committed
// without its answer arriving). Prints {"keys","acked","lost","missing"} as
// JSON and exits 1 when anything acknowledged is lost.
//
//   node verify.mjs --port=N --log=FILE

import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { port: { type: 'string' }, log: { type: 'string' } } });

const acked = new Map();
let writes = 0;
if (fs.existsSync(args.log)) {
  for (const line of fs.readFileSync(args.log, 'utf8').split('\n')) {
    if (!line) continue;
    const [key, seq] = line.split(' ');
    acked.set(key, Math.max(acked.get(key) ?? 0, Number(seq)));
    writes += 1;
  }
}
const res = await fetch(`http://127.0.0.1:${args.port}/api/values`, { signal: AbortSignal.timeout(10000) });
const stored = new Map((await res.json()).map((v) => [v.key, Number(v.value)]));
const missing = [];
for (const [key, seq] of acked) {
  const got = stored.get(key);
  if (got === undefined || got < seq) missing.push({ key, acked: seq, stored: got ?? null });
}
console.log(JSON.stringify({ keys: acked.size, acked: writes, lost: missing.length, missing: missing.slice(0, 10) }));
process.exit(missing.length ? 1 : 0);
