// End to end: `scripts/start.mjs` (the collector + the demo server, as `npm start` runs them) on
// free ports, the built demo driven in Debian's Chromium with playwright-core. Fills the penguins
// form from a golden row and expects the golden label, sees validation issues with the SDK's
// codes, sends the messy rows, draws a digit with mouse events, reloads with the network off and
// still predicts (service worker shell + the SDK's IndexedDB cache), then checks through the
// collector's read API that the telemetry (the offline part included) arrived. Screenshots go to
// test-artifacts/demo/; with FERRYML_DOCS_SCREENSHOTS=1 the README's two go to docs/ as well.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { rolloutBucket } from '../../src/model/rollout.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

// The scripts are plain .mjs without declarations: import them by URL, typed here.
const { findChromium } = (await import(new URL('../../scripts/ensure.mjs', import.meta.url).href)) as { findChromium: () => string | undefined };
const { chromiumArgs } = (await import(new URL('../../scripts/chromium.mjs', import.meta.url).href)) as {
  chromiumArgs: (o?: { webgpu?: boolean }) => string[];
};

const root = process.cwd();
const artifacts = join(root, 'test-artifacts/demo');
const TOKEN = 'demo-e2e-admin-token';
const docsScreenshots = process.env.FERRYML_DOCS_SCREENSHOTS === '1';

/** Newest modification time under `dir` (files matching `keep`). */
function newest(dir: string, keep: (path: string) => boolean): number {
  let max = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) max = Math.max(max, newest(p, keep));
    else if (keep(p)) max = Math.max(max, st.mtimeMs);
  }
  return max;
}

/** Builds the demo when dist/demo is missing or older than its sources (demo/ and the browser SDK). */
function buildIfNeeded(): void {
  const built = join(root, 'dist/demo/app.js');
  const sources = Math.max(
    newest(join(root, 'demo'), (p) => !p.includes(join('demo', 'dist'))),
    newest(join(root, 'src'), (p) => !p.includes(join('src', 'node'))),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/rollup/dist/bin/rollup'), '-c', 'demo/rollup.demo.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `demo build failed:\n${r.stdout}\n${r.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let start: ChildProcess;
let startOutput = '';
let startExit: Promise<number | null>;
let demoUrl: string;
let collectorUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dbDir: string;

async function shot(name: string, docsName?: string, target: Page = page): Promise<void> {
  const file = join(artifacts, `${name}.png`);
  await target.screenshot({ path: file, fullPage: true });
  if (docsScreenshots && docsName) copyFileSync(file, join(root, 'docs', docsName));
}

async function api(path: string): Promise<any> {
  const res = await fetch(`${collectorUrl}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, `${path}: HTTP ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** Waits until both models report ready (or fails with what the page says). */
async function modelsReady(): Promise<void> {
  for (const id of ['penguins-status', 'digits-status']) {
    const status = page.locator(`#${id}`);
    try {
      await status.and(page.locator('[data-state="ready"]')).waitFor({ timeout: 60_000 });
    } catch (error) {
      throw new Error(`#${id} never became ready; it says: ${await status.textContent()}`, { cause: error });
    }
  }
}

/** The golden rows of the penguins version the page loaded, and one with a label other than the first. */
function goldenRow(version: string): { row: Record<string, unknown>; label: string } {
  const dir = join(root, 'models/penguins', version);
  const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { rows: Record<string, unknown>[]; outputs: number[][] };
  const labels = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { output: { labels: string[] } }).output.labels;
  const argmax = (o: number[]) => o.indexOf(Math.max(...o));
  const i = Math.max(
    0,
    golden.outputs.findIndex((o) => argmax(o) !== 0),
  );
  return { row: golden.rows[i]!, label: labels[argmax(golden.outputs[i]!)]! };
}

async function fillForm(row: Record<string, unknown>): Promise<void> {
  for (const [column, value] of Object.entries(row)) {
    const field = page.getByLabel(column, { exact: true });
    if ((await field.count()) === 0) continue; // golden rows may carry raw columns the schema does not use
    const tag = await field.evaluate((el) => el.tagName);
    const text = value === null || value === undefined ? '' : String(value);
    if (tag === 'SELECT') await field.selectOption(text);
    else await field.fill(text);
  }
}

