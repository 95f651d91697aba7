// The collector over real HTTP on loopback with a real SQLite file: validation, status codes,
// CORS, auth, dedupe, verbatim storage, migrations, the read API's arithmetic and the dashboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector } from '../../src/node/collector/main.js';
import { createIngestQueue } from '../../src/node/collector/queue.js';
import { openStore } from '../../src/node/collector/store.js';
import { MIGRATIONS } from '../../src/node/collector/migrations.js';
import { openSqliteStore } from '../../src/node/collector/sqlite-store.js';
import { rangeOf } from '../../src/node/collector/read-api.js';
import { LATENCY_BOUNDS, histogramQuantile, latencyBucket } from '../../src/telemetry/histogram.js';
import { psi } from '../../src/telemetry/psi.js';
import { tempDir } from './support/temp-dir.js';

const dir = tempDir('ferryml-collector-');
const TOKEN = 'test-admin-token';
let c: Collector;

before(async () => {
  c = await startCollector({ port: 0, db: join(dir, 'main.sqlite'), token: TOKEN, origins: ['http://app.test'] });
});
after(async () => {
  await c.close();
});

type KV = { key: string; value: Record<string, unknown> };
const s = (key: string, v: string): KV => ({ key, value: { stringValue: v } });
const i = (key: string, v: number): KV => ({ key, value: { intValue: String(v) } });
const d = (key: string, v: number): KV => ({ key, value: { doubleValue: v } });
const ints = (key: string, v: number[]): KV => ({ key, value: { arrayValue: { values: v.map((x) => ({ intValue: String(x) })) } } });
const dbls = (key: string, v: number[]): KV => ({ key, value: { arrayValue: { values: v.map((x) => ({ doubleValue: x })) } } });

let seq = 0;
function request(
  model: string,
  records: Array<{ event: string; attrs: KV[]; timeMs?: number }>,
  opts: { batchId?: string; session?: string; version?: string } = {},
) {
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            s('service.name', 'ferryml'),
            s('ml.model.name', model),
            s('ml.model.version', opts.version ?? '1.0.0'),
            s('ml.schema.hash', 'h1'),
            s('session.id', opts.session ?? 'sess-a'),
          ],
        },
        scopeLogs: [
          {
            scope: { name: 'ferryml', attributes: [s('ferryml.batch.id', opts.batchId ?? `batch-${process.pid}-${seq++}`)] },
            logRecords: records.map((r) => ({
              timeUnixNano: `${r.timeMs ?? Date.now()}000000`,
              severityNumber: 9,
              eventName: r.event,
              attributes: [s('event.name', r.event), ...r.attrs],
            })),
          },
        ],
      },
    ],
  };
}

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${c.url}/v1/logs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: (typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)) as BodyInit,
  });
  return { status: res.status, headers: res.headers, json: (await res.json().catch(() => null)) as Record<string, any> | null };
}

