// The collector's ClickHouse store on the real engine (embedded ClickHouse 26.7 through chdb,
// installed on demand into node_modules/.cache/ferryml-chdb the first time):
// - parity: the same SDK batches (built with the SDK's own encoders), duplicates and hand-made
//   edge cases posted to a SQLite collector and a chdb collector give the same read-API JSON
//   for every endpoint, version and range;
// - the OTel path: rows inserted into otel_logs the way the OpenTelemetry Collector's ClickHouse
//   exporter writes them read exactly like rows ingested by ferryml's collector;
// - otel-collector.yaml's exporter table and TTL are what the code creates;
// - faults: the table gone (DETACH) → ingest 503 + Retry-After and nothing acknowledged, read API
//   503 with the cause; back (ATTACH) → 200; a ClickHouse server that does not answer at start →
//   the CLI exits 1 with STORE_UNAVAILABLE naming the URL.
// chdb allows one data directory per process, so every collector here shares one, each in its
// own database. ~15 s on 2 cores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector } from '../../src/node/collector/main.js';
import { loadChdb } from '../../src/node/collector/chdb-load.js';
import { collectorDefaults } from '../../src/node/collector/options.js';
import type { ChdbSession } from '../../src/node/collector/chdb-load.js';
import { asExporterMap, asExporterString } from '../../src/node/collector/clickhouse-rows.js';
import { OTEL_LOGS_INSERT_COLUMNS, createLogsTable, ttlClause } from '../../src/node/collector/clickhouse-sql.js';
import { sdkBatches } from './support/sdk-batches.js';
import { startClickHouseHttp } from './support/clickhouse-http.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { Schema } from '../../src/schema/types.js';

const TOKEN = 'clickhouse-test-token';
const dir = mkdtempSync(join(tmpdir(), 'ferryml-ch-'));
const chdbPath = join(dir, 'chdb');
const NOW = Date.now();
const HOUR = 3_600_000;
let sqlite: Collector;
let ch: Collector;
let session: ChdbSession;

