// Bounded load on loopback into the two stores side by side: the same autocannon run (fixed number
// of OTLP batches of 20 records, each with a unique batch id and per-record ferryml.seq, 32
// connections) against a collector process on SQLite and one on embedded ClickHouse (chdb), in
// alternating rounds. Afterwards each store holds exactly the records of its 200 answers (read
// back from the store itself, deduplicated as the read API does). Prints batches/s and rows/s of
// each round and the chdb/SQLite ratio (BENCHMARKS.md "Collector ingest"). ~30 s on 2 cores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { loadChdb } from '../../src/node/collector/chdb-load.js';

interface LoadResult {
  duration: number;
  errors: number;
  statusCodeStats: Record<string, { count: number }>;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<LoadResult>;

const RECORDS = 20;
const REQUESTS = 1000;
const ROUNDS = 2;
const TOKEN = 'load-token-1234';

function batch(round: number, n: number): string {
  const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
  const now = Date.now();
  return JSON.stringify({
    resourceLogs: [
      {
        resource: {
          attributes: [kv('service.name', 'load'), kv('ml.model.name', `load-${round}`), kv('ml.model.version', '1.0.0'), kv('session.id', `s${n % 50}`)],
        },
        scopeLogs: [
          {
            scope: { name: 'ferryml', attributes: [kv('ferryml.batch.id', `load-${round}-${n}`)] },
            logRecords: Array.from({ length: RECORDS }, (_, k) => ({
              timeUnixNano: `${now}000000`,
              severityNumber: 9,
              eventName: 'ferryml.predict.summary',
              attributes: [
                kv('event.name', 'ferryml.predict.summary'),
                int('ferryml.seq', n * RECORDS + k),
                kv('ferryml.backend', 'wasm'),
                int('ferryml.predict.calls', k + 1),
              ],
            })),
          },
        ],
      },
    ],
  });
}

async function run(args: string[], round: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/node/collector/main.ts', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FERRYML_ADMIN_TOKEN: TOKEN },
  });
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
      timeout: 30,
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: batch(round, n++) }) }],
    });
    const ok = result.statusCodeStats['200']?.count ?? 0;
    assert.equal(result.errors, 0, 'no connection errors');
    assert.equal(ok + (result.statusCodeStats['429']?.count ?? 0), REQUESTS, `only 200 and 429: ${JSON.stringify(result.statusCodeStats)}`);
    const health = (await fetch(`${url}/api/health`, { headers: { Authorization: `Bearer ${TOKEN}` } }).then((r) => r.json())) as Record<string, number>;
    assert.equal(health.accepted, ok * RECORDS);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'clean shutdown');
    return { ok, seconds: result.duration };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test('load: SQLite and chdb side by side, every record of every 200 stored once', { timeout: 300_000 }, async () => {
  const chdb = await loadChdb();
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-chload-'));
  const ratios: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const figures: Record<string, { ok: number; seconds: number }> = {};
      // Alternate the order between rounds, so neither store always runs on a warmer machine.
      for (const kind of round % 2 ? ['chdb', 'sqlite'] : ['sqlite', 'chdb']) {
        const args =
          kind === 'sqlite'
            ? ['--db', join(dir, `load-${round}.sqlite`)]
            : ['--store', 'chdb', '--chdb-path', join(dir, 'chdb'), '--clickhouse-database', `load${round}`];
        figures[kind] = await run(args, round);
      }
      const sqlite = new Database(join(dir, `load-${round}.sqlite`), { readonly: true });
      const stored = (sqlite.prepare('SELECT count(*) AS n FROM logs').get() as { n: number }).n;
      sqlite.close();
      assert.equal(stored, figures.sqlite!.ok * RECORDS, 'SQLite: every accepted record, no refused one');
      const session = new chdb.Session(join(dir, 'chdb'));
      const counted = JSON.parse(
        (
          await session.queryAsync(
            `SELECT count() AS n, uniqExact(ResourceAttributes['session.id'], LogAttributes['ferryml.seq']) AS u FROM load${round}.otel_logs`,
            { format: 'JSONEachRow' },
          )
        ).text(),
      ) as { n: number | string; u: number | string }; // UInt64 comes back quoted
      session.close();
      assert.equal(Number(counted.u), figures.chdb!.ok * RECORDS, 'chdb: every accepted record');
      assert.equal(Number(counted.n), Number(counted.u), 'chdb: none twice');
      const rate = (f: { ok: number; seconds: number }) => f.ok / f.seconds;
      ratios.push(rate(figures.chdb!) / rate(figures.sqlite!));
      for (const [kind, f] of Object.entries(figures))
        console.log(
          `load round ${round} ${kind}: ${f.ok}/${REQUESTS} batches accepted in ${f.seconds} s: ${Math.round(rate(f))} batches/s, ${Math.round(rate(f) * RECORDS)} rows/s`,
        );
    }
    console.log(`load: chdb / SQLite accepted batches per second, per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