async function api(path: string, token: string | null = TOKEN) {
  const res = await fetch(`${c.url}${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

test('accepts a valid batch with 200 and an empty ExportLogsServiceResponse', async () => {
  const r = await post(request('ok-model', [{ event: 'ferryml.model.load', attrs: [s('ferryml.load.source', 'network')] }]));
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, {});
});

test('malformed JSON → 400 naming the JSON error', async () => {
  const r = await post('{"resourceLogs": [');
  assert.equal(r.status, 400);
  assert.match(r.json!.message, /not valid JSON/);
});

test('wrong structural types → 400 naming the path', async () => {
  let r = await post({ resourceLogs: {} });
  assert.equal(r.status, 400);
  assert.match(r.json!.message, /resourceLogs must be an array/);
  r = await post({ resourceLogs: [{ scopeLogs: [{ logRecords: 'nope' }] }] });
  assert.equal(r.status, 400);
  assert.match(r.json!.message, /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords must be an array/);
  r = await post([1, 2]);
  assert.equal(r.status, 400);
  assert.match(r.json!.message, /must be a JSON object/);
});

test('bad records are rejected alone: partialSuccess counts them; all bad → 400', async () => {
  const body = request('partial', [
    { event: 'ferryml.model.load', attrs: [s('ferryml.load.source', 'cache')] },
    { event: 'ferryml.model.load', attrs: [{ key: 'ferryml.load.bytes', value: { intValue: 'twelve' } }] },
    { event: 'ferryml.model.load', attrs: [{ key: 'x', value: { stringValue: 5 } }] },
  ]);
  const r = await post(body);
  assert.equal(r.status, 200);
  assert.equal(r.json!.partialSuccess.rejectedLogRecords, '2');
  assert.match(r.json!.partialSuccess.errorMessage, /intValue must be an int64/);
  assert.match(r.json!.partialSuccess.errorMessage, /stringValue must be a string/);
  const stored = c.store.db!.prepare("SELECT count(*) AS n FROM logs WHERE model = 'partial'").get() as { n: number };
  assert.equal(stored.n, 1);

  const bad = request('partial', [{ event: 'x', attrs: [] }]);
  (bad.resourceLogs[0]!.scopeLogs[0]!.logRecords[0] as Record<string, unknown>).traceId = 'not-hex';
  const r2 = await post(bad);
  assert.equal(r2.status, 400);
  assert.match(r2.json!.message, /traceId must be 32 hex digits/);
});

test('wrong content type → 415; protobuf gets a pointer to the OpenTelemetry Collector', async () => {
  let r = await post('{}', { 'Content-Type': 'text/plain' });
  assert.equal(r.status, 415);
  assert.match(r.json!.message, /application\/json/);
  r = await post(new Uint8Array([10, 0]), { 'Content-Type': 'application/x-protobuf' });
  assert.equal(r.status, 415);
  assert.match(r.json!.message, /JSON only/);
  r = await post('{}', { 'Content-Encoding': 'br' });
  assert.equal(r.status, 415);
});

test('gzip bodies are accepted; over 1 MiB (raw or inflated) → 413', async () => {
  const body = request('gzip-model', [{ event: 'ferryml.model.load', attrs: [s('ferryml.load.source', 'offline')] }]);
  let r = await post(gzipSync(JSON.stringify(body)), { 'Content-Encoding': 'gzip' });
  assert.equal(r.status, 200);
  const big = JSON.stringify(request('big', [{ event: 'x', attrs: [s('pad', 'x'.repeat(1024 * 1024))] }]));
  r = await post(big);
  assert.equal(r.status, 413);
  assert.match(r.json!.message, /1048576-byte limit/);
  r = await post(gzipSync(big), { 'Content-Encoding': 'gzip' });
  assert.equal(r.status, 413, 'a small gzip body that inflates past the limit');
  r = await post(Buffer.from('not gzip'), { 'Content-Encoding': 'gzip' });
  assert.equal(r.status, 400);
});

test('SQL- and HTML-looking strings are stored and read back verbatim', async () => {
  const nasty = [
    "'; DROP TABLE logs; --",
    'Robert"); DELETE FROM batches; --',
    "' OR '1'='1",
    '<script>alert(1)</script>',
    '$."ferryml.backend"',
    'ünïcødé 🐧 \u0000 nul',
  ];
  const model = "m'; DROP TABLE logs; --";
  const r = await post(
    request(
      model,
      nasty.map((v, k) => ({
        event: 'ferryml.validation.issue',
        attrs: [s('ferryml.column', v), s('ferryml.issue.code', 'PARSE_ERROR'), i('ferryml.issue.count', k + 1)],
      })),
    ),
  );
  assert.equal(r.status, 200);
  const rec = await api(`/api/records?model=${encodeURIComponent(model)}&limit=50`);
  assert.deepEqual(rec.json.records.map((x: any) => x.attributes['ferryml.column']).sort(), [...nasty].sort());
  const sum = await api(`/api/summary?model=${encodeURIComponent(model)}`);
  assert.deepEqual(Object.fromEntries(sum.json.validation.map((v: any) => [v.column, v.count])), Object.fromEntries(nasty.map((v, k) => [v, k + 1])));
  const models = await api('/api/models');
  assert.ok(models.json.models.some((m: any) => m.name === model));
  const tables = c.store.db!.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
  assert.deepEqual(
    tables.map((t) => t.name),
    ['alert_state', 'batches', 'logs'],
  );
});

test('a batch id delivered twice is stored once (at-least-once delivery, deduped)', async () => {
  const body = request(
    'dedupe',
    [
      { event: 'ferryml.model.load', attrs: [] },
      { event: 'ferryml.model.load', attrs: [] },
    ],
    { batchId: 'same-batch-id' },
  );
  const before = c.stats.duplicateBatches;
  assert.equal((await post(body)).status, 200);
  assert.equal((await post(body)).status, 200);
  const n = c.store.db!.prepare("SELECT count(*) AS n FROM logs WHERE model = 'dedupe'").get() as { n: number };
  assert.equal(n.n, 2);
  assert.equal(c.stats.duplicateBatches, before + 1);
});

test('read API needs the bearer token', async () => {
  assert.equal((await api('/api/models', null)).status, 401);
  assert.equal((await api('/api/models', 'wrong-token')).status, 401);
  assert.equal((await api('/api/models')).status, 200);
  assert.equal((await api('/api/summary')).status, 400, 'model is required');
  assert.equal((await api('/api/summary?model=x&from=yesterday')).status, 400);
});

test('CORS: allowlisted origin gets preflight and exposed Retry-After; others 403', async () => {
  const pre = await fetch(`${c.url}/v1/logs`, {
    method: 'OPTIONS',
    headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-ferryml-ingest-key' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'http://app.test');
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /content-type/);
  const ok = await post(request('cors', [{ event: 'x', attrs: [] }]), { Origin: 'http://app.test' });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'http://app.test');
  assert.match(ok.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
  const evilPre = await fetch(`${c.url}/v1/logs`, { method: 'OPTIONS', headers: { Origin: 'http://evil.test', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(evilPre.status, 403);
  assert.equal(evilPre.headers.get('access-control-allow-origin'), null);
  const evil = await post(request('cors-evil', [{ event: 'x', attrs: [] }]), { Origin: 'http://evil.test' });
  assert.equal(evil.status, 403);
  assert.equal((c.store.db!.prepare("SELECT count(*) AS n FROM logs WHERE model = 'cors-evil'").get() as { n: number }).n, 0);
});

test('ingest keys (one per app): required when configured', async () => {
  const k = await startCollector({ port: 0, db: ':memory:', token: TOKEN, ingestKey: 'app-key-1, app-key-3' });
  try {
    const body = JSON.stringify(request('keyed', [{ event: 'x', attrs: [] }]));
    const no = await fetch(`${k.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.equal(no.status, 401);
    const wrong = await fetch(`${k.url}/v1/logs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Ferryml-Ingest-Key': 'app-key-2' },
      body,
    });
    assert.equal(wrong.status, 401);
    const yes = await fetch(`${k.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Ferryml-Ingest-Key': 'app-key-1' }, body });
    assert.equal(yes.status, 200);
    const other = await fetch(`${k.url}/v1/logs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Ferryml-Ingest-Key': 'app-key-3' },
      body,
    });
    assert.equal(other.status, 200);
  } finally {
    await k.close();
  }
});

test('the ingest queue is bounded: a full queue refuses (the handler answers 429 + Retry-After)', async () => {
  const store = openSqliteStore(':memory:');
  const q = createIngestQueue(store, { maxRecords: 3, writeBatchRecords: 100 });
  const group = (n: number) => [{ batchId: undefined, rows: [] as never[], n }];
  const a = q.enqueue(group(2), 2);
  const b = q.enqueue(group(2), 2);
  assert.ok(a);
  assert.equal(b, undefined, 'over the bound while the first waits for its transaction');
  await a;
  assert.equal(q.size, 0);
  const c2 = q.enqueue(group(2), 2);
  assert.ok(c2, 'room again after the write');
  await c2;
  await store.close();

  const small = await startCollector({ port: 0, db: ':memory:', token: TOKEN, queueRecords: 1, retryAfterS: 7 });
  try {
    const body = JSON.stringify(request('burst', [{ event: 'x', attrs: [] }]));
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${small.url}/v1/logs`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: body.replace(/batch-[\d-]+/, `b-${Math.random()}`),
        }),
      ),
    );
    const throttled = results.filter((r) => r.status === 429);
    assert.ok(
      results.every((r) => r.status === 200 || r.status === 429),
      'only 200 or 429',
    );
    for (const r of throttled) assert.equal(r.headers.get('retry-after'), '7');
    const stored = (small.store.db!.prepare("SELECT count(*) AS n FROM logs WHERE model = 'burst'").get() as { n: number }).n;
    assert.equal(stored, results.length - throttled.length, 'every 200 is stored, no 429 is');
  } finally {
    await small.close();
  }
});