before(async () => {
  const chdb = await loadChdb();
  sqlite = await startCollector({ port: 0, db: join(dir, 'parity.sqlite'), token: TOKEN });
  ch = await startCollector({ port: 0, store: 'chdb', chdbPath, clickhouseDatabase: 'parity', token: TOKEN });
  session = new chdb.Session(chdbPath); // the same directory: chdb shares the connection
});
after(async () => {
  await sqlite?.close();
  await ch?.close();
  session?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(c: Collector, body: string) {
  const res = await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

async function get(c: Collector, path: string) {
  const res = await fetch(`${c.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// /api/records: attributes as each store keeps them (typed on SQLite, the exporter's strings on
// ClickHouse) and `id` (SQLite's row id), newest by arrival vs by time: compared as sets in the exporter's form.
function recordSet(records: Array<Record<string, unknown>>) {
  return records
    .map(({ id: _id, ...r }) => JSON.stringify({
      ...r,
      body: r.body === null ? null : asExporterString(r.body),
      attributes: asExporterMap(r.attributes as Record<string, unknown>),
      resource: asExporterMap(r.resource as Record<string, unknown>),
    }))
    .sort();
}

/** Every read-API path the parity check compares, for one model. */
function readPaths(model: string): string[] {
  const m = encodeURIComponent(model);
  const ranges = [`from=${NOW - 24 * HOUR}&to=${NOW + 15 * 60_000}`, `from=${NOW - 6 * HOUR}&to=${NOW - 2 * HOUR}`, `from=${new Date(NOW - 3 * HOUR).toISOString()}&to=${new Date(NOW).toISOString()}`];
  const out = ['/api/models', `/api/summary?model=${m}&version=9.9.9&${ranges[0]}`];
  for (const range of ranges) {
    for (const v of ['', '&version=1.0.0', '&version=2.0.0']) {
      out.push(`/api/summary?model=${m}&${range}${v}`);
      for (const step of ['', '&step=900000']) out.push(`/api/timeseries?model=${m}&${range}${v}${step}`);
    }
  }
  return out;
}

async function assertParity(model: string, other: Collector = ch) {
  for (const path of readPaths(model)) {
    const [a, b] = await Promise.all([get(sqlite, path), get(other, path)]);
    assert.equal(a.status, 200, `${path}: ${JSON.stringify(a.body)}`);
    assert.equal(b.status, 200, `${path}: ${JSON.stringify(b.body)}`);
    // The stores may hold other tests' models too: /api/models is compared for this model.
    const only = (body: Record<string, unknown>) => (path === '/api/models' ? (body.models as Array<{ name: string }>).filter((x) => x.name === model) : body);
    assert.deepEqual(only(b.body), only(a.body), `${path} differs between SQLite and ${other.store.kind}`);
  }
  for (const q of [`model=${encodeURIComponent(model)}&limit=1000`, `model=${encodeURIComponent(model)}&event=ferryml.drift.window&limit=1000`, `model=${encodeURIComponent(model)}&event=ferryml.model.load&limit=1000`]) {
    const [a, b] = await Promise.all([get(sqlite, `/api/records?${q}`), get(other, `/api/records?${q}`)]);
    assert.deepEqual(recordSet(b.body.records as never), recordSet(a.body.records as never), `/api/records?${q}`);
  }
}

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
  await assertParity('penguins');
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
      { name: 'bill_length_mm', type: 'number', steps: [{ kind: 'standardize', mean: 44, scale: 5 }], range: { min: 30, max: 60 }, baseline: { kind: 'numeric', edges: [40, 45], shares: [0.3, 0.4, 0.3], missing: 0.01, rows: 333 } },
      { name: 'island', type: 'category', steps: [{ kind: 'onehot', categories: ['Biscoe', 'Dream', 'Torgersen'], unknown: 'ignore' }], baseline: { kind: 'categorical', categories: ['Biscoe', 'Dream', 'Torgersen'], shares: [0.5, 0.35, 0.15], missing: 0, rows: 333 } },
    ],
    features: ['bill_length_mm', 'island_Biscoe', 'island_Dream', 'island_Torgersen'],
    width: 4,
  };
  try {
    const endpoint = `http://127.0.0.1:${(capture.address() as AddressInfo).port}`;
    for (const version of ['1.0.0', '2.0.0']) {
      const t = createTelemetry({ endpoint, offline: false, sampleRate: 0.5, rawValues: ['island'], driftMinRows: 10, maxBatchRecords: 5 }, { model: 'sdk-pipeline', version, schemaHash: `sha256-${version}`, schema });
      t.modelLoaded({ version, source: 'network', bytes: 6200, ms: 41.5, backend: 'wasm', rejected: [{ backend: 'webgpu', reason: 'isFallbackAdapter: true' }] });
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
  await assertParity('sdk-pipeline');
});

test('parity: edge cases — records without seq or batch id, odd strings, eventName without the attribute', async () => {
  const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const rec = (t: number, event: string, attrs: unknown[], extra: Record<string, unknown> = {}) => ({ timeUnixNano: `${t}000000`, severityNumber: 13, eventName: event, attributes: attrs, ...extra });
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
                rec(t0, 'ferryml.validation.issue', [kv('ferryml.column', 'naïve\u0000col'), kv('ferryml.issue.code', 'TYPE_MISMATCH'), { key: 'ferryml.issue.count', value: { intValue: '3' } }, kv('ml.model.version', '3.0.0')]),
                rec(t0 + 1, 'ferryml.predict.error', [kv('ferryml.error.code', '<b>x</b>'), { key: 'ferryml.error.count', value: { doubleValue: 2 } }], { body: { kvlistValue: { values: [{ key: 'z', value: { intValue: '1' } }, { key: 'a', value: { boolValue: true } }] } } }),
                rec(t0 + 2, 'ferryml.telemetry.drops', [{ key: 'ferryml.dropped.queue_full', value: { intValue: '4' } }], { body: { stringValue: 'plain text' }, traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }),
              ],
            },
          ],
        },
      ],
    });
  for (const c of [sqlite, ch]) {
    for (const b of [body(true), body(true), body(false)]) assert.equal((await post(c, b)).status, 200);
  }
  await assertParity("edge'; DROP TABLE otel_logs; --");
});

