// Makes docs/dashboard.png: the web dashboard of the demo node (the
// embedded default configuration) at 1280 px, with a little life in it -
// an output on, a few shared values, a value that changed over time.
//
// It needs a built node and the end-to-end tests' npm packages (it borrows
// their puppeteer-core and the node helpers of tests/e2e/lib), and
// Debian's chromium. From the repository root:
//
//   ./deploy/setup.sh build                  # or any build of build/signalbox
//   (cd tests/e2e && npm ci)
//   node deploy/screenshot.mjs [out.png]     # default docs/dashboard.png
//
// SIGNALBOX_BIN picks the binary (default build/signalbox),
// SIGNALBOX_CHROMIUM the browser (default /usr/bin/chromium), and
// SIGNALBOX_DASHBOARD_DIR serves the page from a folder instead of the
// copies compiled into the binary (web/dashboard, while editing it).
// The node runs on ephemeral ports in a temporary directory and is
// stopped at the end.

import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { SignalboxNode } from '../tests/e2e/lib/node.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.resolve(process.argv[2] || path.join(root, 'docs', 'dashboard.png'));
const chromium = process.env.SIGNALBOX_CHROMIUM || '/usr/bin/chromium';

// puppeteer-core is installed for the tests, in tests/e2e/node_modules.
const requireFromTests = createRequire(path.join(root, 'tests', 'e2e', 'package.json'));
const { default: puppeteer } = await import(pathToFileURL(requireFromTests.resolve('puppeteer-core')));

const args = process.env.SIGNALBOX_DASHBOARD_DIR
  ? [`--ttm.dashboard-dir=${path.resolve(process.env.SIGNALBOX_DASHBOARD_DIR)}`]
  : [];
const node = await SignalboxNode.start({ args });
let browser;
try {
  const api = node.api;
  const put = async (p, body) => {
    const reply = await api.put(p, body);
    if (reply.status >= 300) throw new Error(`${reply}`);
  };
  await put('/api/values/site', { value: 'Depot 4 – north yard', persistent: true });
  await put('/api/values/mode', { value: 'auto', persistent: true });
  await put('/api/gpios/relay-a', { value: 1 });

  browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`${node.baseUrl}/`, { waitUntil: 'load' });
  await page.waitForSelector('#jobs-body tr[data-job="hello"]');

  // A value that moves and an input that changes, for the plots: spread
  // over a few seconds, so that the curves have some width.
  let voltage;
  for (let i = 0; i < 24; i += 1) {
    voltage = (23.6 + 0.5 * Math.sin(i / 2.5) + 0.05 * (i % 3)).toFixed(2);
    await put('/api/values/supply.voltage', { value: voltage });
    if (i % 6 === 3) await put('/api/sim/gpios/door-sensor', { value: Math.floor(i / 6) % 2 === 0 ? 1 : 0 });
    await delay(250);
  }
  await put('/api/sim/gpios/door-sensor', { value: 1 });
  await api.post('/api/jobs/2/start');

  // Plots caught up with the last writes, frame rates known (two polls of /metrics).
  const latest = (signal) => `#signals-grid figure[data-signal="${signal}"] .plot-latest`;
  await page.waitForFunction(
    (a, b, v) => document.querySelector(a)?.textContent === v && document.querySelector(b)?.textContent === '1',
    { timeout: 10000 },
    latest('values.supply.voltage'),
    latest('gpio.door-sensor'),
    String(Number(voltage)),
  );
  await page.waitForFunction(
    () => /^\d/.test(document.querySelector('#counters-body tr[data-interface="ttm"] td:nth-child(3)')?.textContent),
    { timeout: 10000 },
  );
  await page.waitForFunction(
    () => document.querySelector('#jobs-body tr[data-job="hello"] .sub')?.textContent.startsWith('hello'),
  );
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser?.close();
  await node.dispose();
}
