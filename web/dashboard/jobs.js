// Jobs: status, restarts, pid, the last line of output (all lines on
// demand), start / stop / restart, and - when the node allows it
// (ttm.jobs-editable) - creating, editing and deleting jobs made over the
// API (configured jobs cannot be edited; the node answers 409).
//
// Status comes live from `updatejob`; the other fields are re-read from
// /api/jobs/{id} after each change. A read that was sent before a newer
// updatejob arrived is dropped, so an old answer never overwrites a newer
// status (the "hello" job goes 11 → 10 → 15 within milliseconds).

import { get, send } from './api.js';
import { $, busy, el, emptyRow, reportError, setStatus } from './ui.js';
import { quoteCommand } from './command.js';
import { initJobForm, openJobForm } from './job-form.js';

const STATUS = {
  0: ['Unknown', 'unknown'],
  10: ['Running', 'running'],
  11: ['Starting', 'starting'],
  12: ['Stopping', 'stopping'],
  13: ['Stopped', 'stopped'],
  14: ['Failed to start', 'failedtostart'],
  15: ['Exited', 'exited'],
  16: ['Exited with error', 'exitedwitherror'],
  17: ['Crashed', 'crashed'],
  18: ['Killed by watchdog', 'killedbywatchdog'],
};
const LIVE = new Set([10, 11, 12]); // a process exists: its output may grow
const LOG_LINES = 40;
const OUTPUT_POLL_MS = 3000;

const jobs = new Map(); // id → {job, seq, row, cells, logRow, pre, open, buttons, editButtons, deleting}
const gone = new Set(); // ids removed: a late answer must not bring one back
let editable = false;

/** Whether job-editing controls are shown (GET /api/node: jobs_editable). */
export function setEditable(value) {
  editable = value;
  $('job-new').hidden = !value;
  if (!value) $('job-form').hidden = true;
  for (const entry of jobs.values()) renderActions(entry);
}

/** Reloads every job (at start and after each WebSocket reconnect). */
export async function loadJobs() {
  const seqs = new Map([...jobs].map(([id, e]) => [id, e.seq]));
  const list = await get('/api/jobs');
  const seen = new Set();
  for (const job of list) {
    seen.add(job.id);
    gone.delete(job.id); // listed: it is there (ids start again on a new node)
    const entry = jobs.get(job.id);
    if (entry && entry.seq !== seqs.get(job.id)) continue; // newer live status
    upsert(job);
  }
  for (const id of [...jobs.keys()]) if (!seen.has(id)) remove(id);
  renderEmpty();
  for (const entry of jobs.values()) loadOutput(entry);
}

/** ttmnotify updatejob {jobid, status}. */
export function onUpdateJob({ jobid, status }) {
  const entry = jobs.get(jobid);
  if (!entry) {
    refreshJob(jobid, undefined);
    return;
  }
  entry.seq += 1;
  entry.job.status = status;
  renderStatus(entry);
  renderActions(entry);
  if (!entry.deleting) refreshJob(jobid, entry.seq);
}

/** ttmnotify refresh {reason: newjob|jobremoved, jobid}. */
export function onRefresh({ reason, jobid }) {
  if (reason === 'jobremoved') remove(jobid);
  else refreshJob(jobid, jobs.get(jobid)?.seq);
}

async function refreshJob(id, seq) {
  let job;
  try {
    job = await get(`/api/jobs/${id}`);
  } catch (err) {
    if (err.status === 404) remove(id);
    return;
  }
  const entry = jobs.get(id);
  if (gone.has(id) || entry?.deleting) return;
  if (entry && seq !== undefined && entry.seq !== seq) return; // a newer update is on its way
  upsert(job);
  loadOutput(jobs.get(id));
}

