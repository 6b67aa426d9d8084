// Live counters from GET /metrics (Prometheus text format), polled every
// 2 s: connections per interface, frames/s in and out (from the difference
// of two polls), bytes queued, slow-consumer closes, and the process's
// memory, CPU and open files.

import { getText } from './api.js';
import { $, el, emptyRow, fmtBytes, fmtNumber, fmtRate } from './ui.js';

const POLL_MS = 2000;

/**
 * A tolerant parser for the lines the page needs: `name{a="b",...} value`
 * or `name value`; comments, blank lines and anything unreadable are
 * skipped. Returns [{name, labels, value}].
 */
export function parseMetrics(text) {
  const samples = [];
  const line = /^([a-zA-Z_:][\w:]*)(?:\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_]\w*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = line.exec(trimmed);
    if (!m) continue;
    const labels = {};
    for (const [, k, v] of (m[2] || '').matchAll(label)) labels[k] = v.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    const value = Number(m[3]);
    if (!Number.isNaN(value)) samples.push({ name: m[1], labels, value });
  }
  return samples;
}

/** {metric name: {interface: value}} for the per-interface series, plus bare values. */
function index(samples) {
  const by = {};
  for (const s of samples) {
    by[s.name] ??= {};
    by[s.name][s.labels.interface ?? ''] = s.value;
  }
  return by;
}

let previous = null; // {at, by}
let order = []; // interface names, in the node's listener order

/** Interfaces in the order the node lists them (GET /api/node). */
export function setInterfaces(interfaces) {
  order = interfaces.map((i) => i.service);
}

async function poll() {
  let text;
  try {
    text = await getText('/metrics');
  } catch (err) {
    $('counters-body').replaceChildren(emptyRow(6, `Metrics unavailable (${err.message}).`));
    return;
  }
  const at = performance.now();
  const by = index(parseMetrics(text));
  render(by, previous && { by: previous.by, seconds: (at - previous.at) / 1000 });
  previous = { at, by };
}

function rate(by, before, name, iface) {
  if (!before || before.seconds <= 0) return NaN;
  const now = by[name]?.[iface];
  const then = before.by[name]?.[iface];
  if (now === undefined || then === undefined || now < then) return NaN; // new or reset
  return (now - then) / before.seconds;
}

function render(by, before) {
  const names = new Set([...order, ...Object.keys(by.signalbox_connections ?? {})]);
  names.delete('');
  const rows = [...names].map((iface) => {
    const v = (metric) => by[metric]?.[iface];
    return el(
      'tr',
      { dataset: { interface: iface } },
      el('td', { class: 'name' }, iface),
      el('td', { class: 'num', 'data-col': 'connections' }, fmtNumber(v('signalbox_connections'))),
      el('td', { class: 'num' }, fmtRate(rate(by, before, 'signalbox_frames_sent_total', iface))),
      el('td', { class: 'num' }, fmtRate(rate(by, before, 'signalbox_frames_received_total', iface))),
      el('td', { class: 'num opt' }, fmtBytes(v('signalbox_bytes_queued'))),
      el('td', { class: 'num' }, fmtNumber(v('signalbox_slow_consumer_closes_total'))),
    );
  });
  $('counters-body').replaceChildren(...(rows.length ? rows : [emptyRow(6, 'No listeners.')]));

  const bare = (metric) => by[metric]?.[''];
  const cpu = before ? rate(by, before, 'process_cpu_seconds_total', '') * 100 : NaN;
  const parts = [];
  if (bare('process_resident_memory_bytes') !== undefined) parts.push(`RSS ${fmtBytes(bare('process_resident_memory_bytes'))}`);
  if (Number.isFinite(cpu)) parts.push(`CPU ${cpu.toFixed(1)} %`);
  if (bare('process_open_fds') !== undefined) parts.push(`${bare('process_open_fds')} fds`);
  $('process-stats').textContent = parts.join(' · ');
}

export function startCounters() {
  poll();
  setInterval(() => document.hidden || poll(), POLL_MS);
}
