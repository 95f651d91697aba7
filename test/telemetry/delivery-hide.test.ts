// Page hide in real Chromium (another tab brought to the front fires a real visibilitychange):
// what is sent with keepalive is also kept in IndexedDB until its send is answered, and the page's
// keepalive budget (64 KiB of in-flight bodies) is shared by every model on the page.
import { expect } from 'chai';
import { createStore, keys } from 'idb-keyval';
import { executeServerCommand } from '@web/test-runner-commands';
import type { Schema } from '../../src/index.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { TelemetryOptions } from '../../src/telemetry/types.js';
import { stopWatching, watchRequests } from '../model/helpers.js';
import { plan, proxyLog, readApi, unique, until } from './helpers.js';

const schema: Schema = { formatVersion: 1, columns: [{ name: 'x', type: 'number', steps: [{ kind: 'passthrough' }] }], features: ['x'], width: 1 };
const context = (model: string) => ({ model, version: '1.0.0', schemaHash: 'h', schema });
/** Quiet timers; a retry in memory would wait a minute. */
const base = { windowMs: 600_000, flushIntervalMs: 600_000, retryBaseMs: 60_000, retryMaxMs: 60_000 } satisfies Partial<TelemetryOptions>;
const stored = (dbName: string) => keys(createStore(dbName, 'batches'));
const dropDb = (dbName: string) =>
  new Promise<void>((resolve) => {
    const r = indexedDB.deleteDatabase(dbName);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
const setHidden = (hidden: boolean) => executeServerCommand('ferryml:page-visibility', { hidden });
const summary = (model: string) => readApi(`/api/summary?model=${encodeURIComponent(model)}`);

describe('telemetry delivery on page hide', () => {
  it('hidden while offline: the batch is in IndexedDB at once (not in a retry wait in memory), and arrives once back online', async () => {
    const model = unique('hide-offline');
    const dbName = unique('ferryml-tq');
    const endpoint = await plan(model);
    const t = createTelemetry({ ...base, endpoint, offline: { dbName, minDelayMs: 600_000, maxDelayMs: 600_000 } }, context(model));
    for (let i = 0; i < 5; i++) t.predicted(1, 1, 'wasm');
    await watchRequests(`/__otlp/${model}/*`, { offline: true });
    try {
      expect(await setHidden(true)).to.equal('hidden');
      // A page that is discarded now keeps only what is in IndexedDB.
      await until('the hidden batch to be stored', async () => ((await stored(dbName)).length === 1 ? true : undefined), 3_000);
      const seen = await stopWatching();
      expect(seen.length, 'the keepalive send was tried').to.be.at.least(1);
      expect(seen[0]!.error).to.match(/INTERNET_DISCONNECTED/);
    } finally {
      await stopWatching();
      await setHidden(false);
    }
    window.dispatchEvent(new Event('online'));
    await until('the drain on `online`', async () => ((await stored(dbName)).length === 0 ? true : undefined));
    await t.flush();
    expect((await summary(model)).predictions.calls).to.equal(5);
    expect(t.stats().sent, 'counted once').to.equal(1);
    expect(t.stats().offlineBatches).to.equal(0);
    expect(Object.values(t.stats().dropped).every((n) => n === 0)).to.equal(true);
    await t.dispose();
    await dropDb(dbName);
  });

  it('hidden online: the stored copy is removed once the keepalive send is answered', async () => {
    const model = unique('hide-online');
    const dbName = unique('ferryml-tq');
    const t = createTelemetry({ ...base, endpoint: await plan(model), offline: { dbName } }, context(model));
    for (let i = 0; i < 3; i++) t.predicted(1, 1, 'wasm');
    try {
      await setHidden(true);
      await until('the send to be answered', async () => ((await proxyLog(model)).log.some((e) => e.status === 200) ? true : undefined));
      await until('the copy to be removed', async () => ((await stored(dbName)).length === 0 ? true : undefined), 3_000);
    } finally {
      await setHidden(false);
    }
    expect(t.stats().sent).to.equal(1);
    expect(t.stats().offlineBatches).to.equal(0);
    expect((await proxyLog(model)).log).to.have.length(1);
    await t.dispose();
    await dropDb(dbName);
  });

  it('two models hiding at once stay within the page keepalive budget together (no request refused)', async () => {
    // ~41 KB each: one fits the 60 KiB budget, two do not.
    const models = [unique('hide-ka1'), unique('hide-ka2')];
    const dbs = models.map(() => unique('ferryml-tq'));
    const ts = await Promise.all(
      models.map(async (model, i) =>
        createTelemetry(
          { ...base, endpoint: await plan(model), sampleRate: 1, maxBatchRecords: 1000, offline: { dbName: dbs[i]!, minDelayMs: 200 } },
          context(model),
        ),
      ),
    );
    for (const t of ts) for (let i = 0; i < 70; i++) t.predicted(1, 1, 'wasm');
    try {
      await setHidden(true);
      for (const model of models) await until(`${model} to arrive`, async () => ((await summary(model)).predictions.calls === 70 ? true : undefined));
    } finally {
      await setHidden(false);
    }
    for (const t of ts) {
      expect(t.stats().retries, t.stats().lastError).to.equal(0);
      expect(t.stats().sent).to.equal(71);
    }
    await Promise.all(ts.map((t) => t.dispose()));
    await Promise.all(dbs.map(dropDb));
  });
});
