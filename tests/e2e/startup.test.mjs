// Starting the node: configuration errors, missing hardware and an unusable
// data directory end the process with exit code 2 and a message that names
// the culprit; the embedded default configuration runs the demo node.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { renderConfig } from './lib/config.mjs';
import { expectJson } from './lib/http.mjs';
import { runToExit, startNode, TempDir } from './lib/node.mjs';
import { eventually, notYet } from './lib/wait.mjs';

/** Runs the node in a fresh temp dir with `args` (plus a config file). */
async function runFailing(t, { config, args = [] }) {
  const dir = await TempDir.create();
  t.after(() => dir.remove());
  const all = ['--ttm.port=0', `--store.directory=${dir.file('data')}`];
  if (config !== undefined) all.unshift(`--config-file=${await dir.write('node.conf', config)}`);
  const result = await runToExit([...all, ...args], { cwd: dir.path });
  return { ...result, dir };
}

/** Asserts exit code 2, no listener, and a stderr message matching `pattern`. */
function assertStartupError(result, pattern) {
  const detail = `code ${result.code}, signal ${result.signal}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.equal(result.code, 2, detail);
  assert.doesNotMatch(result.stdout, /^listening /m, detail);
  assert.match(result.stderr, pattern, detail);
}

describe('start-up errors', () => {
  test('an unknown GPIO backend', async (t) => {
    assertStartupError(await runFailing(t, { args: ['--gpio.backend=nonsense'] }), /gpio\.backend/);
  });

  test('a realdds format other than json or cbor', async (t) => {
    assertStartupError(await runFailing(t, { args: ['--realdds.format=xml'] }), /realdds\.format must be json or cbor/);
  });

  test('a realdds topic root that is no DDS topic name', async (t) => {
    assertStartupError(await runFailing(t, { args: ['--realdds.topic-root=a//b c'] }), /realdds\.topic-root 'a\/\/b c'/);
  });

  test('a realdds domain beyond 232', async (t) => {
    assertStartupError(await runFailing(t, { args: ['--realdds.domain=233'] }), /realdds\.domain must be 0\.\.232/);
  });

  test('a job without a command', async (t) => {
    const config = renderConfig({ jobs: { definitions: [{ name: 'no-command' }] } });
    assertStartupError(await runFailing(t, { config }), /jobs\.definitions\[0\]\.command/);
  });

  test('a job with an unknown restart policy', async (t) => {
    const config = renderConfig({
      jobs: { definitions: [{ name: 'ok', command: ['/bin/true'] }, { name: 'odd', command: ['/bin/true'], restart: 'sometimes' }] },
    });
    assertStartupError(await runFailing(t, { config }), /jobs\.definitions\[1\]\.restart/);
  });

  test('a GPIO line with an unknown direction', async (t) => {
    const config = renderConfig({ gpio: { lines: [{ name: 'odd', direction: 'sideways' }] } });
    assertStartupError(await runFailing(t, { config }), /gpio\.lines\[0\]\.direction/);
  });

  test('a configuration file with a syntax error', async (t) => {
    assertStartupError(await runFailing(t, { config: '[jobs\ndefinitions=[{name="x", command=["/bin/true"]\n' }), /\S/);
  });

  test('a value of the wrong type in the configuration file', async (t) => {
    // A typo must not silently fall back to the default.
    const config = renderConfig({ net: { 'max-body-bytes': 'lots' } });
    assertStartupError(await runFailing(t, { config }), /net\.max-body-bytes/);
  });

  test('a duration written as a string in the configuration file', async (t) => {
    const config = renderConfig({ jobs: { 'stop-grace': '300ms' } });
    assertStartupError(await runFailing(t, { config }), /jobs\.stop-grace/);
  });

  test('a configuration file that does not exist', async (t) => {
    const dir = await TempDir.create();
    t.after(() => dir.remove());
    const missing = dir.file('no-such.conf');
    const result = await runToExit(['--ttm.port=0', `--store.directory=${dir.file('data')}`, `--config-file=${missing}`], {
      cwd: dir.path,
    });
    assertStartupError(result, new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  test('the gpiod backend with a line that does not exist names the line', async (t) => {
    const config = renderConfig({
      gpio: { backend: 'gpiod', lines: [{ name: 'e2e-no-such-line', direction: 'output' }] },
    });
    assertStartupError(await runFailing(t, { config }), /e2e-no-such-line/);
  });

  test('a data directory that cannot be created names the directory', async (t) => {
    const dir = await TempDir.create();
    t.after(() => dir.remove());
    await dir.write('a-file', 'not a directory');
    const unusable = dir.file('a-file', 'data');
    const result = await runToExit(['--ttm.port=0', `--store.directory=${unusable}`], { cwd: dir.path });
    assertStartupError(result, new RegExp(unusable.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(fs.readFileSync(dir.file('a-file'), 'utf8'), 'not a directory', 'the file is untouched');
  });
});

describe('command-line options', () => {
  test('boolean options take =false and =true (--ttm.jobs-editable=false)', async (t) => {
    const node = await startNode(t, { args: ['--ttm.jobs-editable=false'] });
    const reply = await node.api.post('/api/jobs', { name: 'x', command: ['/bin/true'], autostart: false });
    assert.equal(reply.status, 403, `${reply}`);
    const editable = await startNode(t, { args: ['--ttm.jobs-editable=true'] });
    const created = await editable.api.post('/api/jobs', { name: 'x', command: ['/bin/true'], autostart: false });
    assert.equal(created.status, 201, `${created}`);
  });

  test('a command-line value overrides the configuration file', async (t) => {
    const config = renderConfig({ ttm: { 'jobs-editable': true } });
    const node = await startNode(t, { config, args: ['--ttm.jobs-editable=false'] });
    const reply = await node.api.post('/api/jobs', { name: 'x', command: ['/bin/true'], autostart: false });
    assert.equal(reply.status, 403, `${reply}`);
  });
});

describe('the embedded default configuration', () => {
  test('runs the demo node: four GPIO lines, two jobs, one listening line', async (t) => {
    const node = await startNode(t, {});
    const gpios = expectJson(await node.api.get('/api/gpios'), 200);
    assert.deepEqual(
      gpios.map((g) => [g.name, g.direction]),
      [
        ['relay-a', 'output'],
        ['relay-b', 'output'],
        ['button-1', 'input'],
        ['door-sensor', 'input'],
      ],
    );
    const jobs = expectJson(await node.api.get('/api/jobs'), 200);
    assert.deepEqual(
      jobs.map((j) => [j.id, j.name]),
      [
        [1, 'heartbeat'],
        [2, 'hello'],
      ],
    );
    // The hello job prints its id and SIGNALBOX_URL.
    const log = await eventually(
      async () => {
        const lines = expectJson(await node.api.get('/api/jobs/2/log?lines=10'), 200);
        return lines.length > 0 ? lines : notYet(lines);
      },
      { timeoutMs: 5000 },
    );
    assert.match(log[0].line, new RegExp(`^hello from job 2 of http://127\\.0\\.0\\.1:${node.port}/?$`));
    // The heartbeat ticks on stdout.
    const heartbeat = expectJson(await node.api.get('/api/jobs/1/log?lines=10'), 200);
    for (const line of heartbeat) assert.match(line.line, /^tick \d\d:\d\d:\d\d$/);

    await node.stopCleanly();
    assert.equal(node.stdoutLines.filter((l) => l.startsWith('listening ttm ')).length, 1, node.describe());
    // The store was created where --store.directory points.
    assert.ok(fs.statSync(node.dataDir).isDirectory());
  });
});

describe('the CAF scheduler', () => {
  /** The node's thread count once it listens, started on CPU 0 only. */
  async function threadsOnOneCpu(t, args) {
    // Without realdds: Fast-DDS' own threads are not the scheduler's.
    const node = await startNode(t, { cpus: '0', args: ['--realdds.enabled=false', ...args] });
    const n = fs.readdirSync(`/proc/${node.pid}/task`).length;
    await node.dispose();
    return n;
  }

  test('has one worker per CPU of the affinity mask unless configured', async (t) => {
    const byDefault = await threadsOnOneCpu(t, []);
    const one = await threadsOnOneCpu(t, ['--scheduler.max-threads=1']);
    const three = await threadsOnOneCpu(t, ['--scheduler.max-threads=3']);
    // Everything but the workers is the same in the three nodes.
    assert.equal(byDefault, one, 'one CPU: one worker, not CAF\'s four');
    assert.equal(three, one + 2, 'a configured count is kept');
  });
});
