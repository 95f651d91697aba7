/**
 * Opens the cache database — in a storage bucket when asked and supported; where there is no
 * IndexedDB at all but the Cache API exists (Workers, Deno), a Cache API store — or explains why
 * it cannot and falls back to page memory: private modes, sandboxed frames, a blocked or foreign
 * database, neither API.
 */
import { cacheStorage, createCacheApiStore } from './cache-api-store.js';
import { loadIdb, type IdbCode } from './idb-slot.js';
import { createMemoryStore, type KvStore } from './kv-store.js';
import type { BucketOptions } from './storage-bucket.js';

/** Why a store is memory-only, or what else is worth reporting about it. */
export interface StoreProblem {
  code: 'CACHE_UNAVAILABLE' | 'QUOTA_EXCEEDED';
  reason: string;
}

/** How long opening the IndexedDB database may take before a load goes on without it. */
const OPEN_TIMEOUT_MS = 5000;

// One handle per database for the page's lifetime; the IDB connection inside reopens itself.
const idbStores = new Map<string, KvStore>();
const memoryStores = new Map<string, KvStore>();
const cacheApiStores = new Map<string, KvStore>();

/** Page-memory store for `dbName`, shared by every load in this page so it still serves a second load. */
export function memoryStoreFor(dbName: string): KvStore {
  let s = memoryStores.get(dbName);
  if (!s) memoryStores.set(dbName, (s = createMemoryStore(dbName)));
  return s;
}

/** Describes a failure of the store of `kind` and `name` as a cache status code and words naming that store. */
export function describeStorageError(error: unknown, { kind, name }: { kind: string; name: string }): StoreProblem {
  const type = (error as { name?: string } | null)?.name || 'Error';
  const message = (error as { message?: string } | null)?.message ?? String(error);
  const quota = type === 'QuotaExceededError';
  return {
    code: quota ? 'QUOTA_EXCEEDED' : 'CACHE_UNAVAILABLE',
    reason: `${quota ? 'storage quota exceeded in ' : ''}the ${kind} cache store ${name}${quota ? '' : ' failed'} (${type}: ${message}); kept in memory only`,
  };
}

async function idbStoreFor({ createStore: createIdbStore, openBucket }: IdbCode, dbName: string, bucket: BucketOptions | undefined): Promise<KvStore> {
  const bucketName = bucket === undefined ? undefined : typeof bucket === 'string' ? bucket : bucket.name;
  // Without the Storage Buckets API (Firefox, Safari) the default IndexedDB does the same job;
  // the store's name (no "bucket/" prefix) tells which one is in use.
  const opening = bucket === undefined ? undefined : openBucket(bucket);
  const key = opening ? `${bucketName}/${dbName}` : dbName;
  let store = idbStores.get(key);
  if (!store) {
    const b = opening ? await opening : undefined;
    store = createIdbStore(dbName, b && { name: bucketName!, indexedDB: b.indexedDB, storage: b });
    idbStores.set(key, store);
  }
  return store;
}

/**
 * IndexedDB (in `bucket` when given) when a probe transaction works; otherwise the memory store and
 * the problem. With `custom` (the app's `cache.store`), that store when its probe works.
 */
export async function openStore(dbName: string, bucket?: BucketOptions, custom?: KvStore): Promise<{ store: KvStore; problem?: StoreProblem }> {
  if (custom) return probeCustom(custom);
  try {
    // ferryml/edge offers no IndexedDB code (./idb-slot.ts): straight to the Cache API.
    const idb = await loadIdb();
    if (!idb) throw new Error('no IndexedDB code in ferryml/edge, and no Cache API here');
    let timer: ReturnType<typeof setTimeout> | undefined;
    // An open waits behind another tab's upgrade or deleteDatabase(), which an old connection that
    // ignores versionchange blocks for good: past OPEN_TIMEOUT_MS the load goes on in memory.
    const opened = idbStoreFor(idb, dbName, bucket).then(async (store) => (await store.run('readonly', (tx) => tx.has('meta:probe')), store));
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(reject, OPEN_TIMEOUT_MS, new DOMException(`not open after ${OPEN_TIMEOUT_MS} ms (blocked by another tab?)`, 'TimeoutError'));
    });
    try {
      return { store: await Promise.race([opened, late]) };
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    const caches = typeof indexedDB === 'undefined' || !(await loadIdb()) ? cacheStorage() : undefined;
    if (!caches) return { store: memoryStoreFor(dbName), problem: describeStorageError(error, { kind: 'indexeddb', name: dbName }) };
    return openCacheApiStore(dbName, caches);
  }
}

/** The Cache API store for `dbName` when a probe read works; otherwise the memory store and why. */
function openCacheApiStore(dbName: string, caches: NonNullable<ReturnType<typeof cacheStorage>>): Promise<{ store: KvStore; problem?: StoreProblem }> {
  let store = cacheApiStores.get(dbName);
  if (!store) cacheApiStores.set(dbName, (store = createCacheApiStore(dbName, caches)));
  return probe(store, dbName);
}

/** The app's own store when a probe read works; otherwise the memory store (named after it) and why. */
function probeCustom(store: KvStore): Promise<{ store: KvStore; problem?: StoreProblem }> {
  return probe(store, `${store.kind}:${store.name}`);
}

/** `store` when a probe read works; otherwise the memory store `fallback` and what failed. */
async function probe(store: KvStore, fallback: string): Promise<{ store: KvStore; problem?: StoreProblem }> {
  try {
    await store.run('readonly', (tx) => tx.has('meta:probe'));
    return { store };
  } catch (error) {
    return { store: memoryStoreFor(fallback), problem: describeStorageError(error, store) };
  }
}
