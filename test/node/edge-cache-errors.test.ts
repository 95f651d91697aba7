// What the cache says when its store fails, on `ferryml/edge` (the source, in Node): a version that
// cannot be written names the store that refused it in `model.info.cache.reason`, and
// `modelCache.list()`/`evict()`/`clear()` turn the store's own error into CACHE_UNAVAILABLE naming
// the store (`details.kind`, `details.dbName`) and saying what to do, the error kept as `cause`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, modelCache, isFerryError } from '../../src/entries/edge.js';
import { createMemoryStore, type KvStore, type KvTransaction } from '../../src/cache/kv-store.js';
import { startOrigin } from './support/edge.js';

let origin: Awaited<ReturnType<typeof startOrigin>>;
before(async () => {
  origin = await startOrigin('.');
});
after(() => origin.close());

/** An app's store over memory whose reads work (the open probe passes) and whose `fail` operations reject with `error`. */
function failingStore(name: string, error: Error, fail: { writes?: boolean; listing?: boolean }): KvStore {
  const memory = createMemoryStore(name);
  const refuse = () => Promise.reject(error);
  return {
    kind: 'test-kv',
    name,
    run<T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T> {
      if (mode === 'readwrite' && fail.writes) return refuse();
      return memory.run(mode, (tx) => body(fail.listing ? { ...tx, entries: refuse, keys: refuse } : tx));
    },
  };
}

test('a version the app’s store refuses to write: model.info.cache says memory only and names that store and its error', async () => {
  const store = failingStore('broken-kv', new Error('the disk is read-only'), { writes: true });
  const model = await loadModel({ bundle: `${origin.base}/models/penguins/1.0.0/`, cache: { store } });
  try {
    const { cache } = model.info;
    assert.equal(cache.memoryOnly, true);
    assert.equal(cache.code, 'CACHE_UNAVAILABLE');
    assert.equal(cache.reason, 'could not store penguins@1.0.0: the test-kv cache store broken-kv failed (Error: the disk is read-only); kept in memory only');
  } finally {
    await model.dispose();
  }
});

test('modelCache.list/evict/clear on a failing store: CACHE_UNAVAILABLE naming the store, the store’s error as cause', async () => {
  const cause = new Error('entries not implemented');
  const store = failingStore('flaky-kv', cause, { writes: true, listing: true });
  const calls = {
    list: () => modelCache.list({ store }),
    evict: () => modelCache.evict('penguins', undefined, { store }),
    clear: () => modelCache.clear({ store }),
  };
  for (const [op, call] of Object.entries(calls)) {
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(isFerryError(e), `${op}: ${String(e)}`);
      assert.equal(e.code, 'CACHE_UNAVAILABLE', op);
      assert.deepEqual(e.details, { kind: 'test-kv', dbName: 'flaky-kv' }, op);
      assert.equal(e.cause, cause, op);
      assert.match(e.message, /^modelCache: the test-kv cache store flaky-kv failed \(entries not implemented\)\. Try again later/, op);
      return true;
    });
  }
});
