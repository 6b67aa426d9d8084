// RTOC signals as live plots (uPlot, loaded by index.html as the global
// `uPlot`). Every 2 s the page lists /api/signals and reads, per signal,
// only the samples newer than the last one it has (?since=<x>); each chart
// keeps at most MAX_POINTS. When RTOC is disabled the node answers 404 and
// the section is hidden.
//
// With rtoc.password set the node guards these reads with it (bearer);
// the section then offers to enter it, kept for the tab like the API token.
//
// The node's own mirror signals (gpio.<line>, values.<key>) are states
// sampled on change, so they are drawn as steps held up to "now";
// other signals (streamed by RTOC clients) as plain lines.

import { get, seg } from './api.js';
import { askToken } from './token.js';
import { $, el } from './ui.js';

const POLL_MS = 2000;
const MAX_POINTS = 2000;
const FIRST_WINDOW_S = 3600; // history fetched for a signal seen the first time
const HEIGHT = 110;

const PASSWORD_KEY = 'signalbox.rtoc-password';

const signals = new Map(); // name → {name, unit, x, y, card, chartBox, latest, chart}
let stopped = false; // RTOC disabled
let locked = false; // waiting for the RTOC password

/** The stored RTOC password as the bearer, or undefined (then the API token goes, harmlessly). */
const auth = () => ({ bearer: sessionStorage.getItem(PASSWORD_KEY) ?? undefined });

const isState = (name) => name.startsWith('gpio.') || name.startsWith('values.');

async function poll() {
  let list;
  try {
    list = await get('/api/signals', auth());
  } catch (err) {
    if (err.status === 404) {
      // RTOC disabled on this node: nothing to plot, ever.
      $('signals').hidden = true;
      stopped = true;
    } else if (err.status === 401) {
      const rejected = sessionStorage.getItem(PASSWORD_KEY) !== null;
      lock(rejected);
      if (rejected) unlock(); // a wrong password: asked again at once
    }
    return;
  }
  $('signals').hidden = false;
  // Names without samples (the mirror's jobs.<name> carry events only) have nothing to plot.
  list = list.filter((s) => s.latest !== null);
  const names = new Set(list.map((s) => s.name));
  for (const [name, entry] of signals)
    if (!names.has(name)) {
      entry.chart?.destroy();
      entry.card.remove();
      signals.delete(name);
    }
  for (const info of [...list].sort((a, b) => a.name.localeCompare(b.name))) {
    let entry = signals.get(info.name);
    if (!entry) {
      entry = create(info);
      signals.set(info.name, entry);
      place(entry);
    }
    entry.unit = info.unit || '';
    const last = entry.x.length ? entry.x[entry.x.length - 1] : null;
    if (info.latest && (last === null || info.latest[0] > last)) await load(entry, info.latest[0]);
    draw(entry);
  }
  $('signals-empty').hidden = signals.size > 0;
}

/** Reads the samples after the last one held (a window before `latestX` at first). */
async function load(entry, latestX) {
  const since = entry.x.length ? entry.x[entry.x.length - 1] : latestX - FIRST_WINDOW_S;
  let data;
  try {
    data = await get(`/api/signals/${seg(entry.name)}?since=${since}&limit=${MAX_POINTS}`, auth());
  } catch {
    return;
  }
  entry.x.push(...data.x);
  entry.y.push(...data.y);
  if (entry.x.length > MAX_POINTS) {
    entry.x.splice(0, entry.x.length - MAX_POINTS);
    entry.y.splice(0, entry.y.length - MAX_POINTS);
  }
}

function create(info) {
  const latest = el('span', { class: 'plot-latest' });
  const chartBox = el('div', { class: 'plot-chart' });
  const card = el(
    'figure',
    { class: 'plot', dataset: { signal: info.name }, 'aria-label': `Signal ${info.name}` },
    el('figcaption', { class: 'plot-head' }, el('span', { class: 'plot-name' }, info.name), latest),
    chartBox,
  );
  return { name: info.name, unit: info.unit || '', x: [], y: [], card, chartBox, latest, chart: null };
}

function place(entry) {
  const grid = $('signals-grid');
  const next = [...grid.children].find((c) => c.dataset.signal > entry.name);
  grid.insertBefore(entry.card, next || null);
}

