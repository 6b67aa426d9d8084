// Small DOM and formatting helpers shared by the sections. The page builds
// its rows with el() (never innerHTML), so no value from the node is ever
// parsed as markup.

/**
 * el('td', {class: 'num', dataset: {key}}, 'text', child, ...): an element
 * with attributes, properties for on* handlers, and children (strings
 * become text nodes; null/false are skipped).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** The element with this id (the page's structure is fixed in index.html). */
export const $ = (id) => document.getElementById(id);

/** A row spanning the table that says there is nothing to show. */
export function emptyRow(columns, text) {
  return el('tr', {}, el('td', { class: 'empty', colspan: String(columns) }, text));
}

let statusTimer;

/**
 * The status line (aria-live): the outcome of the last action. Success and
 * information fade after a while; errors stay until the next message.
 */
export function setStatus(text, kind = 'info') {
  const status = $('status');
  status.textContent = text;
  status.dataset.kind = kind;
  clearTimeout(statusTimer);
  if (kind !== 'error') statusTimer = setTimeout(() => (status.textContent = ''), 6000);
}

/** Reports a failed action: the node's own error text when it sent one. */
export function reportError(what, err) {
  if (err && err.cancelled) setStatus(`${what}: cancelled (no token given)`, 'error');
  else setStatus(`${what} failed: ${err && err.message ? err.message : err}`, 'error');
}

/** Runs an action from a button, disabling it meanwhile so it is not sent twice. */
export async function busy(button, action) {
  button.disabled = true;
  try {
    return await action();
  } finally {
    button.disabled = false;
  }
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

export function fmtRate(n) {
  if (!Number.isFinite(n)) return '–';
  if (n >= 10000) return `${(n / 1000).toFixed(0)}k`;
  if (n >= 100) return n.toFixed(0);
  return n.toFixed(1);
}

export function fmtNumber(n) {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}

/** "12 s ago", "3 min ago", or the time of day for older moments. */
export function fmtAgo(ms) {
  if (ms === null || ms === undefined) return 'never';
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return `${s.toFixed(0)} s ago`;
  if (s < 3600) return `${(s / 60).toFixed(0)} min ago`;
  return new Date(ms).toLocaleString();
}
