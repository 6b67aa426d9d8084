// The web dashboard (GET / on the ttm port) in a real browser: Debian's
// chromium, headless, driven by puppeteer-core. The page runs against real
// nodes (the embedded demo configuration): it shows the jobs and lines,
// toggles outputs and simulated inputs, starts a job and follows its
// status, edits shared values, asks for the API token when the node wants
// one, hides job editing when the node forbids it, fits a 375 px screen,
// and fetches nothing from anywhere but the node.
//
// Every wait is for a fact on the page or over REST (waitForFunction,
// waitForSelector), never a sleep. A failing test leaves a full-page
// screenshot and the page's HTML in $SIGNALBOX_TEST_ARTIFACTS (default
// <tmp>/signalbox-artifacts/) and prints where.
//
// SIGNALBOX_CHROMIUM overrides the browser (default /usr/bin/chromium);
// SIGNALBOX_DASHBOARD_DIR serves the page files from a folder instead of
// the copies compiled into the binary (--ttm.dashboard-dir), for editing
// the page without rebuilding.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import puppeteer from 'puppeteer-core';

import { expectError, expectJson, expectStatus } from './lib/http.mjs';
import { SignalboxNode, TempDir } from './lib/node.mjs';

const CHROMIUM = process.env.SIGNALBOX_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.SIGNALBOX_TEST_ARTIFACTS || path.join(os.tmpdir(), 'signalbox-artifacts');
const WAIT_MS = 8000;
const TOKEN = 'dash-secret-7f3a';
const RTOC_PASSWORD = 'rtoc-pass-91c2';

const dashboardArgs = process.env.SIGNALBOX_DASHBOARD_DIR
  ? [`--ttm.dashboard-dir=${path.resolve(process.env.SIGNALBOX_DASHBOARD_DIR)}`]
  : [];

let browser;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (apt-get install chromium, or set SIGNALBOX_CHROMIUM)`);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // CI runs as root, where chromium refuses its sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'],
  });
});
after(() => browser?.close());

/**
 * A tab on `node`'s dashboard, loaded and showing its jobs. It records
 * every request to another origin, every console error and every uncaught
 * exception (checked by assertClean).
 */
async function openDashboard(node, { width = 1280, height = 900 } = {}) {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.setViewport({ width, height });
  const origin = new URL(node.baseUrl).origin;
  const wsOrigin = origin.replace(/^http/, 'ws');
  const tab = { page, foreign: [], errors: [], expect401: false };
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith(`${wsOrigin}/`) && !url.startsWith('data:')) tab.foreign.push(url);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') tab.errors.push(`console: ${msg.text()} (${msg.location()?.url ?? ''})`);
  });
  page.on('pageerror', (err) => tab.errors.push(`exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A navigation away or a closed tab aborts requests; nothing else may fail.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') tab.errors.push(`failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  await page.goto(`${node.baseUrl}/`, { waitUntil: 'load' });
  await page.waitForSelector('#jobs-body tr[data-job]');
  await page.waitForFunction(() => document.getElementById('live').dataset.state === 'open');
  return tab;
}

/** Runs `fn`; on failure saves a full-page screenshot and the HTML, then rethrows. */
async function withArtifacts(tab, name, fn) {
  try {
    await fn();
  } catch (err) {
    try {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const base = path.join(ARTIFACTS, `dashboard-${name.replace(/[^\w-]+/g, '_')}-${process.pid}`);
      await tab.page.screenshot({ path: `${base}.png`, fullPage: true });
      fs.writeFileSync(`${base}.html`, await tab.page.content());
      console.log(`# dashboard test "${name}" failed: screenshot ${base}.png, page ${base}.html`);
    } catch (saveErr) {
      console.log(`# could not save artifacts for "${name}": ${saveErr.message}`);
    }
    throw err;
  }
}

/** No request left the node's origin; no console error or exception (minus expected 401s). */
function assertClean(tab) {
  assert.deepEqual(tab.foreign, [], 'requests to other origins');
  const unexpected = tab.errors.filter((e) => {
    if (tab.expect401 && /status of 401/.test(e)) return false;
    return true;
  });
  assert.deepEqual(unexpected, [], 'console errors or exceptions');
}

