// The dashboard on both stores, in Debian's Chromium: the same SDK batches posted to a SQLite
// collector and to an embedded-ClickHouse (chdb) collector; each page draws its charts and
// tables from its own read API, and what it shows (cards, drift tables, issues, errors, load
// sources, rejected backends, the charts' series) is the same text and the same data. ~15 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector } from '../../src/node/collector/main.js';
import { loadChdb } from '../../src/node/collector/chdb-load.js';
import { sdkBatches } from './support/sdk-batches.js';

const { findChromium } = (await import(new URL('../../scripts/ensure.mjs', import.meta.url).href)) as { findChromium: () => string | undefined };
const { chromiumArgs } = (await import(new URL('../../scripts/chromium.mjs', import.meta.url).href)) as {
  chromiumArgs: (o?: { webgpu?: boolean }) => string[];
};

const TOKEN = 'dashboard-ch-token';

async function shown(browser: Browser, c: Collector) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${c.url}/dashboard#token=${TOKEN}`);
  await page.waitForSelector('#drift table', { timeout: 30_000 });
  const text = Object.fromEntries(
    await Promise.all(
      ['#cards', '#drift', '#issues', '#errors', '#sources', '#rejected'].map(async (sel) => [sel, await page.locator(sel).innerText()] as const),
    ),
  );
  // The charts' data, minus the "updated at" clock: x (bucket starts) and every series.
  const charts = await page.evaluate(() =>
    Object.fromEntries(
      Object.entries(
        (window as unknown as { ferrymlDashboard: { charts: Record<string, { data: unknown[][]; series: Array<{ label?: string }> }> } }).ferrymlDashboard
          .charts,
      ).map(([id, u]) => [id, { data: u.data.map((s) => [...s]), labels: u.series.map((s) => s.label ?? '') }]),
    ),
  );
  await page.close();
  return { text, charts, errors };
}

test('dashboard: the same page on SQLite and on ClickHouse (chdb)', { timeout: 180_000 }, async () => {
  await loadChdb();
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-dash-ch-'));
  const sqlite = await startCollector({ port: 0, db: join(dir, 'dash.sqlite'), token: TOKEN });
  const ch = await startCollector({ port: 0, store: 'chdb', chdbPath: join(dir, 'chdb'), token: TOKEN });
  const executablePath = findChromium();
  assert.ok(executablePath, 'no Chromium: run `node scripts/ensure.mjs` or set CHROME_PATH');
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs({ webgpu: false }) });
  try {
    const batches = sdkBatches({ seed: 3, baseMs: Date.now() - 60_000, spanMs: 20 * 3_600_000, sessions: 4, batches: 6 });
    for (const c of [sqlite, ch]) {
      for (const b of [...batches, batches[0]!]) {
        const res = await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: b.body });
        assert.equal(res.status, 200);
      }
    }
    let [a, b] = [await shown(browser, sqlite), await shown(browser, ch)];
    // Each page's range ends at its own "now": if a bucket boundary fell between the two loads, load again.
    const xs = (p: typeof a) => JSON.stringify(Object.values(p.charts).map((c) => c.data[0]));
    if (xs(a) !== xs(b)) [a, b] = [await shown(browser, sqlite), await shown(browser, ch)];
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
    assert.match(a.text['#drift']!, /Beak Length/);
    assert.deepEqual(b.text, a.text);
    assert.deepEqual(b.charts, a.charts);
  } finally {
    await browser.close();
    await sqlite.close();
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
