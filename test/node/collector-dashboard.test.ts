// The dashboard in Debian's Chromium (playwright-core): the collector serves the page and uPlot,
// the page reads the read API with the token from the URL fragment and draws real charts and
// tables; stored strings that look like HTML stay text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startCollector } from '../../src/node/collector/main.js';

const { findChromium } = (await import(new URL('../../scripts/ensure.mjs', import.meta.url).href)) as { findChromium(): string | undefined };
const { chromiumArgs } = (await import(new URL('../../scripts/chromium.mjs', import.meta.url).href)) as { chromiumArgs(o?: { webgpu?: boolean }): string[] };

const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const i = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const ints = (key: string, v: number[]) => ({ key, value: { arrayValue: { values: v.map((x) => ({ intValue: String(x) })) } } });
const dbls = (key: string, v: number[]) => ({ key, value: { arrayValue: { values: v.map((x) => ({ doubleValue: x })) } } });

test('dashboard: uPlot charts, drift status and tables from the read API', { timeout: 60_000 }, async () => {
  const c = await startCollector({ port: 0, db: ':memory:', token: 'dashboard-token' });
  const executablePath = findChromium();
  assert.ok(executablePath, 'no Chromium: run `node scripts/ensure.mjs` or set CHROME_PATH');
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs({ webgpu: false }) });
  try {
    const now = Date.now();
    const evil = '<img src=x onerror="window.__xss=1">';
    const records = [0, 1, 2].flatMap((k) => [
      { event: 'ferryml.predict.summary', t: now - (3 - k) * 120_000, attrs: [s('ferryml.backend', k === 2 ? 'webgpu' : 'wasm'), i('ferryml.predict.calls', 10), i('ferryml.predict.rows', 10), i('ferryml.latency.offset', 20), ints('ferryml.latency.counts', [4, 6])] },
      { event: 'ferryml.drift.window', t: now - (3 - k) * 120_000, attrs: [s('ferryml.feature', evil), s('ferryml.drift.kind', 'numeric'), ints('ferryml.drift.counts', [10, 190, 0, 0]), dbls('ferryml.drift.expected', [0.5, 0.5, 0, 0]), i('ferryml.drift.min_rows', 100)] },
    ]);
    records.push({ event: 'ferryml.predict.error', t: now - 60_000, attrs: [s('ferryml.error.code', 'INFERENCE_FAILED'), i('ferryml.error.count', 2)] });
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [s('ml.model.name', 'dash-model'), s('ml.model.version', '2.0.0'), s('session.id', 'sess')] },
          scopeLogs: [{ scope: { name: 'ferryml' }, logRecords: records.map((r) => ({ timeUnixNano: `${r.t}000000`, eventName: r.event, severityNumber: 9, attributes: r.attrs })) }],
        },
      ],
    };
    const res = await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);

    const page = await browser.newPage({ viewport: { width: 1300, height: 1200 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${c.url}/dashboard#token=dashboard-token`);
    await page.waitForSelector('#chart-drift canvas', { timeout: 20_000 });
    for (const id of ['chart-latency', 'chart-backends', 'chart-errors', 'chart-drift']) {
      assert.equal(await page.locator(`#${id} .uplot canvas`).count(), 1, `${id} is a uPlot chart`);
    }
    const legend = await page.locator('#chart-backends .u-legend').innerText();
    assert.match(legend, /wasm/);
    assert.match(legend, /webgpu/);
    assert.match(await page.locator('#chart-drift .u-legend').innerText(), /alert 0\.25/);
    const driftRow = page.locator('#drift tr').nth(1);
    assert.equal(await driftRow.locator('td').first().innerText(), evil, 'an HTML-looking feature name is shown as text');
    assert.equal(await driftRow.locator('td.alert').innerText(), 'alert');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('#drift img').count(), 0);
    assert.match(await page.locator('#errors').innerText(), /INFERENCE_FAILED\s+2/);
    assert.match(await page.locator('#cards').innerText(), /30\s*predictions/);
    assert.equal(await page.evaluate(() => location.hash), '', 'the token leaves the address bar');
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