function upsert(job) {
  let entry = jobs.get(job.id);
  if (!entry) {
    entry = createRow(job);
    jobs.set(job.id, entry);
    placeRow(entry);
  }
  entry.job = job;
  entry.row.dataset.job = job.name;
  entry.cells.name.textContent = job.name;
  entry.cells.name.title = quoteCommand(job.command);
  entry.cells.policy.textContent = job.restart;
  entry.cells.restarts.textContent = String(job.restarts);
  entry.cells.pid.textContent = job.pid === null ? '–' : String(job.pid);
  renderStatus(entry);
  renderActions(entry);
  renderEmpty();
}

function remove(id) {
  const entry = jobs.get(id);
  if (!entry) return;
  entry.row.remove();
  entry.logRow.remove();
  jobs.delete(id);
  gone.add(id);
  renderEmpty();
}

function renderEmpty() {
  const body = $('jobs-body');
  body.querySelector('tr.none')?.remove();
  if (jobs.size === 0) body.append(Object.assign(emptyRow(6, 'No jobs.'), { className: 'none' }));
}

/** Rows in id order, each followed by its (hidden) log row. */
function placeRow(entry) {
  const body = $('jobs-body');
  const next = [...jobs.values()]
    .filter((e) => e !== entry && e.job.id > entry.job.id)
    .sort((a, b) => a.job.id - b.job.id)[0];
  body.insertBefore(entry.row, next ? next.row : null);
  body.insertBefore(entry.logRow, next ? next.row : null);
}

function createRow(job) {
  const cells = {
    name: el('div', { class: 'name' }),
    last: el('div', { class: 'sub', title: 'last line of output' }),
    status: el('span', { class: 'badge' }),
    detail: el('span', { class: 'muted' }),
    policy: el('td', { class: 'opt muted' }),
    restarts: el('td', { class: 'num opt' }),
    pid: el('td', { class: 'num opt mono' }),
    actions: el('div', { class: 'actions' }),
  };
  const row = el(
    'tr',
    { dataset: { job: job.name, id: String(job.id) } },
    el('td', {}, cells.name, cells.last),
    el('td', { class: 'status-cell' }, cells.status, ' ', cells.detail),
    cells.policy,
    cells.restarts,
    cells.pid,
    el('td', {}, cells.actions),
  );
  const pre = el('pre', { class: 'log', id: `job-log-${job.id}`, tabindex: '0' });
  const logRow = el('tr', { class: 'log-row', hidden: true }, el('td', { colspan: '6' }, pre));
  return { job, seq: 0, row, cells, logRow, pre, open: false };
}

function renderStatus(entry) {
  const { job, cells } = entry;
  const [label, cls] = STATUS[job.status] || [job.status_name || String(job.status), 'unknown'];
  cells.status.textContent = label;
  cells.status.className = `badge ${cls}`;
  entry.row.dataset.status = cls;
  // Why it ended, as far as the node knows (fields of the last full read).
  let detail = '';
  if (job.status === 16 && job.exit_code !== null) detail = `code ${job.exit_code}`;
  else if ((job.status === 17 || job.status === 18) && job.signal !== null) detail = `signal ${job.signal}`;
  cells.detail.textContent = detail;
  cells.status.title = job.status_text || '';
}

/**
 * The row's buttons are made once and then only enabled or disabled: a
 * button replaced between press and release would swallow the click.
 * Edit and Delete exist only while they apply (editable node, API job).
 */