test('--store clickhouse: the official @clickhouse/client over HTTP gives the same JSON; a server gone later → 503', async () => {
  const http = await startClickHouseHttp(session);
  const c = await startCollector({ port: 0, store: 'clickhouse', clickhouseUrl: http.url, clickhouseDatabase: 'viaclient', token: TOKEN, retryAfterS: 4 });
  try {
    const batches = sdkBatches({ seed: 23, baseMs: NOW - 30_000, spanMs: 10 * HOUR, sessions: 3, batches: 5, model: 'via-client' });
    for (const target of [sqlite, c]) {
      for (const b of [...batches, batches[2]!]) assert.equal((await post(target, b.body)).status, 200);
    }
    await assertParity('via-client', c);
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

test('the OTel path: rows written as the OpenTelemetry exporter writes them read like ferryml-ingested rows', async () => {
  const otel = await startCollector({ port: 0, store: 'chdb', chdbPath, clickhouseDatabase: 'otelpath', token: TOKEN });
  const mirror = await startCollector({ port: 0, db: join(dir, 'otelpath.sqlite'), token: TOKEN });
  try {
    const batches = sdkBatches({ seed: 99, baseMs: NOW - 120_000, spanMs: 5 * HOUR, sessions: 3, batches: 4, model: 'otel-model' });
    // The exporter's statement (exporter_logs.go pushLogsData): one row per record, maps from
    // attributesToMap (Value.AsString), Body.AsString, ServiceName from the resource, hex ids.
    const rows: string[] = [];
    for (const b of batches) {
      assert.equal((await post(mirror, b.body)).status, 200);
      const req = JSON.parse(b.body) as { resourceLogs: Array<{ resource: { attributes: KV[] }; scopeLogs: Array<{ scope: { name: string; attributes: KV[] }; logRecords: Array<Record<string, unknown>> }> }> };
      for (const rl of req.resourceLogs) {
        const res = mapOf(rl.resource.attributes);
        for (const sl of rl.scopeLogs) {
          for (const r of sl.logRecords) {
            const ns = String(r.timeUnixNano);
            rows.push(
              `(${[`toDateTime64('${ns.slice(0, -9)}.${ns.slice(-9)}', 9)`, lit(String(r.traceId ?? '')), lit(String(r.spanId ?? '')), '0', lit(String(r.severityText ?? '')), String(r.severityNumber), lit(res['service.name'] ?? ''), "''", "''", mapLit(res), "''", lit(sl.scope.name), "''", mapLit(mapOf(sl.scope.attributes)), mapLit(mapOf(r.attributes as KV[])), lit(String(r.eventName ?? ''))].join(', ')})`,
            );
          }
        }
      }
    }
    await session.queryAsync(`INSERT INTO otelpath.otel_logs (${OTEL_LOGS_INSERT_COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`);
    const stored = (await session.queryAsync(`SELECT DISTINCT ScopeName, LogAttributes['ferryml.latency.counts'] LIKE '[%]' AS arraysAsJson FROM otelpath.otel_logs WHERE LogAttributes['event.name'] = 'ferryml.predict.summary'`, { format: 'JSONEachRow' })).text();
    assert.deepEqual(JSON.parse(stored), { ScopeName: 'ferryml', arraysAsJson: 1 });
    for (const path of readPaths('otel-model')) {
      const [a, b] = await Promise.all([get(mirror, path), get(otel, path)]);
      assert.equal(b.status, 200, `${path}: ${JSON.stringify(b.body)}`);
      assert.deepEqual(b.body, a.body, `${path}: exporter-written rows read differently from ferryml-ingested ones`);
    }
    // And the rows ferryml's collector writes into ClickHouse are those same rows.
    const mine = (await session.queryAsync(`SELECT * EXCEPT (TimestampTime) FROM parity.otel_logs WHERE ResourceAttributes['ml.model.name'] = 'otel-model' ORDER BY Timestamp, LogAttributes['ferryml.seq'] FORMAT JSONEachRow`)).text();
    assert.equal(mine, '', 'no otel-model rows went to the parity database');
    for (const b of batches) assert.equal((await post(ch, b.body)).status, 200);
    const ours = (await session.queryAsync(`SELECT * EXCEPT (TimestampTime) FROM parity.otel_logs WHERE ResourceAttributes['ml.model.name'] = 'otel-model' ORDER BY Timestamp, toInt64(LogAttributes['ferryml.seq']), ResourceAttributes['session.id'] FORMAT JSONEachRow`)).text();
    const theirs = (await session.queryAsync(`SELECT * EXCEPT (TimestampTime) FROM otelpath.otel_logs ORDER BY Timestamp, toInt64(LogAttributes['ferryml.seq']), ResourceAttributes['session.id'] FORMAT JSONEachRow`)).text();
    assert.equal(ours, theirs, 'ferryml-ingested rows equal the exporter-written rows, column by column');
  } finally {
    await otel.close();
    await mirror.close();
  }
});

type KV = { key: string; value: Record<string, unknown> };
function mapOf(attrs: KV[]): Record<string, string> {
  const out: Record<string, unknown> = {};
  for (const kv of attrs) out[kv.key] = decode(kv.value);
  return asExporterMap(out);
}
function decode(v: Record<string, unknown>): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(decode);
  if ('kvlistValue' in v) return Object.fromEntries(((v.kvlistValue as { values?: KV[] }).values ?? []).map((kv) => [kv.key, decode(kv.value)]));
  return null;
}
const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const mapLit = (m: Record<string, string>) => `map(${Object.entries(m).flatMap(([k, v]) => [lit(k), lit(v)]).join(', ')})`;

test('otel-collector.yaml: the exporter table, database and TTL are those the collector creates', async () => {
  const yaml = parseYaml(readFileSync('otel-collector.yaml', 'utf8')) as { exporters: { clickhouse: { database: string; logs_table_name: string; ttl: string; create_schema: boolean } } };
  const e = yaml.exporters.clickhouse;
  assert.equal(e.create_schema, true);
  assert.equal(e.database, collectorDefaults.clickhouseDatabase, 'the default --clickhouse-database is the yaml database');
  assert.equal(e.logs_table_name, collectorDefaults.clickhouseTable);
  assert.equal(ch.options.clickhouseTable, collectorDefaults.clickhouseTable);
  const ttl = /^(\d+)h$/.exec(e.ttl);
  assert.ok(ttl, `ttl "${e.ttl}" in hours`);
  assert.equal(Number(ttl[1]), ch.options.clickhouseTtlHours, 'the collector creates the table with the yaml TTL');
  assert.equal(ttlClause(Number(ttl[1]) * 3600), 'TTL TimestampTime + toIntervalDay(90)');
  // The table the collector created, as ClickHouse reports it: the exporter's TTL and settings.
  const ddl = (await session.queryAsync('SHOW CREATE TABLE parity.otel_logs', { format: 'TSVRaw' })).text();
  assert.match(ddl, /TTL TimestampTime \+ toIntervalDay\(90\)/);
  assert.match(ddl, /SETTINGS .*ttl_only_drop_parts = 1/);
  assert.match(ddl, /PARTITION BY toDate\(TimestampTime\)/);
  assert.match(ddl, /ORDER BY \(ServiceName, TimestampTime, Timestamp\)/);
  assert.match(createLogsTable(0), /\n\nSETTINGS/, 'ttl 0: no TTL clause');
});

test('faults: the table gone → ingest 503 + Retry-After (nothing acknowledged), reads 503 with the cause; back → 200', async () => {
  const c = await startCollector({ port: 0, store: 'chdb', chdbPath, clickhouseDatabase: 'faults', token: TOKEN, retryAfterS: 3 });
  try {
    const [first, second] = sdkBatches({ seed: 5, baseMs: NOW, spanMs: HOUR, sessions: 1, batches: 2, model: 'faulty' });
    assert.equal((await post(c, first!.body)).status, 200);
    await session.queryAsync('DETACH TABLE faults.otel_logs');
    const refused = await post(c, second!.body);
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.retryAfter, '3');
    assert.match(String(refused.body.message), /could not store the batch: ClickHouse at chdb:.*(UNKNOWN_TABLE|does not exist|doesn't exist)/i);
    const read = await get(c, `/api/summary?model=faulty`);
    assert.equal(read.status, 503);
    assert.match(String(read.body.message), /the chdb store could not answer: .*(UNKNOWN_TABLE|does not exist|doesn't exist)/i);
    await session.queryAsync('ATTACH TABLE faults.otel_logs');
    assert.equal((await post(c, second!.body)).status, 200, 'the SDK retries and it lands');
    const models = await get(c, '/api/models');
    const stored = (models.body.models as Array<{ versions: Array<{ records: number }> }>)[0]!.versions[0]!.records;
    const sent = [first!, second!].reduce((n, b) => n + (JSON.parse(b.body) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> }).resourceLogs[0]!.scopeLogs[0]!.logRecords.length, 0);
    assert.equal(stored, sent, 'every acknowledged record is stored once');
  } finally {
    await c.close();
  }
});

test('faults: a ClickHouse server that does not answer at start → exit 1, STORE_UNAVAILABLE naming the URL', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/collector/main.ts', '--port', '0', '--store', 'clickhouse', '--clickhouse-url', 'http://127.0.0.1:9/'], {
    encoding: 'utf8',
    env: { ...process.env, FERRYML_ADMIN_TOKEN: TOKEN },
    timeout: 30_000,
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /\[STORE_UNAVAILABLE\] cannot reach ClickHouse at http:\/\/127\.0\.0\.1:9/);
  assert.doesNotMatch(r.stdout, /listening/);
});

test("attribute values become the exporter's strings (pdata Value.AsString)", () => {
  // Expected strings as Go writes them: float64AsString (ES6 number formatting, "1e-7" not
  // "1e-07"), strconv.FormatInt, and encoding/json for slices and maps (sorted keys, <>& escaped).
  assert.equal(asExporterString('plain <text>'), 'plain <text>', 'a string attribute is stored as is');
  assert.equal(asExporterString(42), '42');
  assert.equal(asExporterString('9223372036854775807'), '9223372036854775807', 'an int64 past 2^53 keeps every digit');
  assert.equal(asExporterString(0.1), '0.1');
  assert.equal(asExporterString(1e-7), '1e-7');
  assert.equal(asExporterString(1e21), '1e+21');
  assert.equal(asExporterString(false), 'false');
  assert.equal(asExporterString(null), '');
  assert.equal(asExporterString([1, 2.5, 'x']), '[1,2.5,"x"]');
  assert.equal(asExporterString([{ reason: 'no <gpu>', backend: 'webgpu' }]), '[{"backend":"webgpu","reason":"no \\u003cgpu\\u003e"}]');
  assert.deepEqual(asExporterMap({ 'ferryml.seq': 3, 'ferryml.drift.counts': [1, 0] }), { 'ferryml.seq': '3', 'ferryml.drift.counts': '[1,0]' });
});
