// Store faults on the real engine (chdb): the table gone (DETACH) → ingest 503 + Retry-After and
// nothing acknowledged, read API 503 with the cause; back (ATTACH) → 200 and every acknowledged
// record stored once; a ClickHouse server that does not answer at start → the CLI exits 1 with
// STORE_UNAVAILABLE naming the URL. ~4 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCollector } from '../../src/node/collector/main.js';
import type { ChdbSession } from '../../src/node/collector/chdb-load.js';
import { sdkBatches } from './support/sdk-batches.js';
import { HOUR, TOKEN, get, post, startPair } from './support/store-parity.js';

const DATABASE = 'faults_pair';
let session: ChdbSession;
let pair: Awaited<ReturnType<typeof startPair>>;
const NOW = Date.now();

before(async () => {
  pair = await startPair(DATABASE);
  ({ session } = pair);
});
after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- after() runs even when before() failed before assigning it
  await pair?.close();
});

test('faults: the table gone → ingest 503 + Retry-After (nothing acknowledged), reads 503 with the cause; back → 200', async () => {
  const c = await startCollector({ port: 0, store: 'chdb', chdbPath: pair.chdbPath, clickhouseDatabase: 'faults', token: TOKEN, retryAfterS: 3 });
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
    const sent = [first!, second!].reduce(
      (n, b) =>
        n + (JSON.parse(b.body) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> }).resourceLogs[0]!.scopeLogs[0]!.logRecords.length,
      0,
    );
    assert.equal(stored, sent, 'every acknowledged record is stored once');
  } finally {
    await c.close();
  }
});

test('faults: a ClickHouse server that does not answer at start → exit 1, STORE_UNAVAILABLE naming the URL', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/node/collector/main.ts', '--port', '0', '--store', 'clickhouse', '--clickhouse-url', 'http://127.0.0.1:9/'],
    {
      encoding: 'utf8',
      env: { ...process.env, FERRYML_ADMIN_TOKEN: TOKEN },
      timeout: 30_000,
    },
  );
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /\[STORE_UNAVAILABLE\] cannot reach ClickHouse at http:\/\/127\.0\.0\.1:9/);
  assert.doesNotMatch(r.stdout, /listening/);
});