function renderActions(entry) {
  const { job, cells } = entry;
  if (!entry.buttons) {
    const act = (label, path) =>
      el('button', {
        type: 'button',
        class: 'small',
        'data-action': label.toLowerCase(),
        'aria-label': `${label} ${job.name}`,
        onclick: (e) => busy(e.currentTarget, () => control(entry.job, label, path)),
      }, label);
    entry.buttons = {
      start: act('Start', 'start'),
      stop: act('Stop', 'stop'),
      restart: act('Restart', 'restart'),
      log: el('button', {
        type: 'button',
        class: 'small',
        'data-action': 'log',
        'aria-expanded': 'false',
        'aria-controls': `job-log-${job.id}`,
        'aria-label': `Output of ${job.name}`,
        onclick: () => toggleLog(entry),
      }, 'Log'),
    };
    cells.actions.append(...Object.values(entry.buttons));
  }
  // An edit may rename the job: the buttons' names follow.
  for (const b of cells.actions.children)
    b.setAttribute('aria-label', b === entry.buttons.log ? `Output of ${job.name}` : `${b.textContent} ${job.name}`);
  entry.buttons.start.disabled = LIVE.has(job.status);
  entry.buttons.stop.disabled = job.status === 13;

  // Only jobs made over the API can be changed; configured ones are fixed.
  const editing = editable && job.origin === 'api';
  if (editing && !entry.editButtons) {
    entry.editButtons = [
      el('button', { type: 'button', class: 'small', 'data-action': 'edit', 'aria-label': `Edit ${job.name}`,
        onclick: () => openJobForm(entry.job) }, 'Edit'),
      el('button', { type: 'button', class: 'small danger', 'data-action': 'delete', 'aria-label': `Delete ${job.name}`,
        onclick: (e) => busy(e.currentTarget, () => deleteJob(entry)) }, 'Delete'),
    ];
    cells.actions.append(...entry.editButtons);
  } else if (!editing && entry.editButtons) {
    for (const b of entry.editButtons) b.remove();
    entry.editButtons = null;
  }
}

async function control(job, label, path) {
  try {
    await send('POST', `/api/jobs/${job.id}/${path}`);
    setStatus(`${label}: ${job.name}`, 'ok');
  } catch (err) {
    reportError(`${label} ${job.name}`, err);
  }
}

async function deleteJob(entry) {
  const { job } = entry;
  if (!confirm(`Delete job "${job.name}"? Its process is stopped first.`)) return;
  // Its last status changes arrive while it goes: not re-read, they would 404.
  entry.deleting = true;
  try {
    await send('DELETE', `/api/jobs/${job.id}`);
    remove(job.id);
    setStatus(`Deleted job ${job.name}`, 'ok');
  } catch (err) {
    entry.deleting = false;
    reportError(`Delete ${job.name}`, err);
  }
}

// -- output -------------------------------------------------------------------

function toggleLog(entry) {
  entry.open = !entry.open;
  entry.logRow.hidden = !entry.open;
  entry.row.querySelector('[data-action="log"]').setAttribute('aria-expanded', String(entry.open));
  if (entry.open) loadOutput(entry);
}

/** The last line (and, with the log open, the last LOG_LINES) of a job's output. */
async function loadOutput(entry) {
  if (!entry || entry.deleting) return;
  let lines;
  try {
    lines = await get(`/api/jobs/${entry.job.id}/log?lines=${entry.open ? LOG_LINES : 1}`);
  } catch {
    return; // the job went away; its row follows
  }
  const last = lines[lines.length - 1];
  entry.cells.last.textContent = last ? last.line : '';
  if (!entry.open) return;
  const atBottom = entry.pre.scrollTop + entry.pre.clientHeight >= entry.pre.scrollHeight - 4;
  entry.pre.replaceChildren(
    ...(lines.length === 0 ? ['(no output yet)'] : []),
    ...lines.map((l) =>
      el('div', { class: l.stream === 'stderr' ? 'err' : null, title: `${l.ts} ${l.stream}` },
        el('span', { class: 'ts' }, `${timeOfDay(l.ts)} `), l.line),
    ),
  );
  if (atBottom) entry.pre.scrollTop = entry.pre.scrollHeight;
}

/** "2026-12-05T22:13:27.813Z" → local "22:13:27.813" (the full stamp is the line's tooltip). */
function timeOfDay(ts) {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Output has no notification: running jobs (and open logs) are re-read. */
function pollOutput() {
  setInterval(() => {
    if (document.hidden) return;
    for (const entry of jobs.values())
      if (!entry.deleting && (entry.open || LIVE.has(entry.job.status))) loadOutput(entry);
  }, OUTPUT_POLL_MS);
}

/** Wires the section's fixed controls (once). */
export function initJobs() {
  initJobForm(upsert);
  pollOutput();
}
