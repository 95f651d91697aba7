/**
 * The IndexedDB {@link KvStore}: one database, one object store (`bundles`), opened through
 * idb-keyval's `createStore` — or, inside a storage bucket, the same open-and-memoize logic on
 * the bucket's own IDBFactory (idb-keyval's createStore always uses the global one).
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { KvStore, KvTransaction, StorageLike } from './kv-store.js';

/** Object store name inside the cache database. */
export const OBJECT_STORE = 'bundles';

const range = (prefix: string) => IDBKeyRange.bound(prefix, `${prefix}\uffff`);

/** idb-keyval's createStore on another IDBFactory: memoize the connection, drop it on failure or close. */
function createStoreIn(factory: IDBFactory, dbName: string, storeName: string): UseStore {
  let dbp: Promise<IDBDatabase> | undefined;
  const getDB = () => {
    if (dbp) return dbp;
    const request = factory.open(dbName);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    const p = promisifyRequest(request);
    dbp = p;
    p.then(
      (db) => void (db.onclose = () => (dbp = undefined)),
      () => (dbp = undefined),
    );
    return p;
  };
  return (txMode, callback) => getDB().then((db) => callback(db.transaction(storeName, txMode).objectStore(storeName)));
}

/**
 * A KvStore over IndexedDB database `dbName` (in `bucket` when given); `run` rejects when
 * IndexedDB is unavailable or the database is unusable.
 */
export function createIdbStore(dbName: string, bucket?: { name: string; indexedDB: IDBFactory; storage: StorageLike }): KvStore {
  let use: UseStore | undefined;
  const storage = bucket?.storage ?? (globalThis.navigator as { storage?: StorageManager } | undefined)?.storage;
  return {
    kind: 'indexeddb',
    name: bucket ? `${bucket.name}/${dbName}` : dbName,
    ...(storage ? { storage } : {}),
    ...(bucket ? { bucket: bucket.name } : {}),
    run<T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T> {
      if (!bucket && typeof indexedDB === 'undefined') return Promise.reject(new DOMException('indexedDB is not defined in this context', 'NotSupportedError'));
      use ??= bucket ? createStoreIn(bucket.indexedDB, dbName, OBJECT_STORE) : createStore(dbName, OBJECT_STORE);
      return use(mode, async (store) => {
        const tx: KvTransaction = {
          get: (key) => promisifyRequest(store.get(key)),
          has: async (key) => (await promisifyRequest(store.getKey(key))) !== undefined,
          keys: async (prefix) => (await promisifyRequest(store.getAllKeys(range(prefix)))) as string[],
          async entries<V>(prefix: string) {
            // Two requests in one transaction see the same snapshot, so keys and values line up.
            const [keys, values] = await Promise.all([promisifyRequest(store.getAllKeys(range(prefix))), promisifyRequest(store.getAll(range(prefix)))]);
            return keys.map((k, i): [string, V] => [k as string, values[i] as V]);
          },
          put: (key, value) => void store.put(value, key),
          del: (key) => void store.delete(key),
        };
        const done = mode === 'readwrite' ? promisifyRequest(store.transaction) : undefined;
        // Without a handler, an aborted transaction's rejection would be unhandled while the body still runs.
        done?.catch(() => undefined);
        let out: T;
        try {
          out = await body(tx);
        } catch (error) {
          // Roll back what the body already put; abort() throws if the transaction already ended.
          if (mode === 'readwrite') {
            try {
              store.transaction.abort();
            } catch {
              /* already finished */
            }
          }
          throw error;
        }
        if (done) await done;
        return out;
      });
    },
  };
}