function fmtValue(v, unit) {
  const text = Number.isInteger(v) ? String(v) : Number(v).toPrecision(4).replace(/\.?0+$/, '');
  return unit ? `${text} ${unit}` : text;
}

function draw(entry) {
  const n = entry.x.length;
  entry.card.dataset.points = String(n); // samples held (tests read it)
  entry.latest.textContent = n ? fmtValue(entry.y[n - 1], entry.unit) : 'no samples';
  if (n === 0 || typeof uPlot === 'undefined') return;
  let xs = entry.x;
  let ys = entry.y;
  // A state holds its last value until the next change: draw it up to now.
  const now = Date.now() / 1000;
  if (isState(entry.name) && now > xs[n - 1]) {
    xs = [...xs, now];
    ys = [...ys, ys[n - 1]];
  }
  if (!entry.chart) entry.chart = makeChart(entry, [xs, ys]);
  else entry.chart.setData([xs, ys]);
}

// Time ticks at whole seconds or more (labels never repeat a second).
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400, 604800];

/** 24-hour tick labels, one line each: seconds only when ticks are that close. */
function timeLabels(u, splits, axisIdx, space, incr) {
  const pad = (n) => String(n).padStart(2, '0');
  return splits.map((s) => {
    const d = new Date(s * 1000);
    if (incr >= 86400) return `${d.getMonth() + 1}/${d.getDate()}`;
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return incr < 60 ? `${hm}:${pad(d.getSeconds())}` : hm;
  });
}

/** A little room above and below; a constant value gets a band around it. */
function yRange(u, min, max) {
  if (min === null || max === null) return [0, 1];
  const pad = min === max ? Math.max(1, Math.abs(min) * 0.1) : (max - min) * 0.1;
  return [min - pad, max + pad];
}

function makeChart(entry, data) {
  const state = isState(entry.name);
  const gpio = entry.name.startsWith('gpio.');
  const color = gpio ? '#2da44e' : '#1f6feb';
  const width = Math.max(200, entry.chartBox.clientWidth);
  const opts = {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: gpio ? [-0.15, 1.15] : yRange } },
    axes: [
      {
        stroke: '#607080', grid: { stroke: '#edf0f3' }, ticks: { stroke: '#dde2e8' },
        font: '11px system-ui, sans-serif', values: timeLabels, incrs: TIME_INCRS, space: 64,
      },
      {
        stroke: '#607080', size: 42, grid: { stroke: '#edf0f3' }, ticks: { stroke: '#dde2e8' },
        font: '11px system-ui, sans-serif', ...(gpio ? { splits: () => [0, 1] } : {}),
      },
    ],
    series: [
      {},
      {
        label: entry.name,
        stroke: color,
        width: 1.5,
        fill: gpio ? 'rgba(45,164,78,0.12)' : 'rgba(31,111,235,0.08)',
        points: { show: false },
        ...(state ? { paths: uPlot.paths.stepped({ align: 1 }) } : {}),
      },
    ],
  };
  return new uPlot(opts, data, entry.chartBox);
}

/** Charts follow their box's width (window resize, grid reflow). */
function watchSizes() {
  const observer = new ResizeObserver(() => {
    for (const entry of signals.values())
      if (entry.chart) {
        const width = Math.max(200, entry.chartBox.clientWidth);
        if (width !== entry.chart.width) entry.chart.setSize({ width, height: HEIGHT });
      }
  });
  observer.observe($('signals-grid'));
}

/** Polling stops until the user gives the password (a rejected one is forgotten). */
function lock(rejected) {
  locked = true;
  if (rejected) sessionStorage.removeItem(PASSWORD_KEY);
  $('signals-locked').hidden = false;
  $('signals-unlock').dataset.rejected = String(rejected);
}

let tick = () => {};

async function unlock() {
  const password = await askToken($('signals-unlock').dataset.rejected === 'true', 'rtoc');
  if (password === null) return;
  sessionStorage.setItem(PASSWORD_KEY, password);
  locked = false;
  $('signals-locked').hidden = true;
  tick();
}

export function startSignals() {
  watchSizes();
  let running = false;
  tick = async () => {
    if (stopped || locked || running || document.hidden) return;
    running = true;
    try {
      await poll();
    } finally {
      running = false;
    }
  };
  $('signals-unlock').addEventListener('click', () => unlock());
  tick();
  setInterval(tick, POLL_MS);
}