/** Waits until the element's trimmed text is `expected`; the message says what it was instead. */
async function waitText(page, selector, expected) {
  await page
    .waitForFunction((sel, want) => document.querySelector(sel)?.textContent.trim() === want, {}, selector, expected)
    .catch(async (err) => {
      const seen = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? '(absent)', selector);
      throw new Error(`${selector}: expected "${expected}", the page shows "${seen}" (${err.message})`);
    });
}

async function restValue(api, pathname) {
  return expectJson(await api.get(pathname), 200);
}

const gpioValue = (name) => `#gpio-body tr[data-gpio="${name}"] .value-cell`;
const jobStatus = (name) => `#jobs-body tr[data-job="${name}"] .badge`;

describe('dashboard on the demo node', () => {
  let node;
  let tab;

  before(async () => {
    node = await SignalboxNode.start({ args: dashboardArgs });
    tab = await openDashboard(node);
  });
  after(async () => {
    await tab?.page.close();
    await node?.dispose();
  });

  test('GET / serves the page; it shows the demo jobs, lines and counters', async () => {
    await withArtifacts(tab, 'demo-content', async () => {
      const { page } = tab;
      const res = await fetch(`${node.baseUrl}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') || '', /^text\/html/);
      await res.text();

      await page.waitForFunction(() => document.querySelectorAll('#gpio-body tr[data-gpio]').length === 4);
      const jobs = await page.$$eval('#jobs-body tr[data-job]', (rows) => rows.map((r) => r.dataset.job));
      assert.deepEqual(jobs, ['heartbeat', 'hello']);
      const lines = await page.$$eval('#gpio-body tr[data-gpio]', (rows) => rows.map((r) => r.dataset.gpio));
      assert.deepEqual(lines, ['relay-a', 'relay-b', 'button-1', 'door-sensor']);
      await waitText(page, jobStatus('heartbeat'), 'Running');
      // The heartbeat's output ("tick HH:MM:SS") shows as its last line.
      await page.waitForFunction(() =>
        /^tick \d\d:\d\d:\d\d$/.test(document.querySelector('#jobs-body tr[data-job="heartbeat"] .sub')?.textContent),
      );
      // Outputs have a switch; inputs a simulation switch (simulated backend).
      assert.equal(await page.$$eval('#gpio-body [data-action="toggle"]', (b) => b.length), 2);
      assert.equal(await page.$$eval('#gpio-body [data-action="simulate"]', (b) => b.length), 2);
      // The page's own WebSocket is counted on the ttm interface.
      await page.waitForFunction(
        () => Number(document.querySelector('#counters-body tr[data-interface="ttm"] [data-col="connections"]')?.textContent) >= 1,
      );
      await page.waitForFunction(() => !document.getElementById('cluster-alone').hidden);
      const name = expectJson(await node.api.get('/api/node'), 200).name;
      assert.equal(await page.$eval('#node-name', (e) => e.textContent), name);
    });
  });

  test('an output switched on the page changes the line; a change over REST shows live', async () => {
    await withArtifacts(tab, 'gpio-output', async () => {
      const { page } = tab;
      await waitText(page, gpioValue('relay-a'), '0');
      await page.click('#gpio-body tr[data-gpio="relay-a"] [data-action="toggle"]');
      await waitText(page, gpioValue('relay-a'), '1');
      assert.equal((await restValue(node.api, '/api/gpios/relay-a')).value, 1);
      assert.equal(
        await page.$eval('#gpio-body tr[data-gpio="relay-a"] [role="switch"]', (b) => b.getAttribute('aria-checked')),
        'true',
      );

      // Not polled: only the ttmnotify gpioupdate can bring this to the page.
      expectJson(await node.api.put('/api/gpios/relay-a', { value: 0 }), 200);
      await waitText(page, gpioValue('relay-a'), '0');
      expectJson(await node.api.put('/api/gpios/relay-b', { value: 1 }), 200);
      await waitText(page, gpioValue('relay-b'), '1');
      expectJson(await node.api.put('/api/gpios/relay-b', { value: 0 }), 200);
      await waitText(page, gpioValue('relay-b'), '0');
    });
  });

  test('the lines and values that changed are plotted from the RTOC signals', async () => {
    await withArtifacts(tab, 'signals', async () => {
      const { page } = tab;
      // relay-a and relay-b changed above; a numeric shared value is a signal too.
      expectJson(await node.api.put('/api/values/dash.level', { value: '42.5' }), 201);
      for (const name of ['gpio.relay-a', 'gpio.relay-b', 'values.dash.level'])
        await page.waitForSelector(`#signals-grid figure[data-signal="${name}"] canvas`);
      await waitText(page, '#signals-grid figure[data-signal="values.dash.level"] .plot-latest', '42.5');
      const list = expectJson(await node.api.get('/api/signals'), 200);
      const relay = list.find((s) => s.name === 'gpio.relay-a');
      assert.ok(relay.samples >= 2, `relay-a went 1 and 0: ${JSON.stringify(relay)}`);
      // The plot holds the samples the node has (plus the held state up to now).
      const points = await page.evaluate(() => document.querySelector('#signals-grid figure[data-signal="gpio.relay-a"]').dataset.points);
      assert.ok(Number(points) >= relay.samples, `plotted ${points} of ${relay.samples} samples`);
      expectStatus(await node.api.delete('/api/values/dash.level'), 204);
    });
  });

  test('a simulated input is driven from the page', async () => {
    await withArtifacts(tab, 'gpio-simulated', async () => {
      const { page } = tab;
      await waitText(page, gpioValue('door-sensor'), '0');
      await page.click('#gpio-body tr[data-gpio="door-sensor"] [data-action="simulate"]');
      await waitText(page, gpioValue('door-sensor'), '1');
      assert.equal((await restValue(node.api, '/api/gpios/door-sensor')).value, 1);
      await page.click('#gpio-body tr[data-gpio="door-sensor"] [data-action="simulate"]');
      await waitText(page, gpioValue('door-sensor'), '0');
      assert.equal((await restValue(node.api, '/api/gpios/door-sensor')).value, 0);
    });
  });

  test('starting "hello" from the page: its status goes Running, then Exited', async () => {
    await withArtifacts(tab, 'job-start', async () => {
      const { page } = tab;
      const before = await restValue(node.api, '/api/jobs/2');
      assert.equal(before.name, 'hello');
      await waitText(page, jobStatus('hello'), 'Exited');
      // Every text the status cell takes, in order, recorded in the page
      // from the mutation records themselves (each one, even if several
      // come in one batch): the run lasts milliseconds, too short to poll.
      await page.evaluate((sel) => {
        window.helloStatuses = [];
        new MutationObserver((records) => {
          for (const r of records)
            for (const n of r.addedNodes) window.helloStatuses.push(n.textContent);
        }).observe(document.querySelector(sel), { childList: true });
      }, jobStatus('hello'));
      await page.click('#jobs-body tr[data-job="hello"] [data-action="start"]');
      await page
        .waitForFunction(() => {
          const s = window.helloStatuses;
          const running = s.indexOf('Running');
          return running >= 0 && s.indexOf('Exited', running) > running;
        })
        .catch(async (err) => {
          throw new Error(`statuses seen: ${JSON.stringify(await page.evaluate(() => window.helloStatuses))}; ${err.message}`);
        });
      const job = await restValue(node.api, '/api/jobs/2');
      assert.equal(job.status, 15, 'REST agrees: exited');

      // Its output: the last line under the name, and the log on demand.
      await page.waitForFunction(() =>
        document.querySelector('#jobs-body tr[data-job="hello"] .sub')?.textContent.startsWith('hello from job 2 of http://'),
      );
      await page.click('#jobs-body tr[data-job="hello"] [data-action="log"]');
      await page.waitForFunction(() => {
        const pre = document.getElementById('job-log-2');
        return pre && pre.offsetParent !== null && pre.textContent.includes('hello from job 2');
      });
    });
  });

  test('shared values: added, edited and deleted on the page, changed over REST live', async () => {
    await withArtifacts(tab, 'values', async () => {
      const { page } = tab;
      const key = 'dash/greeting';
      const row = `#values-body tr[data-key="${key}"]`;
      await page.type('#value-add-key', key);
      await page.type('#value-add-value', 'hello');
      await page.click('#value-add [type="submit"]');
      await waitText(page, `${row} .value-cell`, 'hello');
      let stored = await restValue(node.api, `/api/values/${encodeURIComponent(key)}`);
      assert.equal(stored.value, 'hello');
      assert.equal(stored.persistent, true);

      await page.click(`${row} [data-action="edit"]`);
      const input = await page.waitForSelector(`${row} .value-cell input`);
      await input.click({ clickCount: 3 });
      await input.type('hello again');
      await page.click(`${row} [data-action="save"]`);
      await waitText(page, `${row} .value-cell`, 'hello again');
      stored = await restValue(node.api, `/api/values/${encodeURIComponent(key)}`);
      assert.equal(stored.value, 'hello again');
      assert.equal(stored.persistent, true, 'editing keeps the flag');

      // dbchange brings a REST write and a new key to the page.
      expectJson(await node.api.put(`/api/values/${encodeURIComponent(key)}`, { value: 'from REST', persistent: true }), 200);
      await waitText(page, `${row} .value-cell`, 'from REST');
      expectJson(await node.api.put('/api/values/dash-other', { value: '7' }), 201);
      await waitText(page, '#values-body tr[data-key="dash-other"] .value-cell', '7');
      expectStatus(await node.api.delete('/api/values/dash-other'), 204);
      await page.waitForFunction(() => !document.querySelector('#values-body tr[data-key="dash-other"]'));

      await page.click(`${row} [data-action="delete"]`);
      await page.waitForFunction((sel) => !document.querySelector(sel), {}, row);
      expectError(await node.api.get(`/api/values/${encodeURIComponent(key)}`), 404);
    });
  });

  test('jobs are editable here: a job made on the page can be edited and deleted', async () => {
    await withArtifacts(tab, 'job-edit', async () => {
      const { page } = tab;
      page.on('dialog', (d) => d.accept()); // the delete confirmation
      await page.click('#job-new');
      await page.type('#job-form [name="name"]', 'dash-job');
      await page.type('#job-form [name="command"]', `/bin/sh -c 'echo made on the page'`);
      await page.click('#job-form [type="submit"]');
      await page.waitForSelector('#jobs-body tr[data-job="dash-job"]');
      const jobs = await restValue(node.api, '/api/jobs');
      const made = jobs.find((j) => j.name === 'dash-job');
      assert.deepEqual(made.command, ['/bin/sh', '-c', 'echo made on the page']);
      assert.equal(made.origin, 'api');
      // Configured jobs cannot be edited; this one can.
      assert.equal(await page.$$eval('#jobs-body tr[data-job="hello"] [data-action="edit"]', (b) => b.length), 0);

      await page.click('#jobs-body tr[data-job="dash-job"] [data-action="edit"]');
      await page.select('#job-form [name="restart"]', 'on-failure');
      await page.click('#job-form [type="submit"]');
      await page.waitForFunction(() => document.getElementById('job-form').hidden);
      assert.equal((await restValue(node.api, `/api/jobs/${made.id}`)).restart, 'on-failure');

      // The page's reads of the new job are answered before it goes (one
      // answered after would be a 404 in the console, failing the last test).
      await page.waitForNetworkIdle({ idleTime: 100 });
      await page.click('#jobs-body tr[data-job="dash-job"] [data-action="delete"]');
      await page.waitForFunction(() => !document.querySelector('#jobs-body tr[data-job="dash-job"]'));
      expectError(await node.api.get(`/api/jobs/${made.id}`), 404);
    });
  });

  test('at 375 px wide nothing scrolls sideways and every section shows', async () => {
    const narrow = await openDashboard(node, { width: 375, height: 800 });
    try {
      await withArtifacts(narrow, 'narrow', async () => {
        const { page } = narrow;
        await page.waitForSelector('#signals-grid figure canvas');
        await page.waitForFunction(() => document.querySelectorAll('#counters-body tr[data-interface]').length > 0);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `scrollWidth ${width} > 375`);
        for (const id of ['jobs', 'gpio', 'values', 'counters', 'cluster', 'signals']) {
          const box = await page.$eval(`#${id}`, (e) => {
            const r = e.getBoundingClientRect();
            return { left: r.left, right: r.right, height: r.height, hidden: e.hidden };
          });
          assert.ok(!box.hidden && box.height > 0, `section ${id} is shown`);
          assert.ok(box.left >= 0 && box.right <= 375, `section ${id} within the screen: ${JSON.stringify(box)}`);
        }
      });
      assertClean(narrow);
    } finally {
      await narrow.page.close();
    }
  });

  test('the page fetched nothing from another origin and logged no error', () => {
    assertClean(tab);
  });
});

