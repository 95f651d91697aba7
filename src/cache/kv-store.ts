/**
 * The one storage seam of the cache: a key-value store with atomic transactions. Four
 * implementations — IndexedDB (idb-keyval `createStore`), the Cache API where IndexedDB is absent
 * and `caches` exists (Workers, Deno; ./cache-api-store.ts), a directory on disk for server
 * runtimes (`fileCache` of `ferryml/node`, ../node/cache/fs-store.ts), and page memory, the fallback when
 * none works — so the bundle cache above never branches on which. Apps may hand in their own
 * (`loadModel({ cache: { store } })`, e.g. over Deno KV or Redis): README "Custom cache stores".
 */

/** Reads and buffered writes inside one transaction; writes apply all together or not at all. */
export interface KvTransaction {
  get<T>(key: string): Promise<T | undefined>;
  has(key: string): Promise<boolean>;
  /** Every `[key, value]` whose key starts with `prefix`, in key order. */
  entries<T>(prefix: string): Promise<Array<[string, T]>>;
  keys(prefix: string): Promise<string[]>;
  put(key: string, value: unknown): void;
  del(key: string): void;
}

/** The storage manager behind a store: `navigator.storage`, or a storage bucket (same three methods). */
export interface StorageLike {
  estimate(): Promise<StorageEstimate>;
  persist(): Promise<boolean>;
  persisted(): Promise<boolean>;
}

/**
 * A key-value store whose `run` is one atomic transaction (readwrite ones commit or roll back as a
 * whole). A store that cannot make writes atomic must at least apply them in the order the body
 * made them, after the body succeeded: the cache puts blobs before the record naming them and
 * deletes records before blobs, and verifies every read, so a torn write is a miss, never wrong bytes.
 */
export interface KvStore {
  /** What holds the data: the built-in stores' names, or a custom store's own (e.g. `"deno-kv"`). `"memory"` means nothing survives the process. */
  readonly kind: 'indexeddb' | 'cache-api' | 'file-system' | 'memory' | (string & Record<never, never>);
  /** Identifies the database (shared downloads and pending writes are keyed by `kind:name`). */
  readonly name: string;
  /** Quota and persistence of where the bytes live; absent for page memory. */
  readonly storage?: StorageLike;
  /** Name of the storage bucket holding the database, when it is in one. */
  readonly bucket?: string;
  run<T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T>;
}

const inRange = (key: string, prefix: string) => key.startsWith(prefix);

/** A store in this page's memory; transactions stage writes and apply them only when the body succeeds. */
export function createMemoryStore(name: string): KvStore {
  const data = new Map<string, unknown>();
  let queue = Promise.resolve();
  return {
    kind: 'memory',
    name,
    run<T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T> {
      // Serialise transactions as IndexedDB does for overlapping readwrite scopes.
      const result = queue.then(async () => {
        const staged = new Map<string, unknown>();
        const deleted = Symbol('deleted');
        const read = (key: string) => (staged.has(key) ? staged.get(key) : data.get(key));
        const present = (key: string) => read(key) !== undefined && read(key) !== deleted;
        const visible = (prefix: string) => [...new Set([...data.keys(), ...staged.keys()])].filter((k) => inRange(k, prefix) && present(k)).sort();
        const tx: KvTransaction = {
          get: async <V>(key: string) => (present(key) ? (read(key) as V) : undefined),
          has: async (key) => present(key),
          entries: async <V>(prefix: string) => visible(prefix).map((k): [string, V] => [k, read(k) as V]),
          keys: async (prefix) => visible(prefix),
          put(key, value) {
            if (mode === 'readonly') throw new DOMException('readonly transaction', 'ReadOnlyError');
            staged.set(key, value);
          },
          del(key) {
            if (mode === 'readonly') throw new DOMException('readonly transaction', 'ReadOnlyError');
            staged.set(key, deleted);
          },
        };
        const out = await body(tx);
        for (const [k, v] of staged) {
          if (v === deleted) data.delete(k);
          else data.set(k, v);
        }
        return out;
      });
      queue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
  };
}
