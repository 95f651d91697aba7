// Where the SDK posts and what the collector answers elsewhere, over real HTTP between the SDK's
// telemetry and the real collector (in-memory SQLite): an `endpoint` that already ends in
// `/v1/logs` (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT's usual value) is posted to as it is, and a path the
// collector does not serve is a 404 naming those it does, never a 405 that hides the mistake.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector } from '../../src/node/collector/main.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';

const schema = {
  formatVersion: 1 as const,
  columns: [{ name: 'x', type: 'number' as const, steps: [{ kind: 'passthrough' as const }] }],
  features: ['x'],
  width: 1,
};
/** Quiet timers: nothing is sent unless the test flushes. */
const quiet = { windowMs: 600_000, flushIntervalMs: 600_000, offline: false } as const;
const TOKEN = 'endpoint-admin-token';
let c: Collector;

before(async () => {
  c = await startCollector({ port: 0, db: ':memory:', token: TOKEN });
});
after(async () => {
  await c.close();
});

for (const [name, endpoint] of [
  ['the base URL', () => c.url],
  ['a URL ending in /v1/logs', () => `${c.url}/v1/logs`],
  ['a URL ending in /v1/logs/', () => `${c.url}/v1/logs/`],
] as const) {
  test(`telemetry with ${name} as its endpoint delivers to the collector: nothing dropped, no error`, async () => {
    const before = c.stats.accepted;
    const t = createTelemetry({ ...quiet, endpoint: endpoint() }, { model: `m-${before}`, version: '1', schemaHash: 'h', schema });
    t.predicted(1, 1, 'cpu');
    await t.flush();
    const s = t.stats();
    await t.dispose();
    assert.equal(s.lastError, undefined);
    assert.deepEqual(
      Object.entries(s.dropped).filter(([, n]) => n > 0),
      [],
    );
    assert.ok(s.sent >= 1, `sent ${s.sent}`);
    assert.ok(c.stats.accepted > before, 'the collector stored the records');
  });
}

test('an unknown path is a 404 naming the paths served, whatever the method', async () => {
  for (const [method, path] of [
    ['POST', '/v1/logs/v1/logs'],
    ['GET', '/nope'],
    ['GET', '/api/nope'],
    ['DELETE', '/assets/other.js'],
  ] as const) {
    const res = await fetch(`${c.url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
    assert.equal(res.status, 404, `${method} ${path}`);
    const body = (await res.json()) as { message: string };
    assert.match(body.message, new RegExp(`^no such path ${path}; this collector serves POST /v1/logs .*GET /dashboard, /api/models, .*/metrics, /healthz$`));
  }
});

test('a served path with the wrong method is a 405 with Allow', async () => {
  const logs = await fetch(`${c.url}/v1/logs`);
  assert.equal(logs.status, 405);
  assert.equal(logs.headers.get('allow'), 'POST, OPTIONS');
  for (const path of ['/dashboard', '/api/models', '/metrics', '/assets/uPlot.esm.js']) {
    const res = await fetch(`${c.url}${path}`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 405, path);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    assert.match(((await res.json()) as { message: string }).message, new RegExp(`^${path} answers GET only$`));
  }
});