describe('dashboard on a node with ttm.api-token and rtoc.password', () => {
  let node;
  let tab;

  before(async () => {
    node = await SignalboxNode.start({
      args: [...dashboardArgs, `--ttm.api-token=${TOKEN}`, `--rtoc.password=${RTOC_PASSWORD}`],
    });
    tab = await openDashboard(node);
    tab.expect401 = true; // the refused requests are logged by the browser
  });
  after(async () => {
    await tab?.page.close();
    await node?.dispose();
  });

  test('the first change asks for the token; a wrong one is refused and asked again; the right one is kept', async () => {
    await withArtifacts(tab, 'token', async () => {
      const { page } = tab;
      // Count the dialog's openings.
      await page.evaluate(() => {
        const dialog = document.getElementById('token-dialog');
        window.tokenAsks = 0;
        new MutationObserver(() => dialog.open && (window.tokenAsks += 1)).observe(dialog, { attributes: true, attributeFilter: ['open'] });
      });
      await waitText(page, gpioValue('relay-a'), '0');
      await page.click('#gpio-body tr[data-gpio="relay-a"] [data-action="toggle"]');
      await page.waitForSelector('#token-dialog[open]');
      assert.equal(await page.$eval('#token-error', (e) => e.textContent), '');

      await page.type('#token-input', 'wrong-token');
      await page.click('#token-form [type="submit"]');
      await page.waitForFunction(
        () => window.tokenAsks === 2 && document.getElementById('token-dialog').open &&
          /rejected/.test(document.getElementById('token-error').textContent),
      );
      assert.equal((await restValue(node.api, '/api/gpios/relay-a')).value, 0, 'the wrong token changed nothing');
      assert.equal(await page.$eval('#token-input', (e) => e.value), '', 'the field is empty again');

      await page.type('#token-input', TOKEN);
      await page.click('#token-form [type="submit"]');
      await waitText(page, gpioValue('relay-a'), '1');
      assert.equal(await page.$eval('#token-dialog', (d) => d.open), false);
      assert.equal((await restValue(node.api, '/api/gpios/relay-a')).value, 1);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('signalbox.api-token')), TOKEN);

      // Kept for the next action: no dialog this time.
      await page.click('#gpio-body tr[data-gpio="relay-b"] [data-action="toggle"]');
      await waitText(page, gpioValue('relay-b'), '1');
      assert.equal((await restValue(node.api, '/api/gpios/relay-b')).value, 1);
      assert.equal(await page.evaluate(() => window.tokenAsks), 2);
      // Reads never needed it: the page loaded everything before any token.
      assert.equal(await page.$$eval('#jobs-body tr[data-job]', (r) => r.length), 2);
    });
  });

  test('cancelling the dialog sends nothing and says so', async () => {
    await withArtifacts(tab, 'token-cancel', async () => {
      const { page } = tab;
      await page.evaluate(() => sessionStorage.removeItem('signalbox.api-token'));
      await page.click('#gpio-body tr[data-gpio="relay-a"] [data-action="toggle"]');
      await page.waitForSelector('#token-dialog[open]');
      await page.click('#token-cancel');
      await page.waitForFunction(() => /cancelled/.test(document.getElementById('status').textContent));
      assert.equal(await page.$eval('#status', (e) => e.dataset.kind), 'error');
      assert.equal((await restValue(node.api, '/api/gpios/relay-a')).value, 1);
      await waitText(page, gpioValue('relay-a'), '1');
    });
  });

  test('signals guarded by rtoc.password: asked for on demand, a wrong one asked again', async () => {
    await withArtifacts(tab, 'rtoc-password', async () => {
      const { page } = tab;
      // relay-a changed above, so there is a signal to plot once unlocked.
      await page.waitForSelector('#signals-locked:not([hidden])');
      assert.equal(await page.$$eval('#signals-grid figure', (f) => f.length), 0);
      await page.click('#signals-unlock');
      await page.waitForSelector('#token-dialog[open]');
      assert.equal(await page.$eval('#token-title', (e) => e.textContent), 'RTOC password');
      await page.type('#token-input', TOKEN); // the API token is not the RTOC password
      await page.click('#token-form [type="submit"]');
      await page.waitForFunction(
        () => document.getElementById('token-dialog').open && /rejected/.test(document.getElementById('token-error').textContent),
      );
      await page.type('#token-input', RTOC_PASSWORD);
      await page.click('#token-form [type="submit"]');
      await page.waitForSelector('#signals-grid figure[data-signal="gpio.relay-a"] canvas');
      assert.equal(await page.$eval('#signals-locked', (e) => e.hidden), true);
      // Kept for the tab under its own name (the API token was forgotten above).
      assert.deepEqual(
        await page.evaluate(() => [sessionStorage.getItem('signalbox.rtoc-password'), sessionStorage.getItem('signalbox.api-token')]),
        [RTOC_PASSWORD, null],
      );
    });
  });

  test('the page fetched nothing from another origin and logged nothing but the refusals', () => {
    assertClean(tab);
  });
});

