// The IndexedDB store (src/cache/idb-store.ts) in Chromium's real IndexedDB: a request that fails
// inside a transaction is reported with its own error, not the AbortError of the request after it;
// a storage bucket's connection lets another tab delete or upgrade its database.
import { expect } from 'chai';
import { IDB_CODE } from '../../src/cache/idb-loader.js';
import { offerIdb } from '../../src/cache/idb-slot.js';
import { createIdbStore } from '../../src/cache/idb-store.js';
import { openStore } from '../../src/cache/open-store.js';
import { unique } from '../model/helpers.js';

const deleteDb = (factory: IDBFactory, name: string) =>
  new Promise<string>((resolve) => {
    const r = factory.deleteDatabase(name);
    r.onsuccess = () => resolve('deleted');
    r.onerror = () => resolve('error');
    r.onblocked = () => resolve('blocked');
  });

describe('cache: the IndexedDB store', () => {
  const dbs: string[] = [];
  after(async () => {
    for (const db of dbs) await deleteDb(indexedDB, db);
  });

  it('a request that fails mid-transaction rejects with its own error (here ConstraintError), not AbortError', async () => {
    const db = unique('idb-error');
    dbs.push(db);
    const store = createIdbStore(db);
    await store.run('readwrite', async (tx) => tx.put('a', 1));
    // A put that fails on its request, as Firefox's QuotaExceededError does: add() of a key that exists.
    const put = Object.getOwnPropertyDescriptor(IDBObjectStore.prototype, 'put')!;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      return this.add(value, key);
    };
    let caught: unknown;
    try {
      await store.run('readwrite', async (tx) => {
        tx.put('a', 2);
        await tx.get('a');
      });
    } catch (error) {
      caught = error;
    } finally {
      Object.defineProperty(IDBObjectStore.prototype, 'put', put);
    }
    expect((caught as DOMException).name).to.equal('ConstraintError');
    expect(await store.run('readonly', (tx) => tx.get('a'))).to.equal(1);
  });

  it('a storage bucket’s connection gives way to another tab’s deleteDatabase() (no blocked event), and the next run reopens it', async () => {
    const bucket = await (
      navigator as unknown as { storageBuckets: { open(name: string): Promise<{ indexedDB: IDBFactory } & StorageManager> } }
    ).storageBuckets.open(unique('vc').toLowerCase());
    const store = createIdbStore('ferryml', { name: 'vc', indexedDB: bucket.indexedDB, storage: bucket });
    await store.run('readwrite', async (tx) => tx.put('a', 1));
    expect(await deleteDb(bucket.indexedDB, 'ferryml')).to.equal('deleted');
    expect(await store.run('readonly', (tx) => tx.get('a'))).to.equal(undefined);
    expect(await deleteDb(bucket.indexedDB, 'ferryml')).to.equal('deleted');
  });

  it('a database whose opening another tab’s blocked deletion holds back: the load goes on in memory after a timeout, with the reason', async function () {
    this.timeout(20_000);
    const db = unique('held');
    dbs.push(db);
    // An old connection that ignores versionchange (as a release before this fix did in a bucket).
    const holder = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(db);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error('open failed'));
    });
    const deletion = deleteDb(indexedDB, db);
    offerIdb(IDB_CODE);
    const started = performance.now();
    const { store, problem } = await openStore(db);
    expect(performance.now() - started).to.be.below(10_000);
    expect(store.kind).to.equal('memory');
    expect(problem?.code).to.equal('CACHE_UNAVAILABLE');
    expect(problem?.reason).to.contain('not open after 5000 ms');
    holder.close();
    expect(await deletion).to.equal('blocked');
  });

  it('a bucket name the Storage Buckets API refuses: memory only, and the reason names `cache.bucket`', async () => {
    offerIdb(IDB_CODE);
    const { store, problem } = await openStore('ferryml', 'Models Cache');
    expect(store.kind).to.equal('memory');
    expect(problem?.code).to.equal('CACHE_UNAVAILABLE');
    expect(problem?.reason).to.contain('`cache.bucket` "Models Cache" is no bucket name');
    expect((await openStore('ferryml', 'a'.repeat(64))).problem?.reason).to.contain('`cache.bucket`');
    const longest = 'a'.repeat(63);
    expect((await openStore('ferryml', longest)).problem).to.equal(undefined);
    await (navigator as unknown as { storageBuckets: { delete(name: string): Promise<void> } }).storageBuckets.delete(longest);
  });
});