async function predictPenguin(expected: string): Promise<void> {
  await page.getByRole('button', { name: 'Predict species' }).click();
  const result = page.locator('#penguins-result');
  await result.and(page.locator('[data-state="ok"]')).waitFor({ timeout: 20_000 });
  assert.match((await result.locator('.label').textContent()) ?? '', new RegExp(`^${expected} \\(`));
}

/** Draws a "7" with real mouse events and expects the page to read it as a 7. */
async function drawDigit(): Promise<string> {
  await page.getByRole('button', { name: 'Clear drawing' }).click();
  const box = (await page.locator('#digit-canvas').boundingBox())!;
  const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(0.25, 0.22));
  await page.mouse.down();
  await page.mouse.move(...at(0.75, 0.22), { steps: 8 });
  await page.mouse.move(...at(0.42, 0.82), { steps: 12 });
  await page.mouse.up();
  const result = page.locator('#digit-result');
  await result.and(page.locator('[data-state="ok"]')).waitFor({ timeout: 20_000 });
  const label = (await result.locator('.label').textContent()) ?? '';
  // A plain 7 (bar, then diagonal), framed like MNIST by the page: the shipped model gets it right.
  assert.match(label, /^It looks like a 7 \(/);
  return label;
}

describe('demo: npm start servers driven by Chromium', { timeout: 240_000 }, () => {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    if (docsScreenshots) mkdirSync(join(root, 'docs'), { recursive: true });
    buildIfNeeded();
    const [port, collectorPort] = [await freePort(), await freePort()];
    dbDir = mkdtempSync(join(tmpdir(), 'ferryml-demo-e2e-'));
    start = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), COLLECTOR_PORT: String(collectorPort), COLLECTOR_DB: join(dbDir, 't.sqlite'), FERRYML_ADMIN_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    startExit = new Promise((resolve) => start.once('exit', (code) => resolve(code)));
    demoUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`start.mjs printed no URL in 60 s:\n${startOutput}`)), 60_000);
      const onData = (chunk: Buffer) => {
        startOutput += chunk.toString();
        const m = /ferryml demo: (\S+)/.exec(startOutput);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      start.stdout!.on('data', onData);
      start.stderr!.on('data', onData);
      void startExit.then((code) => reject(new Error(`start.mjs exited (${code}) before printing the URL:\n${startOutput}`)));
    });
    collectorUrl = /collector:\s+(\S+)/.exec(startOutput)![1]!;
    const executablePath = findChromium();
    assert.ok(executablePath, 'no Chromium: run `node scripts/ensure.mjs` or set CHROME_PATH');
    browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs() });
    context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
    // The demo follows penguins' stable channel, which rolls a fraction of clients out to canary
    // (a tree model) by a random client id: the page gets an id the registry's rollout keeps on
    // stable, so what it loads is decided, not drawn (the canary test below switches explicitly).
    const rollout = (JSON.parse(readFileSync('models/index.json', 'utf8')) as { models: Record<string, { rollout?: Record<string, number> }> }).models[
      'penguins'
    ]?.rollout;
    let clientId = 0;
    while (Object.entries(rollout ?? {}).some(([channel, f]) => rolloutBucket(`demo-e2e-${clientId}`, 'penguins', channel) < f)) clientId++;
    await context.addInitScript((id) => localStorage.setItem('ferryml:client-id', id), `demo-e2e-${clientId}`);
    page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  });

  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- after() runs even when before() failed before assigning it
    await browser?.close();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the same for the demo server
    if (start && start.exitCode === null) {
      start.kill('SIGTERM');
      const code = await Promise.race([startExit, new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
      if (code === 'timeout') start.kill('SIGKILL');
      assert.equal(code, 0, `start.mjs should stop cleanly on SIGTERM:\n${startOutput.slice(-2000)}`);
    }
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  it('serves the page cross-origin isolated and loads both models, saying which backend and why', async () => {
    await page.goto(demoUrl);
    await modelsReady();
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'COOP/COEP headers should isolate the page');
    const backend = await page.locator('#backend-info [data-model="penguins"] [data-backend]').textContent();
    assert.ok(['webgpu', 'wasm', 'cpu'].includes(backend ?? ''), `backend: ${backend}`);
    // Worker mode: tfjs runs in the SDK's worker, never on the page's thread (no jank while drawing).
    // tfjs-core creates its engine as a global on first use; the page must not have one.
    assert.match((await page.locator('#backend-info [data-model="penguins"]').textContent()) ?? '', /runs in a Web Worker/);
    assert.equal(await page.evaluate(() => '_tfengine' in globalThis), false, 'tfjs runs in the worker only');
    // Penguins is a small dense chain: the plain-JS engine runs it (in the worker), no tfjs at all.
    assert.match(
      (await page.locator('#backend-info [data-model="penguins"]').textContent()) ?? '',
      /plain JavaScript · direct kernel, plain JavaScript \(golden rows within [\d.e-]+\); tfjs not loaded/,
    );
    // Digits needs tfjs; Chromium here has only a software WebGPU adapter (or none): the panel must say why it was passed over.
    const digits = await page.locator('#backend-info [data-model="digits"] [data-backend]').textContent();
    if (digits !== 'webgpu') assert.match((await page.locator('#backend-info [data-model="digits"] .rejected').textContent()) ?? '', /webgpu/);
  });

  it('predicts a penguin from the generated form and shows the golden label', async () => {
    const version = ((await page.locator('#penguins-version').textContent()) ?? '').replace(/^v/, '');
    const { row, label } = goldenRow(version);
    await fillForm(row);
    await predictPenguin(label);
    await shot('01-penguin-prediction');
  });

  it('shows a validation error with the SDK code under the field, and rejects the row', async () => {
    const field = page.locator('#penguins-fields input').first();
    const before = await field.inputValue();
    await field.fill('abc');
    await field.press('Tab');
    const issue = page.locator('#penguins-fields .issue[data-severity="error"]').first();
    await issue.waitFor({ timeout: 5_000 });
    assert.match((await issue.textContent()) ?? '', /PARSE_ERROR|TYPE_MISMATCH/);
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Predict species' }).click();
    await page.locator('#penguins-result[data-state="error"]').waitFor({ timeout: 10_000 });
    assert.match((await page.locator('#penguins-result').textContent()) ?? '', /VALIDATION_FAILED/);
    await shot('02-validation-error');
    await field.fill(before);
    await field.press('Tab');
    assert.equal(await field.getAttribute('aria-invalid'), 'false');
  });

  it('sends messy rows: each row gets its own outcome, the bad one alone is rejected', async () => {
    await page.getByRole('button', { name: 'Send messy rows' }).click();
    const rows = page.locator('#messy-result tbody tr');
    await rows.first().waitFor({ timeout: 10_000 });
    const texts = await rows.allTextContents();
    assert.ok(texts.length >= 4, `messy rows: ${texts.length}`);
    const word = texts.find((t) => t.includes('forty-two'))!;
    assert.match(word, /rejected/);
    assert.match(word, /PARSE_ERROR|TYPE_MISMATCH/);
    const asString = texts.find((t) => t.includes('as the string'))!;
    assert.doesNotMatch(asString, /rejected/, 'a decimal string in a column that parses strings runs');
    assert.ok(texts.filter((t) => !/rejected/.test(t)).length >= 2, 'the other rows of the batch still ran');
    await shot('03-messy-rows');
  });

  it('predicts a digit drawn with the mouse, and one stamped from the keyboard', async () => {
    await page.locator('#digit-canvas').focus();
    await page.keyboard.press('3');
    await page.locator('#digit-result .label', { hasText: /^It looks like a \d/ }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Delete');
    await page.locator('#digit-result[data-state="empty"]').waitFor({ timeout: 5_000 });
    await drawDigit();
    // The stable digits version is the CNN (digits 2.0.0, training/digits-cnn.ts).
    assert.equal(await page.locator('#digits-version').textContent(), 'v2.0.0');
    await shot('04-digit');
  });

  it('forces a backend from the switch: both models reload on it, and back to automatic', async () => {
    await page.getByLabel('CPU', { exact: true }).check();
    // The automatic choice may already be cpu (penguins: the direct kernel wins the measurement),
    // so wait for the reload's own mark, "forced", not for the backend name alone.
    for (const model of ['penguins', 'digits']) {
      await page.locator(`#backend-info [data-model="${model}"]`, { hasText: 'forced' }).waitFor({ timeout: 30_000 });
      assert.equal(await page.locator(`#backend-info [data-model="${model}"] [data-backend]`).getAttribute('data-backend'), 'cpu');
    }
    await modelsReady();
    await drawDigit();
    assert.match((await page.locator('#digit-result .meta').textContent()) ?? '', /on cpu/);
    await page.getByLabel('automatic', { exact: true }).check();
    for (const model of ['penguins', 'digits']) {
      await page.locator(`#backend-info [data-model="${model}"]`, { hasNotText: 'forced' }).waitFor({ timeout: 30_000 });
    }
    await modelsReady();
  });

  it('follows the canary channel, pins another penguins version, predicts with it, and rolls back', async () => {
    const registry = JSON.parse(readFileSync(join(root, 'models/index.json'), 'utf8')) as {
      models: Record<string, { versions: string[]; channels: Record<string, string> }>;
    };
    const canary = registry.models['penguins']!.channels['canary'];
    if (canary) {
      await page.getByLabel('Penguins channel').selectOption('canary');
      await page.locator('#penguins-version', { hasText: `v${canary}` }).waitFor({ timeout: 30_000 });
      await modelsReady();
      await page.getByLabel('Penguins channel').selectOption('stable');
      await modelsReady();
    }
    const first = ((await page.locator('#penguins-version').textContent()) ?? '').replace(/^v/, '');
    // Pin the canary when there is one (penguins 2.0.0: a tree ensemble behind the same columns).
    const other = canary && canary !== first ? canary : registry.models['penguins']!.versions.find((v) => v !== first);
    assert.ok(other, 'the registry ships at least two penguins versions');
    await page.getByRole('button', { name: `Use penguins ${other}` }).click();
    await page.locator('#penguins-version', { hasText: `v${other}` }).waitFor({ timeout: 30_000 });
    await modelsReady();
    const { row, label } = goldenRow(other);
    await fillForm(row);
    await predictPenguin(label);
    assert.match((await page.locator(`#versions-info tr[data-version="penguins@${other}"]`).textContent()) ?? '', /KB/, 'the pinned version is cached');
    // Rollback: the earlier version is still cached, so this is a cache load.
    await page.getByRole('button', { name: `Use penguins ${first}` }).click();
    await page.locator('#penguins-version', { hasText: `v${first}` }).waitFor({ timeout: 30_000 });
    await modelsReady();
    assert.equal(await page.locator('#penguins-status').getAttribute('data-source'), 'cache');
  });

  it('reloads with the network off and still predicts from the caches', async () => {
    // The page shell must be in the service worker's cache before the network goes away.
    await page.locator('#net[data-shell="ready"]').waitFor({ timeout: 30_000 });
    // Telemetry recorded so far goes out now, while online.
    await page.getByRole('button', { name: 'Send now' }).click();
    await context.setOffline(true);
    await page.reload();
    await modelsReady();
    assert.equal(await page.evaluate(() => navigator.onLine), false);
    assert.match((await page.locator('#net-text').textContent()) ?? '', /Offline/);
    for (const id of ['penguins-status', 'digits-status']) {
      const source = await page.locator(`#${id}`).getAttribute('data-source');
      assert.ok(source === 'offline' || source === 'cache', `${id} source: ${source}`);
    }
    const version = ((await page.locator('#penguins-version').textContent()) ?? '').replace(/^v/, '');
    const { row, label } = goldenRow(version);
    await fillForm(row);
    await predictPenguin(label);
    await drawDigit();
    await shot('05-offline');
  });

  it('delivers telemetry to the collector, the offline part once back online', async () => {
    await context.setOffline(false);
    // `online` drains the IndexedDB queue; "Send now" flushes what is in memory.
    await page.getByRole('button', { name: 'Send now' }).click();
    // The fields of /api/summary this test reads.
    type Summary = {
      loads: { count: number; sources: { network: number; cache: number; offline: number } };
      predictions: { calls: number };
      validation: Array<{ code: string }>;
    };
    let penguins: Summary;
    let digits: Summary;
    let panel = 0;
    const deadline = Date.now() + 45_000;
    for (;;) {
      penguins = await api('/api/summary?model=penguins');
      digits = await api('/api/summary?model=digits');
      // The reloaded page has a fresh telemetry client: its "sent" count starts at 0 and grows
      // once its own batches are delivered, which may be after the collector already holds
      // enough from before the reload.
      panel = Number(await page.locator('#telemetry-totals').getAttribute('data-sent'));
      const done =
        penguins.loads.sources.offline + penguins.loads.sources.cache >= 1 && penguins.predictions.calls >= 3 && digits.predictions.calls >= 2 && panel > 0;
      if (done || Date.now() > deadline) break;
      await page.getByRole('button', { name: 'Send now' }).click();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.ok(penguins.loads.count >= 2, `penguins loads: ${JSON.stringify(penguins.loads)}`);
    assert.ok(penguins.loads.sources.network >= 1, `a network load: ${JSON.stringify(penguins.loads.sources)}`);
    assert.ok(penguins.loads.sources.offline + penguins.loads.sources.cache >= 1, `the offline reload's load event: ${JSON.stringify(penguins.loads.sources)}`);
    assert.ok(penguins.predictions.calls >= 3, `penguins predictions: ${JSON.stringify(penguins.predictions)}`);
    assert.ok(digits.predictions.calls >= 2, `digits predictions: ${JSON.stringify(digits.predictions)}`);
    // The "abc" and the messy rows reached the collector as counts by column and code, not values.
    const codes = penguins.validation.map((v: { code: string }) => v.code);
    assert.ok(
      codes.some((c: string) => c === 'PARSE_ERROR' || c === 'TYPE_MISMATCH'),
      `validation issues: ${JSON.stringify(penguins.validation)}`,
    );
    assert.ok(panel > 0, 'the telemetry panel counts what was sent');
  });

  it('scores drift: the panel shows the last PSI per feature and the collector has the windows', async () => {
    // Messy rows twice (an unknown island among them) is enough rows for a window; "Send now" closes it.
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: 'Send messy rows' }).click();
      await page.locator('#messy-result tbody tr').first().waitFor();
    }
    await page.getByRole('button', { name: 'Send now' }).click();
    const drift = page.locator('#telemetry-info [data-model="penguins"] table tbody tr');
    await drift.first().waitFor({ timeout: 15_000 });
    assert.match((await drift.first().textContent()) ?? '', /\d\.\d{3} (ok|warn|alert)/);
    let summary: any;
    for (let i = 0; i < 30; i++) {
      summary = await api('/api/summary?model=penguins');
      if (summary.drift.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.ok(summary.drift.length > 0, `collector drift: ${JSON.stringify(summary.drift)}`);
    await shot('06-telemetry-drift', 'demo.png');
  });

  it('serves the dashboard with the data', async () => {
    const dash = await context.newPage();
    await dash.goto(/dashboard:\s+(\S+)/.exec(startOutput)![1]!);
    await dash.locator('#model option[value="penguins"]').waitFor({ state: 'attached', timeout: 20_000 });
    await dash.locator('#model').selectOption('penguins');
    await dash.locator('canvas').first().waitFor({ timeout: 20_000 });
    await dash.waitForTimeout(500); // the charts redraw for the selected model
    await shot('07-dashboard', 'dashboard.png', dash);
    await dash.close();
  });

  it('clears the cache from the versions panel', async () => {
    await page.getByRole('button', { name: 'Clear cache' }).click();
    await page.locator('#versions-info').getByText('0 versions').waitFor({ timeout: 10_000 });
    for (const row of await page.locator('#versions-info tbody tr').allTextContents()) assert.match(row, /not cached/);
  });
});
