// The dashboard in Debian's Chromium (playwright-core): the collector serves the page and uPlot,
// the page reads the read API with the token from the URL fragment and draws real charts and
// tables. The data is the demo's case that once broke the time axis: a few minutes of records
// from two versions of one model, all in one bucket of the 24 h range. Screenshots go to
// test-artifacts/collector/ for a look by eye.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { startCollector } from '../../src/node/collector/main.js';

const { findChromium } = (await import(new URL('../../scripts/ensure.mjs', import.meta.url).href)) as { findChromium: () => string | undefined };
const { chromiumArgs } = (await import(new URL('../../scripts/chromium.mjs', import.meta.url).href)) as {
  chromiumArgs: (o?: { webgpu?: boolean }) => string[];
};
const artifacts = fileURLToPath(new URL('../../test-artifacts/collector/', import.meta.url));

const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const i = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const ints = (key: string, v: number[]) => ({ key, value: { arrayValue: { values: v.map((x) => ({ intValue: String(x) })) } } });
const dbls = (key: string, v: number[]) => ({ key, value: { arrayValue: { values: v.map((x) => ({ doubleValue: x })) } } });
type Rec = { event: string; t: number; attrs: unknown[] };
const body = (version: string, records: Rec[]) => ({
  resourceLogs: [
    {
      resource: {
        attributes: [
          s('ml.model.name', 'dash-model'),
          s('ml.model.version', version),
          s('ml.schema.hash', `schema-${version}`),
          s('session.id', `sess-${version}`),
        ],
      },
      scopeLogs: [
        {
          scope: { name: 'ferryml' },
          logRecords: records.map((r) => ({ timeUnixNano: `${r.t}000000`, eventName: r.event, severityNumber: 9, attributes: r.attrs })),
        },
      ],
    },
  ],
});

interface ChartState {
  xMin: number;
  xMax: number;
  xs: number[];
  yMax: number;
  width: number;
}
const chartStates = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      Object.entries((window as unknown as { ferrymlDashboard: { charts: Record<string, any> } }).ferrymlDashboard.charts).map(([id, u]) => [
        id,
        { xMin: u.scales.x.min, xMax: u.scales.x.max, xs: [...u.data[0]], yMax: u.scales.y.max, width: u.width },
      ]),
    ),
  ) as Promise<Record<string, ChartState>>;

// Tables stay in their own box: a cell may stick out of its section only where the section
// clips and scrolls, and no two sections overlap (the "out of range" header of the drift table
// once spilled over the validation table).
const spills = (page: Page) =>
  page.evaluate(() => {
    const bad: string[] = [];
    const sections = [...document.querySelectorAll<HTMLElement>('.tables > section')];
    const boxes = sections.map((s) => s.getBoundingClientRect());
    boxes.forEach((a, k) =>
      boxes.slice(k + 1).forEach((b, j) => {
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
          bad.push(`sections ${k} and ${k + 1 + j} overlap`);
      }),
    );
    sections.forEach((s, k) => {
      if (getComputedStyle(s).overflowX !== 'visible') return;
      for (const cell of s.querySelectorAll('th, td, caption')) {
        const r = cell.getBoundingClientRect();
        if (r.right > boxes[k]!.right + 0.5 || r.left < boxes[k]!.left - 0.5) bad.push(`"${cell.textContent}" sticks out of section ${k}`);
      }
    });
    return bad;
  });

