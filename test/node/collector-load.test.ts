// Bounded load test on loopback: autocannon sends a fixed number of OTLP batches (each with a
// unique idempotency key) over 32 connections to a real collector process whose ingest queue holds
// only 5 batches, so many are answered 429. Afterwards the SQLite file must hold exactly the
// records of the 200 answers. Takes ~3 s on 2 cores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { tempDir } from './support/temp-dir.js';

/** The slice of autocannon's API used here (it ships no types). */
interface LoadResult {
  duration: number;
  errors: number;
  requests: { average: number };
  latency: { p99: number };
  statusCodeStats: Record<string, { count: number }>;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<LoadResult>;

const RECORDS_PER_BATCH = 20;
const REQUESTS = 3000;

function batch(n: number): string {
  const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const now = Date.now();
  return JSON.stringify({
    resourceLogs: [
      {
        resource: {
          attributes: [kv('service.name', 'load'), kv('ml.model.name', 'load-model'), kv('ml.model.version', '1.0.0'), kv('session.id', `s${n % 50}`)],
        },
        scopeLogs: [
          {
            scope: { name: 'ferryml', attributes: [kv('ferryml.batch.id', `load-${n}`)] },
            logRecords: Array.from({ length: RECORDS_PER_BATCH }, (_, k) => ({
              timeUnixNano: `${now}000000`,
              severityNumber: 9,
              eventName: 'ferryml.predict.summary',
              attributes: [kv('ferryml.backend', 'wasm'), { key: 'ferryml.predict.calls', value: { intValue: String(k + 1) } }],
            })),
          },
        ],
      },
    ],
  });
}

test('load: every record of every 200 is in the database, nothing else', { timeout: 60_000 }, async () => {
  const db = join(tempDir('ferryml-load-'), 'load.sqlite');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/node/collector/main.ts', '--port', '0', '--db', db, '--queue-records', '100', '--retry-after', '1'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FERRYML_ADMIN_TOKEN: 'load-token-123' },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`collector exited ${code}: ${out}`)));
    });
    let n = 0;
    const result = await autocannon({
      url: `${url}/v1/logs`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: 32,
      amount: REQUESTS,
      timeout: 20,
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: batch(n++) }) }],
    });
    const codes = result.statusCodeStats;
    const ok = codes['200']?.count ?? 0;
    const throttled = codes['429']?.count ?? 0;
    console.log(
      `load: ${REQUESTS} batches of ${RECORDS_PER_BATCH} in ${result.duration} s, ${result.requests.average} req/s, p99 ${result.latency.p99} ms; 200: ${ok}, 429: ${throttled}`,
    );
    assert.equal(result.errors, 0, 'no connection errors');
    assert.equal(ok + throttled, REQUESTS, `only 200 and 429 answers: ${JSON.stringify(codes)}`);
    assert.ok(ok > 0);
    const health = await fetch(`${url}/api/health`, { headers: { Authorization: 'Bearer load-token-123' } }).then(
      (r) => r.json() as Promise<Record<string, number>>,
    );
    assert.equal(health.accepted, ok * RECORDS_PER_BATCH);
    assert.equal(health.throttled, throttled);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'clean shutdown');
    const sqlite = new Database(db, { readonly: true });
    const rows = sqlite.prepare('SELECT count(*) AS n, count(DISTINCT batch_id) AS b FROM logs').get() as { n: number; b: number };
    const batches = sqlite.prepare('SELECT count(*) AS n FROM batches').get() as { n: number };
    sqlite.close();
    assert.equal(rows.n, ok * RECORDS_PER_BATCH, 'every accepted record stored, no refused one');
    assert.equal(rows.b, ok);
    assert.equal(batches.n, ok);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
