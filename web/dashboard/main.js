// The dashboard's entry point: reads what kind of node this is
// (GET /api/node), wires the sections, and keeps them live over the
// node's ttmnotify WebSocket. Counters, signals and cluster members have
// no notification and are polled.

import { forgetToken, get, onTokenChange } from './api.js';
import { startCluster, loadCluster } from './cluster.js';
import { setInterfaces, startCounters } from './counters.js';
import { loadGpios, onGpioUpdate, setSimulated } from './gpio.js';
import { initJobs, loadJobs, onRefresh, onUpdateJob, setEditable } from './jobs.js';
import { connectLive } from './live.js';
import { startSignals } from './signals.js';
import { $, setStatus } from './ui.js';
import { initValues, loadValues, onDbChange } from './values.js';

async function loadNode() {
  const node = await get('/api/node');
  $('node-name').textContent = node.name;
  $('node-version').textContent = `v${node.version}`;
  document.title = `${node.name} · signalbox`;
  setEditable(node.jobs_editable);
  setSimulated(node.gpio_backend === 'simulated');
  setInterfaces(node.interfaces || []);
  return node;
}

/** Everything that notifications keep up to date, read in full. */
async function reload() {
  const results = await Promise.allSettled([loadJobs(), loadGpios(), loadValues(), loadCluster()]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) setStatus(`Loading failed: ${failed.reason.message}`, 'error');
}

function setLive(state, text) {
  const live = $('live');
  live.dataset.state = state;
  live.textContent = text;
}

async function main() {
  initJobs();
  initValues();
  onTokenChange((has) => ($('token-state').hidden = !has));
  $('token-forget').addEventListener('click', () => {
    forgetToken();
    setStatus('Token forgotten for this tab.');
  });
  let node = null;
  try {
    node = await loadNode();
  } catch (err) {
    setStatus(`Cannot read the node (${err.message}).`, 'error');
  }
  reload(); // first paint; repeated once the WebSocket is open (see onOpen)
  let wasOpen = false;
  connectLive({
    // Changes made while no socket was open were not notified: read it all.
    onOpen: () => {
      setLive('open', 'live');
      if (wasOpen) setStatus('Reconnected.', 'ok');
      wasOpen = true;
      reload();
    },
    onClose: () => setLive('closed', 'reconnecting…'),
    updatejob: onUpdateJob,
    refresh: onRefresh,
    gpioupdate: onGpioUpdate,
    dbchange: onDbChange,
    clusterupdate: () => loadCluster(),
  });
  startCounters();
  // No RTOC listener, no signals (and no 404 to ask for).
  if (node && !(node.interfaces || []).some((i) => i.service === 'rtoc')) $('signals').hidden = true;
  else startSignals();
  startCluster();
}

main();