describe('dashboard on a node with ttm.jobs-editable=false and RTOC disabled', () => {
  let dir;
  let node;
  let tab;

  before(async () => {
    // A job made over the API first (editable), so that the locked node has
    // one that would otherwise get edit and delete buttons.
    dir = await TempDir.create();
    const editable = await SignalboxNode.start({ dir, args: dashboardArgs });
    try {
      expectJson(await editable.api.post('/api/jobs', { name: 'made-by-api', command: ['/bin/true'], autostart: false }), 201);
    } finally {
      await editable.dispose();
    }
    node = await SignalboxNode.start({ dir, args: [...dashboardArgs, '--ttm.jobs-editable=false', '--rtoc.enabled=false'] });
    tab = await openDashboard(node);
  });
  after(async () => {
    await tab?.page.close();
    await node?.dispose();
    await dir?.remove();
  });

  test('no control creates, edits or deletes jobs; start/stop/restart stay', async () => {
    await withArtifacts(tab, 'jobs-locked', async () => {
      const { page } = tab;
      await page.waitForSelector('#jobs-body tr[data-job="made-by-api"]');
      assert.equal((await restValue(node.api, '/api/node')).jobs_editable, false);
      const shown = await page.evaluate(() => ({
        newJob: !document.getElementById('job-new').hidden,
        form: !document.getElementById('job-form').hidden,
        edit: document.querySelectorAll('#jobs [data-action="edit"]').length,
        del: document.querySelectorAll('#jobs [data-action="delete"]').length,
        start: document.querySelectorAll('#jobs [data-action="start"]').length,
      }));
      assert.deepEqual(shown, { newJob: false, form: false, edit: 0, del: 0, start: 3 });
    });
  });

  test('without RTOC there are no signals: the section is hidden', async () => {
    await withArtifacts(tab, 'no-rtoc', async () => {
      expectError(await node.api.get('/api/signals'), 404);
      await tab.page.waitForFunction(() => document.getElementById('signals').hidden);
      // The rest of the page is there.
      assert.equal(await tab.page.$eval('#gpio', (e) => e.hidden), false);
    });
  });

  test('the page fetched nothing from another origin and logged no error', () => {
    assertClean(tab);
  });
});