test('a request refused with 429 counts none of its rejected records (its retry will)', async () => {
  const small = await startCollector({ port: 0, db: ':memory:', token: TOKEN, queueRecords: 1 });
  // The store holds its first write until released: the queue stays full meanwhile.
  const write = small.store.write.bind(small.store);
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let writes = 0;
  (small.store as { write: typeof write }).write = async (...args) => {
    writes++;
    await gate;
    return write(...args);
  };
  try {
    // One good record and one timed two days ahead (rejected alone) per request.
    const send = async (batchId: string) =>
      fetch(`${small.url}/v1/logs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(
          request(
            'refused',
            [
              { event: 'x', attrs: [] },
              { event: 'x', attrs: [], timeMs: Date.now() + 2 * 86_400_000 },
            ],
            { batchId },
          ),
        ),
      });
    const until = async (what: () => boolean | Promise<boolean>) => {
      while (!(await what())) await new Promise((r) => setTimeout(r, 5));
    };
    const queued = async () =>
      ((await (await fetch(`${small.url}/api/health`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { queued: number }).queued;
    // The first is being written (held), the second waits in the queue: the queue is full.
    const first = send('r-1');
    await until(() => writes === 1);
    const second = send('r-2');
    await until(async () => (await queued()) === 1);
    for (let k = 0; k < 3; k++) assert.equal((await send('r-3')).status, 429);
    release();
    assert.deepEqual([(await first).status, (await second).status, (await send('r-3')).status], [200, 200, 200]);
    assert.deepEqual([small.stats.throttled, small.stats.accepted, small.stats.rejected], [3, 3, 3]);
  } finally {
    release();
    await small.close();
  }
});

test('read API times: a date-time without a zone is UTC whatever the server zone; other date formats are refused (400)', () => {
  const tz = process.env.TZ;
  process.env.TZ = 'America/New_York'; // Node re-reads TZ when it is assigned
  try {
    const from = (v: string) => rangeOf(new URLSearchParams({ model: 'm', from: v, to: String(Date.UTC(2030, 0, 1)) })).from;
    assert.equal(from('2026-03-01T10:00'), Date.UTC(2026, 2, 1, 10));
    assert.equal(from('2026-03-01T10:00:30.5'), Date.UTC(2026, 2, 1, 10, 0, 30, 500));
    assert.equal(from('2026-03-01'), Date.UTC(2026, 2, 1));
    assert.equal(from('2026-03-01T10:00+01:00'), Date.UTC(2026, 2, 1, 9));
    assert.equal(from('1772359200000'), 1772359200000);
    assert.throws(() => from('Mar 1 2026'), { status: 400, message: /from must be epoch milliseconds or an ISO 8601 date .*"Mar 1 2026"/ });
  } finally {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  }
});

test('read API: counts, merged latency percentiles, error rate, backend mix, load shares, drift PSI merged across clients', async () => {
  const model = 'arith';
  const t0 = Date.now() - 10 * 60_000;
  // Two clients' windows: known latencies become histograms the way the SDK builds them.
  const hist = (lat: number[]) => {
    const counts = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0);
    for (const l of lat) counts[latencyBucket(l)]!++;
    const first = counts.findIndex((x) => x > 0);
    const last = counts.length - 1 - [...counts].reverse().findIndex((x) => x > 0);
    return { offset: first, counts: counts.slice(first, last + 1), dense: counts };
  };
  const latA = Array.from({ length: 60 }, (_, k) => 1 + k * 0.05); // 1.00 … 3.95 ms
  const latB = Array.from({ length: 40 }, (_, k) => 8 + k * 0.5); // 8 … 27.5 ms
  const summaryRecord = (backend: string, lat: number[], timeMs: number) => {
    const h = hist(lat);
    return {
      event: 'ferryml.predict.summary',
      timeMs,
      attrs: [
        s('ferryml.backend', backend),
        i('ferryml.predict.calls', lat.length),
        i('ferryml.predict.rows', lat.length * 2),
        d(
          'ferryml.latency.sum_ms',
          lat.reduce((a, b) => a + b, 0),
        ),
        d('ferryml.latency.min_ms', Math.min(...lat)),
        d('ferryml.latency.max_ms', Math.max(...lat)),
        i('ferryml.latency.offset', h.offset),
        ints('ferryml.latency.counts', h.counts),
      ],
    };
  };
  const expected = [0.297, 0.396, 0.297, 0.01, 0];
  const driftRecord = (counts: number[], timeMs: number) => ({
    event: 'ferryml.drift.window',
    timeMs,
    attrs: [
      s('ferryml.feature', 'bill'),
      s('ferryml.drift.kind', 'numeric'),
      ints('ferryml.drift.counts', counts),
      dbls('ferryml.drift.expected', expected),
      i('ferryml.drift.min_rows', 100),
      i('ferryml.drift.out_of_range', 3),
    ],
  });
  const load = (source: string, backend: string) => ({
    event: 'ferryml.model.load',
    timeMs: t0,
    attrs: [
      s('ferryml.load.source', source),
      s('ferryml.backend', backend),
      d('ferryml.load.ms', 40),
      {
        key: 'ferryml.backend.rejected',
        value: { arrayValue: { values: [{ kvlistValue: { values: [s('backend', 'webgpu'), s('reason', 'no adapter')] } }] } },
      },
    ],
  });
  assert.equal(
    (
      await post(
        request(
          model,
          [
            summaryRecord('wasm', latA, t0),
            driftRecord([20, 30, 10, 0, 0], t0),
            load('network', 'wasm'),
            load('cache', 'wasm'),
            { event: 'ferryml.predict.error', timeMs: t0, attrs: [s('ferryml.error.code', 'INFERENCE_FAILED'), i('ferryml.error.count', 3)] },
          ],
          { session: 'client-1' },
        ),
      )
    ).status,
    200,
  );
  assert.equal(
    (
      await post(
        request(
          model,
          [summaryRecord('webgpu', latB, t0 + 60_000), driftRecord([5, 10, 45, 1, 9], t0 + 60_000), load('offline', 'webgpu'), load('cache', 'wasm')],
          { session: 'client-2' },
        ),
      )
    ).status,
    200,
  );

  const r = await api(`/api/summary?model=${model}&from=${t0 - 1000}&to=${Date.now() + 1000}`);
  assert.equal(r.status, 200);
  const p = r.json.predictions;
  assert.equal(p.calls, 100);
  assert.equal(p.rows, 200);
  assert.equal(p.errors, 3);
  assert.equal(p.errorRate, 3 / 103);
  assert.deepEqual(p.errorsByCode, { INFERENCE_FAILED: 3 });
  assert.deepEqual(Object.fromEntries(Object.entries(p.backends).map(([b, v]: [string, any]) => [b, v.calls])), { wasm: 60, webgpu: 40 });
  const merged = hist([...latA, ...latB]).dense;
  const all = [...latA, ...latB].sort((a, b) => a - b);
  assert.equal(p.latency.p50, histogramQuantile(merged, 0.5, all[0], all.at(-1)));
  assert.equal(p.latency.p95, histogramQuantile(merged, 0.95, all[0], all.at(-1)));
  // The estimate stays inside the histogram bucket that holds the exact percentile.
  for (const [q, v] of [
    [0.5, p.latency.p50],
    [0.95, p.latency.p95],
  ] as const) {
    const exact = all[Math.ceil(q * all.length) - 1]!;
    const b = latencyBucket(exact);
    assert.ok(v >= (LATENCY_BOUNDS[b - 1] ?? 0) && v <= LATENCY_BOUNDS[b]!, `p${q * 100} ${v} in the bucket of ${exact}`);
  }
  assert.equal(p.latency.meanMs, all.reduce((a, b) => a + b, 0) / 100);
  assert.equal(r.json.loads.count, 4);
  assert.equal(r.json.loads.cacheHitShare, 0.5);
  assert.equal(r.json.loads.offlineShare, 0.25);
  assert.deepEqual(r.json.loads.rejectedBackends, { webgpu: { 'no adapter': 4 } });
  assert.equal(r.json.sessions, 2);
  const drift = r.json.drift[0];
  assert.deepEqual(drift.counts, [25, 40, 55, 1, 9]);
  assert.equal(drift.rows, 130);
  assert.equal(drift.clients, 2);
  assert.equal(drift.psi, psi(expected, [25, 40, 55, 1, 9]));
  // Hand-computed PSI with the 1e-4 floor, independent of psi():
  const a = [25, 40, 55, 1, 9].map((x) => x / 130);
  const byHand = expected.reduce((acc, e, k) => acc + (Math.max(a[k]!, 1e-4) - Math.max(e, 1e-4)) * Math.log(Math.max(a[k]!, 1e-4) / Math.max(e, 1e-4)), 0);
  assert.ok(Math.abs(drift.psi - byHand) < 1e-12);
  assert.equal(drift.status, drift.psi >= 0.25 ? 'alert' : drift.psi >= 0.1 ? 'warn' : 'ok');
  assert.equal(drift.status, 'alert');
  assert.equal(drift.outOfRange, 6);

  const ts = await api(`/api/timeseries?model=${model}&from=${t0}&to=${t0 + 120_000}&step=60000`);
  assert.equal(ts.json.points.length, 2);
  assert.deepEqual(
    ts.json.points.map((x: any) => x.backends),
    [{ wasm: 60 }, { webgpu: 40 }],
  );
  assert.deepEqual(
    ts.json.points.map((x: any) => x.t),
    [t0, t0 + 60_000],
    'buckets start at from + k·step, in epoch ms',
  );
  assert.deepEqual(
    ts.json.points[0].drift,
    [{ version: '1.0.0', feature: 'bill', rows: 60, psi: null, status: 'insufficient' }],
    '60 rows < min_rows 100: not scored',
  );
  assert.deepEqual(
    ts.json.points.map((x: any) => x.errorsByCode),
    [{ INFERENCE_FAILED: 3 }, {}],
  );
  const one = await api(`/api/summary?model=${model}&version=9.9.9`);
  assert.equal(one.json.predictions.calls, 0, 'version filter');
});

test('read API: drift once per feature per model version (newest first); load sources listed whatever their value', async () => {
  const model = 'versions';
  const t0 = Date.now() - 5 * 60_000;
  const drift = (feature: string, counts: number[], expected: number[]) => ({
    event: 'ferryml.drift.window',
    timeMs: t0,
    attrs: [
      s('ferryml.feature', feature),
      s('ferryml.drift.kind', 'numeric'),
      ints('ferryml.drift.counts', counts),
      dbls('ferryml.drift.expected', expected),
      i('ferryml.drift.min_rows', 10),
    ],
  });
  const old = [0.5, 0.5, 0, 0];
  const neu = [0.25, 0.75, 0, 0];
  // 1.9.0 from two clients, 1.10.0 from one: numeric order puts 1.10.0 first, not string order.
  for (const session of ['a', 'b']) {
    assert.equal(
      (await post(request(model, [drift('bill', [10, 10, 0, 0], old), drift('flipper', [5, 15, 0, 0], old)], { version: '1.9.0', session }))).status,
      200,
    );
  }
  const load = (source: string, ms: number) => ({
    event: 'ferryml.model.load',
    timeMs: t0,
    attrs: [s('ferryml.load.source', source), s('ferryml.backend', 'wasm'), d('ferryml.load.ms', ms)],
  });
  assert.equal(
    (
      await post(
        request(
          model,
          [
            drift('bill', [5, 15, 0, 0], neu),
            drift('flipper', [20, 0, 0, 0], neu),
            load('network', 300),
            load('local', 20),
            load('local', 40),
            load('from-the-future', 7),
          ],
          { version: '1.10.0' },
        ),
      )
    ).status,
    200,
  );

  const q = `model=${model}&from=${t0 - 1000}&to=${Date.now() + 1000}`;
  const all = (await api(`/api/summary?${q}`)).json;
  assert.deepEqual(
    all.drift.map((x: any) => [x.version, x.feature, x.rows, x.clients]),
    [
      ['1.10.0', 'bill', 20, 1],
      ['1.10.0', 'flipper', 20, 1],
      ['1.9.0', 'bill', 40, 2],
      ['1.9.0', 'flipper', 40, 2],
    ],
  );
  assert.equal(all.drift[2].psi, psi(old, [20, 20, 0, 0]), 'a version merges only its own windows');
  assert.equal(all.drift[0].psi, psi(neu, [5, 15, 0, 0]));
  const v19 = (await api(`/api/summary?${q}&version=1.9.0`)).json;
  assert.deepEqual(
    v19.drift.map((x: any) => [x.version, x.feature]),
    [
      ['1.9.0', 'bill'],
      ['1.9.0', 'flipper'],
    ],
  );
  const ts = (await api(`/api/timeseries?${q}&step=3600000`)).json;
  assert.equal(ts.points.length, 1);
  assert.deepEqual(
    ts.points[0].drift.map((x: any) => `${x.feature}@${x.version}`),
    ['bill@1.10.0', 'flipper@1.10.0', 'bill@1.9.0', 'flipper@1.9.0'],
  );

  // A load source this collector has never heard of (a newer SDK's) is counted like the known ones.
  assert.deepEqual(all.loads.sources, { network: 1, cache: 0, offline: 0, local: 2, 'from-the-future': 1 });
  assert.deepEqual(all.loads.bySource, [
    { source: 'local', count: 2, share: 0.5, meanMs: 30 },
    { source: 'from-the-future', count: 1, share: 0.25, meanMs: 7 },
    { source: 'network', count: 1, share: 0.25, meanMs: 300 },
  ]);
  assert.equal(all.loads.cacheHitShare, 0);
});

test('migrations are versioned: applied once, and a newer database is refused', () => {
  const file = join(dir, 'migrate.sqlite');
  const latest = MIGRATIONS.at(-1)!.version;
  const a = openStore(file);
  assert.equal(a.schemaVersion(), latest);
  assert.equal(a.db.pragma('journal_mode', { simple: true }), 'wal');
  a.close();
  const b = openStore(file);
  assert.equal(b.schemaVersion(), latest);
  b.close();
  const raw = new Database(file);
  raw.pragma('user_version = 99');
  raw.close();
  assert.throws(() => openStore(file), new RegExp(`schema version 99, newer than this collector knows \\(${latest}\\)`));
});

test('the dashboard page and uPlot are served by the collector (no CDN)', async () => {
  const page = await fetch(`${c.url}/dashboard`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<script type="module" src="\/dashboard.js">/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const script = await fetch(`${c.url}/dashboard.js`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
  const js = await script.text();
  // One module bundled from the typed page sources; uPlot is the collector's own copy.
  assert.match(js, /from "\/assets\/uPlot.esm.js"/);
  assert.match(js, /function driftTables/);
  assert.match(js, /0\.25/, 'the PSI alert threshold, from the SDK');
  assert.doesNotMatch(js, /\bimport\s*\{[^}]*\}\s*from\s*"\.{0,2}\//, 'no other import: the page is one file');
  assert.doesNotMatch(html + js, /https?:\/\//, 'nothing loaded from another origin');
  const lib = await fetch(`${c.url}/assets/uPlot.esm.js`);
  assert.equal(lib.status, 200);
  assert.match(await lib.text(), /export \{ uPlot as default \}|export default/);
});
