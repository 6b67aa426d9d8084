// GPIO lines: the value of each, a switch for outputs (PUT /api/gpios) and,
// when the backend is simulated, a switch that drives an input as if the
// wire changed (PUT /api/sim/gpios). Values arrive live as `gpioupdate`;
// the answer to our own write is applied too, because writing the value a
// line already has sends no notification.

import { get, send, seg } from './api.js';
import { $, busy, el, emptyRow, reportError, setStatus } from './ui.js';

const lines = new Map(); // name → {line, seq, row, value, control}
let simulated = false;

/** Whether inputs get a simulation switch (GET /api/node: gpio_backend). */
export function setSimulated(value) {
  simulated = value;
  $('gpio-backend').textContent = value ? 'simulated backend' : 'gpiod';
  for (const entry of lines.values()) render(entry);
}

export async function loadGpios() {
  const seqs = new Map([...lines].map(([n, e]) => [n, e.seq]));
  const list = await get('/api/gpios');
  const body = $('gpio-body');
  const names = new Set(list.map((l) => l.name));
  for (const [name, entry] of lines)
    if (!names.has(name)) {
      entry.row.remove();
      lines.delete(name);
    }
  for (const line of list) {
    let entry = lines.get(line.name);
    if (entry && entry.seq !== seqs.get(line.name)) continue; // a newer live value
    if (!entry) {
      entry = createRow(line);
      lines.set(line.name, entry);
      body.append(entry.row);
    }
    entry.line = line;
    render(entry);
  }
  body.querySelector('tr.none')?.remove();
  if (lines.size === 0) body.append(Object.assign(emptyRow(4, 'No GPIO lines configured.'), { className: 'none' }));
}

/** ttmnotify gpioupdate {gpio, value}. */
export function onGpioUpdate({ gpio, value }) {
  const entry = lines.get(gpio);
  if (!entry) return;
  entry.seq += 1;
  entry.line.value = value;
  render(entry);
}

function createRow(line) {
  const value = el('span', { class: 'level' });
  const control = el('td');
  const row = el(
    'tr',
    { dataset: { gpio: line.name } },
    el('td', { class: 'name' }, line.name),
    el('td', { class: 'muted' }, line.direction + (line.active_low ? ' · active-low' : '')),
    el('td', { class: 'value-cell' }, value),
    control,
  );
  return { line, seq: 0, row, value, control };
}

function render(entry) {
  const { line } = entry;
  entry.value.textContent = String(line.value);
  entry.value.classList.toggle('on', line.value === 1);
  entry.row.dataset.value = String(line.value);

  const output = line.direction === 'output';
  if (!output && !simulated) {
    entry.control.replaceChildren();
    return;
  }
  let button = entry.control.querySelector('button');
  if (!button) {
    button = el('button', {
      type: 'button',
      role: 'switch',
      class: output ? 'switch' : 'switch sim',
      'data-action': output ? 'toggle' : 'simulate',
      'aria-label': output ? `Output ${line.name}` : `Simulated input ${line.name}`,
      title: output ? 'Set the output' : 'Simulate the input (simulated backend)',
      onclick: (e) => busy(e.currentTarget, () => toggle(entry)),
    });
    entry.control.replaceChildren(
      el('span', { class: 'control' }, button, output ? null : el('span', { class: 'hint' }, 'simulate')),
    );
  }
  button.setAttribute('aria-checked', String(line.value === 1));
}

async function toggle(entry) {
  const { line } = entry;
  const value = line.value === 1 ? 0 : 1;
  const path = line.direction === 'output' ? `/api/gpios/${seg(line.name)}` : `/api/sim/gpios/${seg(line.name)}`;
  const seq = entry.seq;
  try {
    const updated = await send('PUT', path, { value });
    if (entry.seq === seq) {
      entry.line = updated;
      render(entry);
    }
    setStatus(`${line.name} set to ${value}`, 'ok');
  } catch (err) {
    reportError(`Setting ${line.name}`, err);
  }
}
