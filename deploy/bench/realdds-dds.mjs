// realdds DDS benchmark (issue 12), the analysis: reads the outputs of the
// realdds-reader processes of one run (one JSON event per line) and the
// load generator's report, and prints one JSON object: value notifications
// delivered to all readers, lost (writes acknowledged but not seen by a
// reader), messages, latency from the writer's send (the load tool's stamp,
// steady clock) to the reader's take (p50/p99/p99.9 µs), and deliveries
// per server CPU-second.
//
//   node realdds-dds.mjs <load-report.json> <reader-output>...
import fs from 'node:fs';

const [reportFile, ...readerFiles] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
const latencies = [];
let delivered = 0;
let messages = 0;
let lost = 0;
for (const file of readerFiles) {
  const seen = new Set();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line);
    if (e.event !== 'message' || e.format !== 0) continue;
    messages++;
    const m = JSON.parse(Buffer.from(e.data, 'hex').toString('utf8'));
    for (const n of Array.isArray(m) ? m : [m]) {
      if (n.id !== 'value' || typeof n.value !== 'string' || !n.value.startsWith('{')) continue;
      let stamp;
      try {
        stamp = JSON.parse(n.value);
      } catch {
        continue;
      }
      if (stamp.run === undefined) continue;
      seen.add(`${stamp.pub}/${stamp.seq}`);
      delivered++;
      latencies.push((e.received_steady_ns - stamp.t) / 1000);
    }
  }
  lost += Math.max(0, report.rest.writes_ok - seen.size);
}
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : null);
console.log(
  JSON.stringify({
    readers: readerFiles.length,
    writes_ok: report.rest.writes_ok,
    delivered,
    lost,
    messages,
    run_seconds: report.run_seconds,
    delivered_per_second: delivered / report.run_seconds,
    server_cpu_seconds: report.server.cpu_seconds,
    server_cpu_percent: report.server.cpu_percent,
    delivered_per_server_cpu_second: delivered / report.server.cpu_seconds,
    latency_us: { p50: pct(50), p99: pct(99), p99_9: pct(99.9), max: latencies.at(-1) ?? null },
  }),
);
