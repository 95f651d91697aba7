// Draining the IndexedDB queue in real Chromium, with answers scripted by the test server's OTLP
// proxy (test/server/collector.mjs): evictions when a 413 splits a stored batch, a server's
// Retry-After outlasting `online`, one drain per queue for two models, and the stored count.
import { expect } from 'chai';
import { createStore, keys } from 'idb-keyval';
import type { Schema } from '../../src/index.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { TelemetryOptions } from '../../src/telemetry/types.js';
import { plan, proxyLog, unique, until } from './helpers.js';

const schema: Schema = { formatVersion: 1, columns: [{ name: 'x', type: 'number', steps: [{ kind: 'passthrough' }] }], features: ['x'], width: 1 };
const context = (model: string) => ({ model, version: '1.0.0', schemaHash: 'h', schema });
const base = { windowMs: 600_000, flushIntervalMs: 600_000, retryBaseMs: 20, retryMaxMs: 500, maxAttempts: 1 } satisfies Partial<TelemetryOptions>;
const offline = (dbName: string) => ({ dbName, minDelayMs: 600_000, maxDelayMs: 600_000 });
const stored = (dbName: string) => keys(createStore(dbName, 'batches'));
const dropDb = (dbName: string) =>
  new Promise<void>((resolve) => {
    const r = indexedDB.deleteDatabase(dbName);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });

/** Stores `n` batches of 2 records (a sampled prediction and the window summary) in `dbName` through 503s. */
async function storeBatches(model: string, dbName: string, n: number, maxBatches = 30): Promise<string> {
  const endpoint = await plan(model, [{ status: 503, times: n }]);
  const t = createTelemetry({ ...base, endpoint, sampleRate: 1, offline: { ...offline(dbName), maxBatches } }, context(model));
  // The start-up drain first: it would otherwise find the first stored batch and send it again.
  await t.flush();
  for (let k = 0; k < n; k++) {
    t.predicted(1, 1, 'wasm');
    await t.flush();
  }
  expect(await stored(dbName)).to.have.length(n);
  await t.dispose();
  return endpoint;
}

describe('telemetry offline queue drain', () => {
  it('a 413 while draining splits the batch; a batch its halves evict is counted (offline_full)', async () => {
    const model = unique('drain-413');
    const dbName = unique('ferryml-tq');
    const endpoint = await storeBatches(model, dbName, 2, 2);
    await plan(model, [{ status: 503 }, { status: 413 }]);
    // The 503 fails the start-up drain; `online` drains again and meets the 413.
    const t = createTelemetry({ ...base, endpoint, offline: { ...offline(dbName), maxBatches: 2 } }, context(model));
    await t.flush();
    window.dispatchEvent(new Event('online'));
    await until('the queue to empty', async () => ((await stored(dbName)).length === 0 ? true : undefined));
    await t.flush();
    const s = t.stats();
    // [A, B] → A is 413 → [B, A-a, A-b] is over maxBatches 2: B (2 records) is evicted.
    expect(s.dropped.offline_full, s.lastError).to.equal(2);
    expect(s.sent, 'the halves, then the drops report').to.equal(3);
    await t.dispose();
    await dropDb(dbName);
  });

  it('a Retry-After holds the queue: `online` does not drain before it', async () => {
    const model = unique('drain-after');
    const dbName = unique('ferryml-tq');
    // 2 s is past retryMaxMs (500): the batch goes to the queue, to wait there.
    const endpoint = await plan(model, [{ status: 429, retryAfter: 2 }]);
    const t = createTelemetry({ ...base, endpoint, maxAttempts: 5, offline: offline(dbName) }, context(model));
    t.predicted(1, 1, 'wasm');
    await t.flush();
    expect(await stored(dbName)).to.have.length(1);
    window.dispatchEvent(new Event('online'));
    const log = await until('the retry', async () => {
      const l = (await proxyLog(model)).log;
      return l.length >= 2 && l[1]!.status !== undefined ? l : undefined;
    });
    expect(log.map((e) => e.status)).to.deep.equal([429, 200]);
    expect(log[1]!.at - log[0]!.at).to.be.at.least(1_900);
    await t.dispose();
    await dropDb(dbName);
  });

  it('two models sharing the queue drain it once: one request per stored batch, counted once', async () => {
    const model = unique('drain-shared');
    const dbName = unique('ferryml-tq');
    const endpoint = await storeBatches(model, dbName, 1);
    const before = (await proxyLog(model)).log.length;
    const ts = [0, 1].map(() => createTelemetry({ ...base, endpoint, offline: offline(dbName) }, context(model)));
    await Promise.all(ts.map((t) => t.flush()));
    const log = (await proxyLog(model)).log.slice(before);
    expect(log.map((e) => e.status)).to.deep.equal([200]);
    expect(ts[0]!.stats().sent + ts[1]!.stats().sent).to.equal(2);
    expect(await stored(dbName)).to.have.length(0);
    await Promise.all(ts.map((t) => t.dispose()));
    await dropDb(dbName);
  });

  it('a failed start-up drain still reports the stored batches (offlineBatches)', async () => {
    const model = unique('drain-count');
    const dbName = unique('ferryml-tq');
    const endpoint = await storeBatches(model, dbName, 2);
    await plan(model, [{ status: 503 }]);
    const t = createTelemetry({ ...base, endpoint, offline: offline(dbName) }, context(model));
    await t.flush();
    expect(t.stats().offlineBatches).to.equal(2);
    await t.dispose();
    await dropDb(dbName);
  });
});
