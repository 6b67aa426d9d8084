// The form that creates a job (POST /api/jobs) or edits one made over the
// API (PUT /api/jobs/{id}); shown only when the node has ttm.jobs-editable.
// It edits the fields an operator changes on the spot - name, command,
// restart policy, autostart - and keeps the others (env, cwd, watchdog,
// notify) as they are.

import { send } from './api.js';
import { parseCommand, quoteCommand } from './command.js';
import { $, busy, setStatus } from './ui.js';

let editing = null; // the job being edited, null for a new one
let onSaved = () => {};

export function openJobForm(job) {
  const form = $('job-form');
  editing = job;
  $('job-form-title').textContent = job ? `Edit job ${job.name}` : 'New job';
  form.elements.name.value = job ? job.name : '';
  form.elements.command.value = job ? quoteCommand(job.command) : '';
  form.elements.restart.value = job ? job.restart : 'no';
  form.elements.autostart.checked = job ? job.autostart : false;
  form.querySelector('.form-error').textContent = '';
  form.hidden = false;
  form.elements.name.focus();
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = form.querySelector('.form-error');
  const job = editing;
  let command;
  try {
    command = parseCommand(form.elements.command.value);
  } catch (err) {
    error.textContent = err.message;
    return;
  }
  const spec = {
    ...(job ? { watchdog_sec: job.watchdog_sec, notify: job.notify, env: job.env, cwd: job.cwd } : {}),
    name: form.elements.name.value.trim(),
    command,
    restart: form.elements.restart.value,
    autostart: form.elements.autostart.checked,
  };
  await busy(form.querySelector('[type="submit"]'), async () => {
    try {
      const saved = job ? await send('PUT', `/api/jobs/${job.id}`, spec) : await send('POST', '/api/jobs', spec);
      onSaved(saved);
      form.hidden = true;
      setStatus(`${job ? 'Saved' : 'Created'} job ${saved.name}`, 'ok');
    } catch (err) {
      error.textContent = err.cancelled ? 'Not saved: no token given.' : err.message;
    }
  });
}

/** Wires the form once; `saved(job)` gets the node's answer to a save. */
export function initJobForm(saved) {
  onSaved = saved;
  $('job-new').addEventListener('click', () => openJobForm(null));
  $('job-form').addEventListener('submit', submit);
  $('job-form').querySelector('[data-action="cancel"]').addEventListener('click', () => {
    $('job-form').hidden = true;
  });
}
