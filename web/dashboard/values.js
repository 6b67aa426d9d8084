// Shared values: list, edit in place, delete, add. Changes arrive live as
// `dbchange` {key, value, reason}; its flags (persistent, provider) are
// not in the notification, so a changed key is re-read. Writes made with
// notify:false send nothing; those show on the next reload (reconnect).

import { get, send, seg } from './api.js';
import { $, busy, el, emptyRow, reportError, setStatus } from './ui.js';

const values = new Map(); // key → {value, row, cells, editing}

export async function loadValues() {
  const list = await get('/api/values');
  const keys = new Set(list.map((v) => v.key));
  for (const key of [...values.keys()]) if (!keys.has(key)) remove(key);
  for (const value of list) upsert(value);
  renderEmpty();
}

/** ttmnotify dbchange. */
export function onDbChange({ key, value, reason }) {
  if (reason === 'removed') {
    remove(key);
    renderEmpty();
    return;
  }
  const known = values.get(key);
  upsert({ ...(known ? known.value : { persistent: false, notify: true, provider: '' }), key, value });
  renderEmpty();
  get(`/api/values/${seg(key)}`).then(
    (fresh) => values.has(key) && upsert(fresh),
    () => {}, // removed meanwhile: its dbchange follows
  );
}

function upsert(value) {
  let entry = values.get(value.key);
  if (!entry) {
    entry = createRow(value.key);
    values.set(value.key, entry);
    // Rows in key order, as the node lists them.
    const next = [...values.keys()].filter((k) => k > value.key).sort()[0];
    $('values-body').insertBefore(entry.row, next ? values.get(next).row : null);
  }
  entry.value = value;
  render(entry);
}

function remove(key) {
  const entry = values.get(key);
  if (!entry) return;
  entry.row.remove();
  values.delete(key);
}

function renderEmpty() {
  const body = $('values-body');
  body.querySelector('tr.none')?.remove();
  if (values.size === 0) body.append(Object.assign(emptyRow(4, 'No shared values.'), { className: 'none' }));
}

function createRow(key) {
  const cells = {
    value: el('td', { class: 'value-cell' }),
    flags: el('td', { class: 'opt' }),
    actions: el('div', { class: 'actions' }),
  };
  const row = el('tr', { dataset: { key } }, el('td', { class: 'name mono' }, key), cells.value, cells.flags,
    el('td', {}, cells.actions));
  const entry = { row, cells, editing: false };
  cells.actions.append(
    el('button', { type: 'button', class: 'small', 'data-action': 'edit', 'aria-label': `Edit ${key}`,
      onclick: () => startEdit(entry) }, 'Edit'),
    el('button', { type: 'button', class: 'small danger', 'data-action': 'delete', 'aria-label': `Delete ${key}`,
      onclick: (e) => busy(e.currentTarget, () => deleteValue(key)) }, 'Delete'),
  );
  return entry;
}

function render(entry) {
  const { value, cells } = entry;
  const flags = [];
  if (value.persistent) flags.push(el('span', { class: 'flag', title: 'kept in the store across restarts' }, 'persistent'));
  if (!value.notify) flags.push(el('span', { class: 'flag', title: 'changes are not notified' }, 'silent'));
  if (value.provider && value.provider !== 'api') flags.push(el('span', { class: 'flag', title: 'provided by' }, value.provider));
  cells.flags.replaceChildren(...flags);
  // A value being edited keeps the user's input; the new value shows after.
  if (!entry.editing) cells.value.replaceChildren(el('span', { class: 'value-text' }, value.value));
}

function startEdit(entry) {
  if (entry.editing) return;
  entry.editing = true;
  const key = entry.value.key;
  const input = el('input', { value: entry.value.value, 'aria-label': `New value of ${key}`, spellcheck: 'false' });
  const save = el('button', { type: 'submit', class: 'small primary', 'data-action': 'save' }, 'Save');
  const stop = () => {
    entry.editing = false;
    render(entry);
  };
  const form = el('form', { class: 'value-edit' }, input, save,
    el('button', { type: 'button', class: 'small', 'data-action': 'cancel', onclick: stop }, 'Cancel'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, async () => {
      if (await write(key, input.value, entry.value)) stop();
    });
  });
  input.addEventListener('keydown', (e) => e.key === 'Escape' && stop());
  entry.cells.value.replaceChildren(form);
  input.focus();
  input.select();
}

/** PUT a value, keeping the flags it has (provider: who writes it now, us). */
async function write(key, text, previous) {
  const body = { value: text, persistent: previous ? previous.persistent : true, notify: previous ? previous.notify : true };
  try {
    const stored = await send('PUT', `/api/values/${seg(key)}`, body);
    upsert(stored);
    renderEmpty();
    setStatus(`${key} = ${text}`, 'ok');
    return true;
  } catch (err) {
    reportError(`Writing ${key}`, err);
    return false;
  }
}

async function deleteValue(key) {
  try {
    await send('DELETE', `/api/values/${seg(key)}`);
    remove(key);
    renderEmpty();
    setStatus(`Deleted ${key}`, 'ok');
  } catch (err) {
    reportError(`Deleting ${key}`, err);
  }
}

export function initValues() {
  const form = $('value-add');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const key = form.elements.key.value;
    const button = form.querySelector('[type="submit"]');
    busy(button, async () => {
      const ok = await write(key, form.elements.value.value, {
        persistent: form.elements.persistent.checked,
        notify: true,
      });
      if (ok) {
        form.elements.key.value = '';
        form.elements.value.value = '';
        form.elements.key.focus();
      }
    });
  });
}