test('dashboard: charts span the selected range, drift once per feature per version, tables never overlap (1280 and 390 px)', { timeout: 60_000 }, async () => {
  const c = await startCollector({ port: 0, db: ':memory:', token: 'dashboard-token' });
  const executablePath = findChromium();
  assert.ok(executablePath, 'no Chromium: run `node scripts/ensure.mjs` or set CHROME_PATH');
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs({ webgpu: false }) });
  try {
    const now = Date.now();
    const evil = '<img src=x onerror="window.__xss=1">';
    const drift = (t: number, feature: string, counts: number[]): Rec => ({
      event: 'ferryml.drift.window',
      t,
      attrs: [
        s('ferryml.feature', feature),
        s('ferryml.drift.kind', 'numeric'),
        ints('ferryml.drift.counts', counts),
        dbls('ferryml.drift.expected', [0.5, 0.5, 0, 0]),
        i('ferryml.drift.min_rows', 100),
      ],
    });
    const load = (t: number, source: string): Rec => ({
      event: 'ferryml.model.load',
      t,
      attrs: [s('ferryml.load.source', source), s('ferryml.backend', 'wasm')],
    });
    const v2 = [0, 1, 2].flatMap((k): Rec[] => {
      const t = now - (3 - k) * 120_000;
      return [
        {
          event: 'ferryml.predict.summary',
          t,
          attrs: [
            s('ferryml.backend', k === 2 ? 'webgpu' : 'wasm'),
            i('ferryml.predict.calls', 10),
            i('ferryml.predict.rows', 10),
            i('ferryml.latency.offset', 20),
            ints('ferryml.latency.counts', [4, 6]),
          ],
        },
        drift(t, evil, [10, 190, 0, 0]),
        drift(t, 'flipper', [100, 100, 0, 0]),
      ];
    });
    v2.push({ event: 'ferryml.predict.error', t: now - 60_000, attrs: [s('ferryml.error.code', 'INFERENCE_FAILED'), i('ferryml.error.count', 2)] });
    v2.push(load(now - 60_000, 'local'), load(now - 60_000, 'brand-new-source'), load(now - 60_000, 'cache'));
    v2.push({ event: 'ferryml.output.strange', t: now - 60_000, attrs: [s('ferryml.output.code', 'NON_FINITE'), i('ferryml.output.count', 7)] });
    v2.push({ ...drift(now - 60_000, 'class', [0, 200, 0, 0]), event: 'ferryml.output.window' });
    // 1.0.0 ran 20 h ago: in the 24 h range, not in its last 4 h.
    const v1 = [drift(now - 20 * 3_600_000, evil, [100, 100, 0, 0]), drift(now - 20 * 3_600_000, 'flipper', [150, 50, 0, 0])];
    for (const b of [body('2.0.0', v2), body('1.0.0', v1)]) {
      const res = await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
      assert.equal(res.status, 200);
    }

    // Strange outputs fire at once (for 0 s); the drift and error-rate rules wait for their `for`.
    await c.alerts.evaluate();

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${c.url}/dashboard#token=dashboard-token`);
    await page.waitForSelector('#drift table', { timeout: 20_000 });
    for (const id of ['chart-latency', 'chart-backends', 'chart-errors', 'chart-drift']) {
      assert.equal(await page.locator(`#${id} .uplot canvas`).count(), 1, `${id} is a uPlot chart`);
    }

    // The x axis is the selected 24 h (UNIX seconds) in 15 min buckets, and holds every record.
    const charts = await chartStates(page);
    const first = now - 20 * 3_600_000;
    for (const [id, u] of Object.entries(charts)) {
      assert.equal(u.xMax - u.xMin, 86_400, `${id}: x spans 24 h, not years`);
      assert.ok(u.xMin * 1000 <= first && u.xMax * 1000 > now, `${id}: [${u.xMin}, ${u.xMax}] holds ${first / 1000}…${now / 1000}`);
      assert.ok(
        u.xs.every((x) => x % 900 === 0 && x >= u.xMin && x <= u.xMax),
        `${id}: bucket starts on 15 min boundaries inside the range`,
      );
    }
    assert.equal(charts['chart-latency']!.xs.length, 96, 'one x per 15 min bucket of 24 h, empty ones included');
    assert.ok(charts['chart-drift']!.yMax >= 0.3, 'both PSI thresholds are inside the drift chart');

    const legend = await page.locator('#chart-backends .u-legend').innerText();
    assert.match(legend, /wasm/);
    assert.match(legend, /webgpu/);
    assert.match(await page.locator('#chart-errors .u-legend').innerText(), /INFERENCE_FAILED[\s\S]*error rate/);
    const driftLegend = await page.locator('#chart-drift .u-legend').innerText();
    assert.match(driftLegend, /warn 0\.1[\s\S]*alert 0\.25/);
    assert.match(driftLegend, /flipper · 2\.0\.0[\s\S]*flipper · 1\.0\.0/, 'a line per feature per version, labelled with the version');

    // One drift table per version (newest first), one row per feature in each.
    const tables = page.locator('#drift table');
    assert.deepEqual(await tables.evaluateAll((ts) => ts.map((t) => (t as HTMLElement).dataset.version)), ['2.0.0', '1.0.0']);
    for (const k of [0, 1]) {
      assert.deepEqual(
        await tables.nth(k).locator('tbody tr td:first-child').allInnerTexts(),
        [evil, 'flipper'],
        'an HTML-looking feature name is shown as text',
      );
    }
    assert.match(await tables.nth(0).locator('caption').innerText(), /version 2\.0\.0 · schema schema-2\.0\.0/);
    assert.deepEqual(await tables.nth(0).locator('th').allInnerTexts(), [
      'feature',
      'PSI 24 h',
      'PSI last 4 h',
      'rows',
      'kind',
      'missing',
      'unknown',
      'out of range',
      'clients',
    ]);
    const cells = (k: number) => tables.nth(k).locator('tbody tr').first().locator('td');
    assert.match(await cells(0).nth(1).innerText(), /^\d\.\d{3} alert$/);
    assert.equal(await cells(0).nth(1).getAttribute('class'), 'num alert');
    assert.match(await cells(0).nth(2).innerText(), /^\d\.\d{3} alert$/, 'the records are minutes old: in the last 4 h too');
    assert.equal(await cells(1).nth(1).innerText(), '0.000 ok');
    assert.equal(await cells(1).nth(2).innerText(), 'no rows', '1.0.0 sent nothing in the last 4 h');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('#drift img').count(), 0);

    assert.match(await page.locator('#errors').innerText(), /INFERENCE_FAILED\s+2\s+6\.3 %/);
    assert.match(await page.locator('#strange').innerText(), /NON_FINITE\s+7/);
    assert.match(await page.locator('#output-drift').innerText(), /2\.0\.0\s+class\s+200\s+\d\.\d{3}/);
    assert.equal(await page.locator('#output-drift td.alert').count(), 1);
    const firing = await page.locator('#alerts-firing tbody tr').allInnerTexts();
    assert.equal(firing.length, 1, firing.join('\n'));
    assert.match(firing[0]!, /FerrymlStrangeOutputs\s+dash-model\s+2\.0\.0\s+NON_FINITE\s+critical\s+7\.0000\s+0\.0000/);
    assert.match(await page.locator('#cards').innerText(), /1\s*alerts firing[\s\S]*7\s*strange outputs/);
    const sources = await page.locator('#sources').innerText();
    assert.match(sources, /local\s+1\s+33\.3 %/);
    assert.match(
      sources,
      /brand-new-source\s+1\s+33\.3 %\s+–/,
      'a load source the dashboard has never heard of is listed; no load time sent: no mean, not 0 ms',
    );
    assert.match(await page.locator('#cards').innerText(), /30\s*predicted rows/);
    const captions = await page.locator('figcaption').allInnerTexts();
    assert.match(captions[0]!, /per 15 min/);
    assert.match(captions[3]!, /per 1 h/, 'drift in 4× coarser buckets');
    assert.equal(await page.evaluate(() => location.hash), '', 'the token leaves the address bar');
    assert.deepEqual(await spills(page), []);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'dashboard-1280.png'), fullPage: true });

    // A phone: nothing wider than the screen, charts follow the width, headers still uncovered.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.waitForFunction(() =>
      Object.values((window as unknown as { ferrymlDashboard: { charts: Record<string, { width: number }> } }).ferrymlDashboard.charts).every(
        (u) => u.width <= innerWidth,
      ),
    );
    // On failure, name the outermost elements that stick out (clipped table sections scroll inside).
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter(
          (e) =>
            !e.closest('.tables section > *') &&
            e.getBoundingClientRect().right > innerWidth + 0.5 &&
            e.parentElement!.getBoundingClientRect().right <= innerWidth + 0.5,
        )
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`),
    );
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, `no sideways scrolling of the page: ${wide.join(', ')}`);
    assert.deepEqual(await spills(page), []);
    await page.screenshot({ path: join(artifacts, 'dashboard-390.png'), fullPage: true });

    // One version selected: only its drift table and its lines.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('#version').selectOption('1.0.0');
    await page.waitForFunction(() => document.querySelectorAll('#drift table').length === 1);
    assert.equal(await tables.first().getAttribute('data-version'), '1.0.0');
    assert.doesNotMatch(await page.locator('#chart-drift .u-legend').innerText(), /2\.0\.0/);
    assert.deepEqual(errors, []);

    // Without a token the page says what is wrong instead of drawing.
    const anon = await browser.newPage();
    await anon.goto(`${c.url}/dashboard`);
    await anon.waitForFunction(() => document.getElementById('status')!.textContent !== '');
    assert.match(await anon.locator('#status').innerText(), /^401: send Authorization: Bearer/);
  } finally {
    await browser.close();
    await c.close();
  }
});
