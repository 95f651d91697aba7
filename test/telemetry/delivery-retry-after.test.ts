// A collector's Retry-After in real Chromium (real IndexedDB, real fetch; the 429 comes from the
// test server's OTLP proxy): batches made while it is in force, by a flush or by page hide, are
// stored instead of POSTed and arrive exactly once after it; two models on one endpoint share it,
// and so does a second realm of the origin (a reloaded page, another tab: here a same-origin iframe,
// whose modules are instances of their own).
import { expect } from 'chai';
import { createStore, keys } from 'idb-keyval';
import { executeServerCommand } from '@web/test-runner-commands';
import type { Schema } from '../../src/index.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { TelemetryOptions } from '../../src/telemetry/types.js';
import { plan, proxyLog, readApi, unique, until } from './helpers.js';

const schema: Schema = { formatVersion: 1, columns: [{ name: 'x', type: 'number', steps: [{ kind: 'passthrough' }] }], features: ['x'], width: 1 };
const context = (model: string) => ({ model, version: '1.0.0', schemaHash: 'h', schema });
/** Quiet timers; a 2 s Retry-After is past retryMaxMs, so the 429's batch waits in the queue. */
const base = { windowMs: 600_000, flushIntervalMs: 600_000, retryBaseMs: 20, retryMaxMs: 500 } satisfies Partial<TelemetryOptions>;
/** A drain backoff of 10 min: only the end of the Retry-After drains the queue in these tests. */
const offline = (dbName: string) => ({ dbName, minDelayMs: 600_000, maxDelayMs: 600_000 });
const stored = (dbName: string) => keys(createStore(dbName, 'batches'));
const dropDb = (dbName: string) =>
  new Promise<void>((resolve) => {
    const r = indexedDB.deleteDatabase(dbName);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
const setHidden = (hidden: boolean) => executeServerCommand('ferryml:page-visibility', { hidden });
const calls = async (model: string) => (await readApi(`/api/summary?model=${encodeURIComponent(model)}`)).predictions.calls as number;
const noDrops = { queue_full: 0, offline_full: 0, rejected: 0, too_large: 0, undeliverable: 0, storage_error: 0, disposed: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The proxy's log once `n` requests have been answered. */
const answered = (model: string, n: number) =>
  until(`${n} answered requests`, async () => {
    const { log } = await proxyLog(model);
    return log.length >= n && log.every((e) => e.status !== undefined) ? log : undefined;
  });

describe('telemetry delivery during a Retry-After', () => {
  it('a batch flushed 100 ms after a 429 + Retry-After: 2 is stored, not POSTed, and arrives once after it', async () => {
    const model = unique('ra-flush');
    const dbName = unique('ferryml-tq');
    const endpoint = await plan(model, [{ status: 429, retryAfter: 2 }]);
    const t = createTelemetry({ ...base, endpoint, offline: offline(dbName) }, context(model));
    t.predicted(1, 1, 'wasm');
    await t.flush();
    await sleep(100);
    // A new window closes and is flushed: flush() resolves once it is stored.
    t.predicted(2, 1, 'wasm');
    const started = performance.now();
    await t.flush();
    expect(performance.now() - started).to.be.below(1_000);
    expect(
      (await proxyLog(model)).log.map((e) => e.status),
      'no POST during the Retry-After',
    ).to.deep.equal([429]);
    expect(await stored(dbName)).to.have.length(2);
    expect(t.stats().offlineBatches).to.equal(2);
    await sleep(1_000);
    expect((await proxyLog(model)).log, 'still none 1.1 s in').to.have.length(1);

    const log = await answered(model, 3);
    await sleep(300);
    expect(
      (await proxyLog(model)).log.map((e) => e.status),
      'each batch once',
    ).to.deep.equal([429, 200, 200]);
    for (const e of log.slice(1)) expect(e.at - log[0]!.at).to.be.at.least(1_900);
    expect(new Set(log.map((e) => e.batchId)).size).to.equal(2);
    await until('the queue to empty', async () => ((await stored(dbName)).length === 0 ? true : undefined));
    expect(await calls(model)).to.equal(2);
    await t.flush();
    const s = t.stats();
    expect(s.sent).to.equal(log[1]!.records + log[2]!.records);
    expect(s.offlineBatches).to.equal(0);
    expect(s.dropped).to.deep.equal(noDrops);
    await t.dispose();
    await dropDb(dbName);
  });

  it('page hidden during a Retry-After: no keepalive POST, the batch is stored at once and sent after it', async () => {
    const model = unique('ra-hide');
    const dbName = unique('ferryml-tq');
    const endpoint = await plan(model, [{ status: 429, retryAfter: 2 }]);
    const t = createTelemetry({ ...base, endpoint, offline: offline(dbName) }, context(model));
    t.predicted(1, 1, 'wasm');
    await t.flush();
    for (let i = 0; i < 4; i++) t.predicted(1, 1, 'wasm');
    try {
      expect(await setHidden(true)).to.equal('hidden');
      await sleep(500);
      expect(
        (await proxyLog(model)).log.map((e) => e.status),
        'no keepalive POST to a server that said wait',
      ).to.deep.equal([429]);
      await until('the hidden batch to be stored', async () => ((await stored(dbName)).length === 2 ? true : undefined), 1_000);
    } finally {
      await setHidden(false);
    }
    const log = await answered(model, 3);
    expect(log.map((e) => e.status)).to.deep.equal([429, 200, 200]);
    for (const e of log.slice(1)) expect(e.at - log[0]!.at).to.be.at.least(1_900);
    await until('the queue to empty', async () => ((await stored(dbName)).length === 0 ? true : undefined));
    expect(await calls(model)).to.equal(5);
    await t.flush();
    expect((await proxyLog(model)).log, 'each batch once').to.have.length(3);
    expect(t.stats().sent).to.equal(log[1]!.records + log[2]!.records);
    expect(t.stats().dropped).to.deep.equal(noDrops);
    await t.dispose();
    await dropDb(dbName);
  });

  it("two models on one endpoint: one model's 429 holds the other's new batch too", async () => {
    const model = unique('ra-shared');
    const dbs = [unique('ferryml-tq'), unique('ferryml-tq')];
    const endpoint = await plan(model, [{ status: 429, retryAfter: 2 }]);
    const [a, b] = dbs.map((dbName) => createTelemetry({ ...base, endpoint, offline: offline(dbName) }, context(model)));
    a!.predicted(1, 1, 'wasm');
    await a!.flush();
    b!.predicted(1, 1, 'wasm');
    await b!.flush();
    expect((await proxyLog(model)).log.map((e) => e.status)).to.deep.equal([429]);
    expect(b!.stats().offlineBatches).to.equal(1);
    // b's batch is drained when the wait ends (a's waits for its queue's 10 min backoff).
    const log = await answered(model, 2);
    expect(log.map((e) => e.status)).to.deep.equal([429, 200]);
    expect(log[1]!.batchId).to.not.equal(log[0]!.batchId);
    expect(log[1]!.at - log[0]!.at).to.be.at.least(1_900);
    window.dispatchEvent(new Event('online'));
    await answered(model, 3);
    expect(await calls(model)).to.equal(2);
    await Promise.all([a!.dispose(), b!.dispose()]);
    await Promise.all(dbs.map(dropDb));
  });

  it('a second realm of the origin (a reload, another tab) waits the Retry-After out too', async () => {
    const model = unique('ra-realm');
    const dbName = unique('ferryml-tq');
    // A fresh realm: its own endpoint-wait module, knowing nothing of this page's wait but what the
    // origin stored. Its modules load first, so the wait below is not spent on loading them.
    const frame = document.createElement('iframe');
    const script = `
      import { createTelemetry } from '/src/telemetry/telemetry.ts';
      let t;
      addEventListener('message', async ({ data }) => {
        if (data.endpoint) {
          t = createTelemetry({ ...data.options, endpoint: data.endpoint, offline: false }, data.context);
          t.predicted(1, 1, 'wasm');
        }
        await t.flush();
        parent.postMessage({ queued: t.stats().queued, sent: t.stats().sent, dropped: t.stats().dropped }, '*');
      });
      parent.postMessage({ ready: true }, '*');
    `;
    const fromFrame = () =>
      new Promise<Record<string, unknown>>((resolve) =>
        addEventListener('message', function on(event: MessageEvent) {
          if (event.source !== frame.contentWindow) return;
          removeEventListener('message', on);
          resolve(event.data as Record<string, unknown>);
        }),
      );
    let reply = fromFrame();
    frame.srcdoc = `<script type="module">${script}</script>`;
    document.body.append(frame);
    try {
      expect(await reply).to.deep.equal({ ready: true });
      const endpoint = await plan(model, [{ status: 429, retryAfter: 3 }]);
      // This page's 429'd batch waits in its queue (a 10 min backoff): only the second realm's batch goes after the wait.
      const page = createTelemetry({ ...base, endpoint, offline: offline(dbName) }, context(model));
      page.predicted(1, 1, 'wasm');
      await page.flush();
      await page.dispose();
      expect((await proxyLog(model)).log.map((e) => e.status)).to.deep.equal([429]);
      reply = fromFrame();
      frame.contentWindow!.postMessage({ endpoint, options: base, context: context(model) }, '*');
      expect((await reply).queued, 'the batch is held in the second realm, not POSTed').to.be.above(0);
      const log = await answered(model, 2);
      expect(log.map((e) => e.status)).to.deep.equal([429, 200]);
      expect(log[1]!.at - log[0]!.at, 'sent only once the wait ended').to.be.at.least(2_900);
      reply = fromFrame();
      frame.contentWindow!.postMessage({}, '*');
      const done = await reply;
      expect(done.sent).to.be.above(0);
      expect(done.dropped).to.deep.equal(noDrops);
      expect(await calls(model), "the second realm's call, once").to.equal(1);
      expect(localStorage.getItem(`ferryml:retry-after:${endpoint}`), 'removed once past').to.equal(null);
    } finally {
      frame.remove();
      await dropDb(dbName);
    }
  });
});
