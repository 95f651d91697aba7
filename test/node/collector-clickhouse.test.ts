// The collector's ClickHouse store on the real engine (embedded ClickHouse 26.7 through chdb,
// installed once by `node scripts/ensure.mjs --chdb` or on first use): the same batches posted to
// a SQLite collector and to a ClickHouse collector give the same read-API JSON for every
// endpoint, version and range, duplicates included — SDK batches built with the SDK's own
// encoders, what createTelemetry itself sends, hand-made edge cases — on chdb, and through the
// official @clickhouse/client over ClickHouse's HTTP protocol. ~15 s on 2 cores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector } from '../../src/node/collector/main.js';
import type { ChdbSession } from '../../src/node/collector/chdb-load.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { Schema } from '../../src/schema/types.js';
import { sdkBatches } from './support/sdk-batches.js';
import { startClickHouseHttp } from './support/clickhouse-http.js';
import { HOUR, TOKEN, assertParity, get, post, startPair } from './support/store-parity.js';

const DATABASE = 'parity';
let sqlite: Collector;
let ch: Collector;
let session: ChdbSession;
let pair: Awaited<ReturnType<typeof startPair>>;
const NOW = Date.now();

before(async () => {
  pair = await startPair(DATABASE);
  ({ sqlite, ch, session } = pair);
});
after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- after() runs even when before() failed before assigning it
  await pair?.close();
});

test('parity: SDK batches (duplicates included) give the same read-API JSON on SQLite and chdb', { timeout: 120_000 }, async () => {
  const batches = sdkBatches({ seed: 17, baseMs: NOW - 60_000, spanMs: 20 * HOUR, sessions: 6, batches: 8 });
  // At-least-once: a fifth of the batches arrive twice (a lost response, resent with the same batch id).
  const sends = [...batches, ...batches.filter((_, k) => k % 5 === 0)];
  for (const c of [sqlite, ch]) {
    const answers = await Promise.all(sends.map((b) => post(c, b.body)));
    assert.deepEqual([...new Set(answers.map((x) => x.status))], [200]);
  }
  const models = await get(ch, '/api/models');
  const penguins = (models.body.models as Array<{ name: string; versions: Array<{ records: number }> }>).find((m) => m.name === 'penguins');
  assert.ok(penguins && penguins.versions.length === 2, JSON.stringify(models.body));
  const summary = await get(ch, `/api/summary?model=penguins&from=${NOW - 24 * HOUR}&to=${NOW}`);
  const p = summary.body.predictions as { calls: number; latency: { p95: number } };
  assert.ok(p.calls > 0 && p.latency.p95 > 0, 'the data is not empty');
  assert.equal((summary.body.drift as unknown[]).length, 4, 'two features × two versions');
  await assertParity(sqlite, ch, 'penguins', NOW);
});

test('parity: what createTelemetry itself sends (batcher, windows, drift capture, transport) reads the same', async () => {
  // The SDK's telemetry pipeline posts to a capture server; the captured bodies go to both collectors.
  const bodies: string[] = [];
  const capture = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => capture.listen(0, '127.0.0.1', r));
  const schema: Schema = {
    formatVersion: 1,
    columns: [
      {
        name: 'bill_length_mm',
        type: 'number',
        steps: [{ kind: 'standardize', mean: 44, scale: 5 }],
        range: { min: 30, max: 60 },
        baseline: { kind: 'numeric', edges: [40, 45], shares: [0.3, 0.4, 0.3], missing: 0.01, rows: 333 },
      },
      {
        name: 'island',
        type: 'category',
        steps: [{ kind: 'onehot', categories: ['Biscoe', 'Dream', 'Torgersen'], unknown: 'ignore' }],
        baseline: { kind: 'categorical', categories: ['Biscoe', 'Dream', 'Torgersen'], shares: [0.5, 0.35, 0.15], missing: 0, rows: 333 },
      },
    ],
    features: ['bill_length_mm', 'island_Biscoe', 'island_Dream', 'island_Torgersen'],
    width: 4,
  };
  try {
    const endpoint = `http://127.0.0.1:${(capture.address() as AddressInfo).port}`;
    for (const version of ['1.0.0', '2.0.0']) {
      const t = createTelemetry(
        { endpoint, offline: false, sampleRate: 0.5, rawValues: ['island'], driftMinRows: 10, maxBatchRecords: 5 },
        { model: 'sdk-pipeline', version, schemaHash: `sha256-${version}`, schema },
      );
      t.modelLoaded({
        version,
        source: 'network',
        bytes: 6200,
        ms: 41.5,
        backend: 'wasm',
        rejected: [{ backend: 'webgpu', reason: 'isFallbackAdapter: true' }],
      });
      for (let i = 0; i < 60; i++) {
        t.observe!(0, i % 7 === 0 ? null : 35 + (i % 20) / (version === '1.0.0' ? 2 : 1), i > 50 ? 'out_of_range' : undefined);
        t.observe!(1, ['Biscoe', 'Dream', 'Atlantis'][i % 3]!, i % 3 === 2 ? 'unknown' : undefined);
        t.predicted(1 + (i % 3), 0.2 + i / 10, i % 4 ? 'wasm' : 'cpu', () => ({ label: 'Adelie', probs: [0.9, 0.05, 0.05] }));
      }
      t.failed('INFERENCE_FAILED');
      t.issues([{ column: 'island', code: 'UNKNOWN_CATEGORY' }]);
      await t.flush();
      await t.dispose();
    }
  } finally {
    capture.close();
  }
  assert.ok(bodies.length >= 10, `the SDK sent ${bodies.length} batches`);
  for (const c of [sqlite, ch]) {
    for (const b of [...bodies, bodies[1]!, bodies[3]!]) assert.equal((await post(c, b)).status, 200);
  }
  const summary = await get(ch, `/api/summary?model=sdk-pipeline&from=${NOW - HOUR}&to=${Date.now() + 60_000}`);
  const p = summary.body.predictions as { calls: number; errors: number; backends: Record<string, unknown> };
  assert.equal(p.calls, 120, 'every predict() counted once, the resent batches too');
  assert.equal(p.errors, 2);
  assert.deepEqual(Object.keys(p.backends).sort(), ['cpu', 'wasm']);
  assert.equal((summary.body.drift as unknown[]).length, 4, 'two features × two versions');
  await assertParity(sqlite, ch, 'sdk-pipeline', NOW);
});

