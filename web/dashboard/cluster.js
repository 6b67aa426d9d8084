// Cluster members from GET /api/cluster, reloaded on `clusterupdate` and
// every 5 s (for "last seen"). A lone node says so instead of a table.

import { get } from './api.js';
import { $, el, emptyRow, fmtAgo } from './ui.js';

const POLL_MS = 5000;

export async function loadCluster() {
  let info;
  try {
    info = await get('/api/cluster');
  } catch (err) {
    $('cluster-body').replaceChildren(emptyRow(4, `Unavailable (${err.message}).`));
    return;
  }
  $('cluster-alone').hidden = info.enabled;
  $('cluster-table').hidden = !info.enabled;
  $('cluster-self').textContent = info.enabled ? `this node: ${info.name} · ${info.address}` : '';
  const rows = info.members.map((m) =>
    el(
      'tr',
      { dataset: { member: m.name ?? '' } },
      el('td', { class: 'name' }, m.name ?? '(not reached yet)'),
      el('td', { class: 'mono' }, m.address ?? '–'),
      el('td', {}, el('span', { class: `badge ${m.state}` }, m.state)),
      el('td', { class: 'opt muted' }, fmtAgo(m.last_seen)),
    ),
  );
  $('cluster-body').replaceChildren(...(rows.length ? rows : [emptyRow(4, 'No other members yet.')]));
}

export function startCluster() {
  loadCluster();
  setInterval(() => document.hidden || loadCluster(), POLL_MS);
}
