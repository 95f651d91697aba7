/**
 * The IndexedDB {@link KvStore}: one database, one object store (`bundles`), on the page's one
 * memoized connection (./early-idb.ts, which the SDK core may already have opened) — or, inside a
 * storage bucket, the same open-and-memoize logic on the bucket's own IDBFactory.
 */
import { connect, OBJECT_STORE, openDb, promisifyRequest } from './early-idb.js';
import type { KvStore, KvTransaction, StorageLike } from './kv-store.js';

export { OBJECT_STORE };

type UseStore = <T>(txMode: IDBTransactionMode, callback: (store: IDBObjectStore) => T | PromiseLike<T>) => Promise<T>;

const range = (prefix: string) => IDBKeyRange.bound(prefix, `${prefix}\uffff`);

/** A connection to `dbName` on another IDBFactory: memoized, dropped on failure or close. */
function createStoreIn(factory: IDBFactory, dbName: string, storeName: string): UseStore {
  let dbp: Promise<IDBDatabase> | undefined;
  const getDB = () => {
    if (dbp) return dbp;
    const p = (dbp = openDb(factory, dbName));
    const forget = () => dbp === p && (dbp = undefined);
    p.then((db) => {
      db.onclose = forget;
      // As connect() (./early-idb.ts): another tab's upgrade or deleteDatabase() waits for every open connection.
      db.onversionchange = () => {
        forget();
        db.close();
      };
    }, forget);
    return p;
  };
  return (txMode, callback) => getDB().then((db) => callback(db.transaction(storeName, txMode).objectStore(storeName)));
}

/** The default IndexedDB's connection to `dbName`, shared with the core's early read. */
const storeOf =
  (dbName: string): UseStore =>
  (txMode, callback) =>
    connect(dbName).then((db) => callback(db.transaction(OBJECT_STORE, txMode).objectStore(OBJECT_STORE)));

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
      use ??= bucket ? createStoreIn(bucket.indexedDB, dbName, OBJECT_STORE) : storeOf(dbName);
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
          // A failed request (Firefox's QuotaExceededError on a put) aborts the transaction, and the
          // body sees the next request's AbortError: the transaction's error says what went wrong.
          const cause = store.transaction.error ?? error;
          // Roll back what the body already put; abort() throws if the transaction already ended.
          if (mode === 'readwrite') {
            try {
              store.transaction.abort();
            } catch {
              /* already finished */
            }
          }
          throw cause;
        }
        if (done) await done;
        return out;
      });
    },
  };
}
