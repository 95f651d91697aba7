// The OpenTelemetry path on the real engine (chdb): rows inserted into otel_logs the way the
// OpenTelemetry Collector's ClickHouse exporter writes them read exactly like rows ingested by
// ferryml's collector, and the rows ferryml's collector writes are those same rows;
// otel-collector.yaml's exporter database, table and TTL are what the code creates; attribute
// values become the exporter's strings. ~6 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector } from '../../src/node/collector/main.js';
import type { ChdbSession } from '../../src/node/collector/chdb-load.js';
import { collectorDefaults } from '../../src/node/collector/options.js';
import { asExporterMap, asExporterString } from '../../src/node/collector/clickhouse-rows.js';
import { OTEL_LOGS_INSERT_COLUMNS, createLogsTable, ttlClause } from '../../src/node/collector/clickhouse-sql.js';
import { sdkBatches } from './support/sdk-batches.js';
import { HOUR, TOKEN, get, post, readPaths, startPair } from './support/store-parity.js';

const DATABASE = 'parity';
let ch: Collector;
let session: ChdbSession;
let pair: Awaited<ReturnType<typeof startPair>>;
const NOW = Date.now();

before(async () => {
  pair = await startPair(DATABASE);
  ({ ch, session } = pair);
});
after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- after() runs even when before() failed before assigning it
  await pair?.close();
});

test('the OTel path: rows written as the OpenTelemetry exporter writes them read like ferryml-ingested rows', async () => {
  const otel = await startCollector({ port: 0, store: 'chdb', chdbPath: pair.chdbPath, clickhouseDatabase: 'otelpath', token: TOKEN });
  const mirror = await startCollector({ port: 0, db: join(pair.dir, 'otelpath.sqlite'), token: TOKEN });
  try {
    const batches = sdkBatches({ seed: 99, baseMs: NOW - 120_000, spanMs: 5 * HOUR, sessions: 3, batches: 4, model: 'otel-model' });
    // The exporter's statement (exporter_logs.go pushLogsData): one row per record, maps from
    // attributesToMap (Value.AsString), Body.AsString, ServiceName from the resource, hex ids.
    const rows: string[] = [];
    for (const b of batches) {
      assert.equal((await post(mirror, b.body)).status, 200);
      const req = JSON.parse(b.body) as {
        resourceLogs: Array<{
          resource: { attributes: KV[] };
          scopeLogs: Array<{ scope: { name: string; attributes: KV[] }; logRecords: Array<Record<string, unknown>> }>;
        }>;
      };
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
    const stored = (
      await session.queryAsync(
        `SELECT DISTINCT ScopeName, LogAttributes['ferryml.latency.counts'] LIKE '[%]' AS arraysAsJson FROM otelpath.otel_logs WHERE LogAttributes['event.name'] = 'ferryml.predict.summary'`,
        { format: 'JSONEachRow' },
      )
    ).text();
    assert.deepEqual(JSON.parse(stored), { ScopeName: 'ferryml', arraysAsJson: 1 });
    for (const path of readPaths('otel-model', NOW)) {
      const [a, b] = await Promise.all([get(mirror, path), get(otel, path)]);
      assert.equal(b.status, 200, `${path}: ${JSON.stringify(b.body)}`);
      assert.deepEqual(b.body, a.body, `${path}: exporter-written rows read differently from ferryml-ingested ones`);
    }
    // And the rows ferryml's collector writes into ClickHouse are those same rows.
    const mine = (
      await session.queryAsync(
        `SELECT * EXCEPT (TimestampTime) FROM parity.otel_logs WHERE ResourceAttributes['ml.model.name'] = 'otel-model' ORDER BY Timestamp, LogAttributes['ferryml.seq'] FORMAT JSONEachRow`,
      )
    ).text();
    assert.equal(mine, '', 'no otel-model rows went to the parity database');
    for (const b of batches) assert.equal((await post(ch, b.body)).status, 200);
    const ours = (
      await session.queryAsync(
        `SELECT * EXCEPT (TimestampTime) FROM parity.otel_logs WHERE ResourceAttributes['ml.model.name'] = 'otel-model' ORDER BY Timestamp, toInt64(LogAttributes['ferryml.seq']), ResourceAttributes['session.id'] FORMAT JSONEachRow`,
      )
    ).text();
    const theirs = (
      await session.queryAsync(
        `SELECT * EXCEPT (TimestampTime) FROM otelpath.otel_logs ORDER BY Timestamp, toInt64(LogAttributes['ferryml.seq']), ResourceAttributes['session.id'] FORMAT JSONEachRow`,
      )
    ).text();
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
const mapLit = (m: Record<string, string>) =>
  `map(${Object.entries(m)
    .flatMap(([k, v]) => [lit(k), lit(v)])
    .join(', ')})`;

test('otel-collector.yaml: the exporter table, database and TTL are those the collector creates', async () => {
  const yaml = parseYaml(readFileSync('otel-collector.yaml', 'utf8')) as {
    exporters: { clickhouse: { database: string; logs_table_name: string; ttl: string; create_schema: boolean } };
  };
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
