/**
 * The IndexedDB {@link KvStore}: one database, one object store (`bundles`), opened through
 * idb-keyval's `createStore`, which memoizes the connection and drops it when it fails or closes.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { KvStore, KvTransaction } from './kv-store.js';

/** Object store name inside the cache database. */
export const OBJECT_STORE = 'bundles';

const range = (prefix: string) => IDBKeyRange.bound(prefix, `${prefix}\uffff`);

/** A KvStore over IndexedDB database `dbName`; throws on `run` when IndexedDB is unavailable or the database is unusable. */
export function createIdbStore(dbName: string): KvStore {
  let use: UseStore | undefined;
  return {
    kind: 'indexeddb',
    name: dbName,
    run<T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T> {
      if (typeof indexedDB === 'undefined') return Promise.reject(new DOMException('indexedDB is not defined in this context', 'NotSupportedError'));
      use ??= createStore(dbName, OBJECT_STORE);
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