test('parity: edge cases — records without seq or batch id, odd strings, eventName without the attribute', async () => {
  const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const rec = (t: number, event: string, attrs: unknown[], extra: Record<string, unknown> = {}) => ({
    timeUnixNano: `${t}000000`,
    severityNumber: 13,
    eventName: event,
    attributes: attrs,
    ...extra,
  });
  const t0 = NOW - 2 * HOUR;
  const body = (batch: boolean) =>
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [kv('service.name', 'edge'), kv('ml.model.name', "edge'; DROP TABLE otel_logs; --"), kv('session.id', 'sess-ü')] },
          scopeLogs: [
            {
              scope: { name: 'ferryml', version: '1.2.3', attributes: batch ? [kv('ferryml.batch.id', 'edge-batch-1')] : [] },
              logRecords: [
                rec(t0, 'ferryml.validation.issue', [
                  kv('ferryml.column', 'naïve\u0000col'),
                  kv('ferryml.issue.code', 'TYPE_MISMATCH'),
                  { key: 'ferryml.issue.count', value: { intValue: '3' } },
                  kv('ml.model.version', '3.0.0'),
                ]),
                rec(t0 + 1, 'ferryml.predict.error', [kv('ferryml.error.code', '<b>x</b>'), { key: 'ferryml.error.count', value: { doubleValue: 2 } }], {
                  body: {
                    kvlistValue: {
                      values: [
                        { key: 'z', value: { intValue: '1' } },
                        { key: 'a', value: { boolValue: true } },
                      ],
                    },
                  },
                }),
                rec(t0 + 2, 'ferryml.telemetry.drops', [{ key: 'ferryml.dropped.queue_full', value: { intValue: '4' } }], {
                  body: { stringValue: 'plain text' },
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                }),
              ],
            },
          ],
        },
      ],
    });
  for (const c of [sqlite, ch]) {
    for (const b of [body(true), body(true), body(false)]) assert.equal((await post(c, b)).status, 200);
  }
  await assertParity(sqlite, ch, "edge'; DROP TABLE otel_logs; --", NOW);
});

test('--store clickhouse: the official @clickhouse/client over HTTP gives the same JSON; a server gone later → 503', async () => {
  const http = await startClickHouseHttp(session);
  const c = await startCollector({ port: 0, store: 'clickhouse', clickhouseUrl: http.url, clickhouseDatabase: 'viaclient', token: TOKEN, retryAfterS: 4 });
  try {
    const batches = sdkBatches({ seed: 23, baseMs: NOW - 30_000, spanMs: 10 * HOUR, sessions: 3, batches: 5, model: 'via-client' });
    for (const target of [sqlite, c]) {
      for (const b of [...batches, batches[2]!]) assert.equal((await post(target, b.body)).status, 200);
    }
    await assertParity(sqlite, c, 'via-client', NOW);
    assert.ok(http.statements > 50, `the requests reached the engine (${http.statements} statements)`);
    const health = await get(c, '/api/health');
    assert.equal(health.body.store, 'clickhouse');
    http.fail(true);
    const refused = await post(c, sdkBatches({ seed: 24, baseMs: NOW, spanMs: HOUR, sessions: 1, batches: 1, model: 'via-client' })[0]!.body);
    assert.equal(refused.status, 503);
    assert.equal(refused.retryAfter, '4');
    assert.match(String(refused.body.message), new RegExp(`ClickHouse at ${http.url.replace(/[.:/]/g, '\\$&')}`));
    const read = await get(c, '/api/models');
    assert.equal(read.status, 503);
    assert.match(String(read.body.message), /the clickhouse store could not answer/);
  } finally {
    http.fail(false);
    await c.close();
    await http.close();
  }
});
