// The IndexedDB store (src/cache/idb-store.ts) in Chromium's real IndexedDB: a request that fails
// inside a transaction is reported with its own error, not the AbortError of the request after it;
// a storage bucket's connection lets another tab delete or upgrade its database.
import { expect } from 'chai';
import { createIdbStore } from '../../src/cache/idb-store.js';
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
});
