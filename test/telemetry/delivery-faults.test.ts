// Delivery under faults, in real Chromium with real IndexedDB and real fetch: the collector
// process really stops and starts; 429/500/502/400/413 come from the test server's OTLP proxy
// (test/server/collector.mjs), which passes everything else on to the real collector.
import { expect } from 'chai';
import { createStore, keys } from 'idb-keyval';
import { executeServerCommand } from '@web/test-runner-commands';
import type { Schema } from '../../src/index.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { TelemetryOptions } from '../../src/telemetry/types.js';
import { collector, plan, proxyLog, readApi, startCollector, stopCollector, unique, until } from './helpers.js';

const schema: Schema = {
  formatVersion: 1,
  columns: [{ name: 'x', type: 'number', steps: [{ kind: 'passthrough' }] }],
  features: ['x'],
  width: 1,
};
const context = (model: string) => ({ model, version: '1.0.0', schemaHash: 'h', schema });
/** Quiet timers: nothing is sent unless the test flushes or the page hides. */
const base = { windowMs: 600_000, flushIntervalMs: 600_000, retryBaseMs: 20, retryMaxMs: 2_000 } satisfies Partial<TelemetryOptions>;
const offline = (dbName: string, minDelayMs = 600_000) => ({ dbName, minDelayMs, maxDelayMs: 600_000 });
const stored = (dbName: string) => keys(createStore(dbName, 'batches'));
const dropDb = (dbName: string) =>
  new Promise<void>((resolve) => {
    const r = indexedDB.deleteDatabase(dbName);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
const calls = async (model: string) => (await readApi(`/api/summary?model=${encodeURIComponent(model)}`)).predictions.calls as number;
const noDrops = { queue_full: 0, offline_full: 0, rejected: 0, too_large: 0, undeliverable: 0, storage_error: 0, disposed: 0 };

describe('telemetry delivery under faults', () => {
  it('collector down: batches wait in IndexedDB, then arrive exactly once after a restart (start-up drain)', async () => {
    const model = unique('down-up');
    const dbName = unique('ferryml-tq');
    const { url } = await collector();
    await stopCollector();
    try {
      const t1 = createTelemetry({ ...base, endpoint: url, maxAttempts: 3, offline: offline(dbName) }, context(model));
      for (let k = 0; k < 3; k++) {
        for (let i = 0; i < 10; i++) t1.predicted(1, 2, 'cpu');
        t1.modelLoaded({ version: '1.0.0', source: 'offline', bytes: 10, ms: 5, backend: 'cpu' });
        await t1.flush();
      }
      const s = t1.stats();
      expect(s.sent).to.equal(0);
      expect(s.offlineBatches).to.equal(3);
      expect(s.offlineStore).to.equal('indexeddb');
      expect(s.retries, '2 retries per batch (3 tries)').to.equal(6);
      expect(s.dropped).to.deep.equal(noDrops);
      expect(s.lastError).to.match(/network error/);
      expect(await stored(dbName)).to.have.length(3);
      await t1.dispose();
    } finally {
      await startCollector();
    }
    // A new page load: the queue is drained at start-up (flush waits for it).
    const t2 = createTelemetry({ ...base, endpoint: url, offline: offline(dbName) }, context(model));
    await t2.flush();
    expect(t2.stats().sent).to.equal(6);
    expect(t2.stats().offlineBatches).to.equal(0);
    expect(await stored(dbName)).to.have.length(0);
    const sum = await readApi(`/api/summary?model=${encodeURIComponent(model)}`);
    expect(sum.predictions.calls).to.equal(30);
    expect(sum.loads.count).to.equal(3);
    expect(sum.loads.offlineShare).to.equal(1);
    await t2.dispose();
    await dropDb(dbName);
  });

  it('a lost response makes the client resend; the collector dedupes on the batch id', async () => {
    const model = unique('dedupe');
    const endpoint = await plan(model, [{ status: 503, forward: true }]);
    const before = (await readApi('/api/health')).duplicateBatches as number;
    const t = createTelemetry({ ...base, endpoint, offline: false }, context(model));
    for (let i = 0; i < 7; i++) t.predicted(1, 1, 'wasm');
    await t.flush();
    const { log } = await proxyLog(model);
    expect(log.map((e) => e.status)).to.deep.equal([503, 200]);
    expect(log[0]!.batchId).to.be.a('string').and.equal(log[1]!.batchId);
    expect(await calls(model)).to.equal(7);
    expect((await readApi('/api/health')).duplicateBatches).to.equal(before + 1);
    expect(t.stats().retries).to.equal(1);
    await t.dispose();
  });

  it('429 with Retry-After: waits at least that long before the retry', async () => {
    const model = unique('r429');
    const endpoint = await plan(model, [{ status: 429, retryAfter: 1 }]);
    const t = createTelemetry({ ...base, endpoint, offline: false, retryBaseMs: 10 }, context(model));
    t.predicted(3, 1, 'wasm');
    await t.flush();
    const { log } = await proxyLog(model);
    expect(log.map((e) => e.status)).to.deep.equal([429, 200]);
    expect(log[1]!.batchId).to.equal(log[0]!.batchId);
    // retryBaseMs is 10 ms: only the header explains a 1 s gap.
    expect(log[1]!.at - log[0]!.at).to.be.at.least(950);
    expect(t.stats().retries).to.equal(1);
    expect(await calls(model)).to.equal(1);
    await t.dispose();
  });

  it('502 is retried in place with backoff', async () => {
    const model = unique('r502');
    const endpoint = await plan(model, [{ status: 502 }, { status: 502 }]);
    const t = createTelemetry({ ...base, endpoint, offline: false }, context(model));
    t.predicted(1, 1, 'wasm');
    await t.flush();
    expect((await proxyLog(model)).log.map((e) => e.status)).to.deep.equal([502, 502, 200]);
    expect(t.stats().retries).to.equal(2);
    expect(await calls(model)).to.equal(1);
    await t.dispose();
  });

  it('500 is not retried in place; the batch is kept in IndexedDB and retried with the queue backoff', async () => {
    const model = unique('r500');
    const dbName = unique('ferryml-tq');
    const endpoint = await plan(model, [{ status: 500 }]);
    const t = createTelemetry({ ...base, endpoint, offline: offline(dbName, 300) }, context(model));
    t.predicted(1, 1, 'wasm');
    await t.flush();
    expect((await proxyLog(model)).log.map((e) => e.status)).to.deep.equal([500]);
    expect(t.stats().offlineBatches).to.equal(1);
    expect(t.stats().lastError).to.match(/500/);
    const log = await until('the queued batch to be retried', async () => {
      const l = (await proxyLog(model)).log;
      return l.length >= 2 && l[1]!.status !== undefined ? l : undefined;
    });
    expect(log.map((e) => e.status)).to.deep.equal([500, 200]);
    expect(log[1]!.batchId).to.equal(log[0]!.batchId);
    expect(log[1]!.at - log[0]!.at).to.be.at.least(250);
    await until('the queue to empty', async () => ((await stored(dbName)).length === 0 ? true : undefined));
    expect(await calls(model)).to.equal(1);
    expect(t.stats().dropped).to.deep.equal(noDrops);
    await t.dispose();
    await dropDb(dbName);
  });

  it('400 is not retried: the records are dropped and counted', async () => {
    const model = unique('r400');
    const dbName = unique('ferryml-tq');
    const endpoint = await plan(model, [{ status: 400 }]);
    const t = createTelemetry({ ...base, endpoint, offline: offline(dbName, 50) }, context(model));
    t.predicted(1, 1, 'wasm');
    t.failed('TIMEOUT');
    await t.flush();
    await new Promise((r) => setTimeout(r, 400));
    expect((await proxyLog(model)).log.map((e) => e.status)).to.deep.equal([400]);
    expect(t.stats().dropped.rejected).to.equal(2);
    expect(t.stats().lastError).to.match(/400 .*injected 400/);
    expect(await stored(dbName)).to.have.length(0);
    expect(t.stats().retries).to.equal(0);
    await t.dispose();
    await dropDb(dbName);
  });

  it('413 splits the batch once; halves that are still too large are dropped and counted', async () => {
    const model = unique('r413');
    const endpoint = await plan(model, [{ status: 413 }]);
    const t = createTelemetry({ ...base, endpoint, offline: false, sampleRate: 1 }, context(model));
    for (let i = 0; i < 6; i++) t.predicted(1, 1, 'wasm');
    await t.flush();
    const { log } = await proxyLog(model);
    const first = log[0]!.batchId!;
    expect(log[0]!.status).to.equal(413);
    expect(
      log
        .slice(1)
        .map((e) => [e.batchId, e.status])
        .sort(),
    ).to.deep.equal([
      [`${first}-a`, 200],
      [`${first}-b`, 200],
    ]);
    expect(log[1]!.records + log[2]!.records).to.equal(log[0]!.records);
    expect(t.stats().sent).to.equal(7);
    expect((await readApi(`/api/summary?model=${encodeURIComponent(model)}`)).predictions.sampledRecords).to.equal(6);

    const model2 = unique('r413x');
    const endpoint2 = await plan(model2, [{ status: 413, times: 3 }]);
    const t2 = createTelemetry({ ...base, endpoint: endpoint2, offline: false, sampleRate: 1 }, context(model2));
    for (let i = 0; i < 4; i++) t2.predicted(1, 1, 'wasm');
    await t2.flush();
    expect((await proxyLog(model2)).log.map((e) => e.status)).to.deep.equal([413, 413, 413]);
    expect(t2.stats().dropped.too_large).to.equal(5);
    await Promise.all([t.dispose(), t2.dispose()]);
  });

  it('page hidden: queued records are sent without flush() (real visibilitychange)', async () => {
    const model = unique('hidden');
    const endpoint = await plan(model);
    const t = createTelemetry({ ...base, endpoint, offline: false }, context(model));
    for (let i = 0; i < 12; i++) t.predicted(2, 1.5, 'webgpu');
    t.modelLoaded({ version: '1.0.0', source: 'cache', bytes: 10, ms: 5, backend: 'webgpu' });
    await new Promise((r) => setTimeout(r, 200));
    expect((await proxyLog(model)).log, 'nothing sent before hiding').to.have.length(0);
    try {
      expect(await executeServerCommand('ferryml:page-visibility', { hidden: true })).to.equal('hidden');
      await until('the hidden-page flush to arrive', async () => ((await proxyLog(model)).log.some((e) => e.status === 200) ? true : undefined));
    } finally {
      await executeServerCommand('ferryml:page-visibility', { hidden: false });
    }
    expect(document.visibilityState).to.equal('visible');
    const sum = await readApi(`/api/summary?model=${encodeURIComponent(model)}`);
    expect(sum.predictions.calls).to.equal(12);
    expect(sum.predictions.rows).to.equal(24);
    expect(sum.loads.count).to.equal(1);
    await t.dispose();
  });

  it('memory queue overflow is counted and reported to the collector in the next batch', async () => {
    const model = unique('overflow');
    const { url } = await collector();
    const t = createTelemetry({ ...base, endpoint: url, offline: false, sampleRate: 1, maxQueueRecords: 5 }, context(model));
    for (let i = 0; i < 20; i++) t.predicted(1, 1, 'wasm');
    expect(t.stats().dropped.queue_full).to.equal(15);
    expect(t.stats().queued).to.equal(5);
    await t.flush();
    const sum = await readApi(`/api/summary?model=${encodeURIComponent(model)}`);
    expect(sum.drops).to.deep.equal({ queue_full: 15 });
    expect(sum.predictions.sampledRecords).to.equal(5);
    expect(sum.predictions.calls, 'the window summary is never dropped').to.equal(20);
    await t.dispose();
  });

  it('IndexedDB queue overflow evicts the oldest batches and counts them', async () => {
    const model = unique('idb-full');
    const dbName = unique('ferryml-tq');
    const endpoint = await plan(model, [{ status: 503, times: 4 }]);
    const t = createTelemetry({ ...base, endpoint, maxAttempts: 1, offline: { ...offline(dbName), maxBatches: 2 } }, context(model));
    for (let k = 0; k < 4; k++) {
      t.predicted(1, k + 1, 'wasm');
      await t.flush();
    }
    expect(t.stats().offlineBatches).to.equal(2);
    expect(t.stats().dropped.offline_full).to.equal(2);
    expect(await stored(dbName)).to.have.length(2);
    // Back online: the two newest batches arrive, carrying the drops report.
    window.dispatchEvent(new Event('online'));
    await until('the drain on `online`', async () => ((await stored(dbName)).length === 0 ? true : undefined));
    await t.flush();
    const sum = await readApi(`/api/summary?model=${encodeURIComponent(model)}`);
    expect(sum.predictions.calls).to.equal(2);
    expect(sum.predictions.latency.maxMs, 'the oldest two (1 ms, 2 ms) were evicted').to.equal(4);
    expect(sum.drops).to.deep.equal({ offline_full: 2 });
    await t.dispose();
    await dropDb(dbName);
  });
});
