// GET /metrics for end-to-end tests: the samples of Prometheus' text format
// by series, and Prometheus' own checker (`promtool check metrics`, from
// Debian's prometheus package) run over the text.

import { spawn } from 'node:child_process';

/**
 * The samples of an exposition text: a Map from the series as written
 * (`name{a="x",b="y"}`, labels in the node's order) to its number.
 */
export function parseMetrics(text) {
  const samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space < 0) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** The series key of `name` with `labels` ({a: 'x'}), as the node writes it. */
export function series(name, labels = {}) {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return pairs.length ? `${name}{${pairs.join(',')}}` : name;
}

/** The value of one series; throws, naming what is there, when it is missing. */
export function valueOf(samples, name, labels = {}) {
  const key = series(name, labels);
  if (!samples.has(key)) {
    const near = [...samples.keys()].filter((k) => k.startsWith(name)).slice(0, 20);
    throw new Error(`no series ${key}; ${name} has: ${near.join(' ') || 'nothing'}`);
  }
  return samples.get(key);
}

/** Fetches /metrics from a node's ttm port: { status, contentType, text, samples }. */
export async function scrape(port) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10000) });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, samples: parseMetrics(text) };
}

/** `promtool check metrics` over `text`: { code, output } (its stdout and stderr). */
export function promtoolCheck(text) {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
