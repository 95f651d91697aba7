// Shared by the ClickHouse store tests: one SQLite collector and one ClickHouse (chdb) collector
// in this process (chdb allows one data directory per process: every ClickHouse collector of a
// test file shares it, each in its own database), HTTP helpers, and the parity check that
// compares every read-API path of one model on SQLite with another store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '../../../src/node/collector/main.js';
import type { Collector } from '../../../src/node/collector/main.js';
import { loadChdb } from '../../../src/node/collector/chdb-load.js';
import type { ChdbSession } from '../../../src/node/collector/chdb-load.js';
import { asExporterMap, asExporterString } from '../../../src/node/collector/clickhouse-rows.js';

export const TOKEN = 'clickhouse-test-token';
export const HOUR = 3_600_000;

/** A SQLite and a chdb collector (database `database`), and a chdb session on the same directory. */
export async function startPair(database: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-ch-'));
  const chdbPath = join(dir, 'chdb');
  const chdb = await loadChdb();
  const sqlite = await startCollector({ port: 0, db: join(dir, 'parity.sqlite'), token: TOKEN });
  const ch = await startCollector({ port: 0, store: 'chdb', chdbPath, clickhouseDatabase: database, token: TOKEN });
  const session: ChdbSession = new chdb.Session(chdbPath); // the same directory: chdb shares the connection
  return {
    dir,
    chdbPath,
    sqlite,
    ch,
    session,
    close: async () => {
      await sqlite.close();
      await ch.close();
      session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function post(c: Collector, body: string) {
  const res = await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

export async function get(c: Collector, path: string) {
  const res = await fetch(`${c.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// /api/records: attributes as each store keeps them (typed on SQLite, the exporter's strings on
// ClickHouse) and `id` (SQLite's row id), newest by arrival vs by time: compared as sets in the exporter's form.
function recordSet(records: Array<Record<string, unknown>>) {
  return records
    .map(({ id: _id, ...r }) =>
      JSON.stringify({
        ...r,
        body: r.body === null ? null : asExporterString(r.body),
        attributes: asExporterMap(r.attributes as Record<string, unknown>),
        resource: asExporterMap(r.resource as Record<string, unknown>),
      }),
    )
    .sort();
}

/** Every read-API path the parity check compares, for one model: three ranges × all/each version × steps. */
export function readPaths(model: string, now: number): string[] {
  const m = encodeURIComponent(model);
  const ranges = [
    `from=${now - 24 * HOUR}&to=${now + 15 * 60_000}`,
    `from=${now - 6 * HOUR}&to=${now - 2 * HOUR}`,
    `from=${new Date(now - 3 * HOUR).toISOString()}&to=${new Date(now).toISOString()}`,
  ];
  const out = ['/api/models', `/api/summary?model=${m}&version=9.9.9&${ranges[0]}`];
  for (const range of ranges) {
    for (const v of ['', '&version=1.0.0', '&version=2.0.0']) {
      out.push(`/api/summary?model=${m}&${range}${v}`);
      for (const step of ['', '&step=900000']) out.push(`/api/timeseries?model=${m}&${range}${v}${step}`);
    }
  }
  return out;
}

/** Every read-API answer about `model` is the same JSON from `sqlite` and `other`. */
export async function assertParity(sqlite: Collector, other: Collector, model: string, now: number) {
  for (const path of readPaths(model, now)) {
    const [a, b] = await Promise.all([get(sqlite, path), get(other, path)]);
    assert.equal(a.status, 200, `${path}: ${JSON.stringify(a.body)}`);
    assert.equal(b.status, 200, `${path}: ${JSON.stringify(b.body)}`);
    // The stores may hold other tests' models too: /api/models is compared for this model.
    const only = (body: Record<string, unknown>) => (path === '/api/models' ? (body.models as Array<{ name: string }>).filter((x) => x.name === model) : body);
    assert.deepEqual(only(b.body), only(a.body), `${path} differs between SQLite and ${other.store.kind}`);
  }
  for (const q of ['limit=1000', 'event=ferryml.drift.window&limit=1000', 'event=ferryml.model.load&limit=1000']) {
    const path = `/api/records?model=${encodeURIComponent(model)}&${q}`;
    const [a, b] = await Promise.all([get(sqlite, path), get(other, path)]);
    assert.deepEqual(recordSet(b.body.records as never), recordSet(a.body.records as never), path);
  }
  // Alerts and /metrics read through the same read API, so both stores get the same rules:
  // the same conditions fire (and stay pending) after one evaluation at the same instant.
  await Promise.all([sqlite.alerts.evaluate(now + 60_000), other.alerts.evaluate(now + 60_000)]);
  const alertsOf = (c: Collector) =>
    ['firing', 'pending']
      .flatMap((k) =>
        (c.alerts.state as unknown as Record<string, () => Array<{ labels: Record<string, string>; value: number }>>)[k]!()
          .filter((x) => x.labels.model === model)
          .map((x) => `${k} ${JSON.stringify(x.labels)} ${x.value.toFixed(9)}`),
      )
      .sort();
  assert.deepEqual(alertsOf(other), alertsOf(sqlite), `alerts differ between SQLite and ${other.store.kind}`);
  const metricsOf = async (c: Collector) => {
    const res = await fetch(`${c.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    return (await res.text())
      .split('\n')
      .filter((l) => l.includes(`model="${model}"`) && !l.startsWith('ferryml_alerts_firing'))
      .sort();
  };
  const [ma, mb] = await Promise.all([metricsOf(sqlite), metricsOf(other)]);
  assert.ok(ma.length > 0, 'the model has metrics');
  assert.deepEqual(mb, ma, `/metrics differs between SQLite and ${other.store.kind}`);
}
