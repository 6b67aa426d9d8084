// The token dialog (a modal <dialog> in index.html), for the API token
// (ttm.api-token, changes) and the RTOC password (rtoc.password, which
// guards the signals). Requests that need the same secret while the dialog
// is open wait for the same answer, so the user is asked once however many
// actions were refused at the same time; a second kind waits its turn.

import { $ } from './ui.js';

const KINDS = {
  api: {
    title: 'API token',
    label: 'Token',
    why: 'This node needs an API token (ttm.api-token) for changes. It is kept for this tab only.',
  },
  rtoc: {
    title: 'RTOC password',
    label: 'Password',
    why: "The signals are protected by the node's RTOC password (rtoc.password). It is kept for this tab only.",
  },
};

const pending = {};
let turn = Promise.resolve(); // one dialog at a time

/**
 * Resolves with the secret the user entered, or null when they cancelled.
 * `rejected`: the node refused the last one, which the dialog says.
 */
export function askToken(rejected, kind = 'api') {
  if (!pending[kind]) {
    const answer = turn.then(() => open(rejected, KINDS[kind]));
    turn = answer;
    pending[kind] = answer.finally(() => {
      delete pending[kind];
    });
  }
  return pending[kind];
}

function open(rejected, texts) {
  const dialog = $('token-dialog');
  const form = $('token-form');
  const input = $('token-input');
  $('token-title').textContent = texts.title;
  $('token-why').textContent = texts.why;
  $('token-label').textContent = texts.label;
  $('token-error').textContent = rejected ? `The node rejected this ${texts.title.toLowerCase()}. Enter the right one.` : '';
  input.value = '';
  return new Promise((resolve) => {
    const done = (token) => {
      form.removeEventListener('submit', onSubmit);
      $('token-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      resolve(token);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      if (input.value !== '') done(input.value);
    };
    const onCancel = (event) => {
      event.preventDefault();
      done(null);
    };
    form.addEventListener('submit', onSubmit);
    $('token-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel); // Escape
    dialog.showModal();
    input.focus();
  });
}
