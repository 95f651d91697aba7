/**
 * The implementation behind the cache management exports (loaded lazily, see ./manage.ts).
 * Cache management for apps: what is cached, evict a model or one version, clear everything,
 * and how much storage the origin uses. Each works on IndexedDB, or on page memory where
 * IndexedDB is unavailable, exactly as loads do.
 */
import { FerryError, messageOf } from '../errors.js';
import { OPEN_BUNDLE_DEFAULTS } from '../model/open-bundle-options.js';
import { clearStore, dropVersions, listRecords } from './bundle-cache.js';
import { openStore } from './open-store.js';
import { writesSettled } from './pending-writes.js';
import { infoOf, type CachedBundleInfo } from './records.js';
import type { KvStore } from './kv-store.js';
import type { BucketOptions } from './storage-bucket.js';

/** Which cache database to manage: the same `dbName` and `bucket` given to `openBundle({ cache })`. */
export interface CacheSelector {
  /** @default "ferryml" */
  dbName?: string;
  /** @default undefined (the origin's default storage) */
  bucket?: BucketOptions;
  /** The `cache.store` given to `loadModel` (e.g. `fileCache(dir)` of `ferryml/node`); `dbName` and `bucket` then do not apply. */
  store?: KvStore;
}

const dbOf = (options: CacheSelector) => options.dbName ?? OPEN_BUNDLE_DEFAULTS.cache.dbName;

/**
 * Runs `op` on the selected store — with `settled`, once the writes a load left running behind its
 * answer have landed (`await loadModel()` then `await clear()` must not see the version written
 * back after the clear). A store that fails (the Cache API refusing, an app's store down) throws
 * CACHE_UNAVAILABLE naming it, not the store's own uncoded error.
 */
async function onStore<T>(options: CacheSelector, settled: boolean, op: (store: KvStore) => Promise<T>): Promise<T> {
  const { store } = await openStore(dbOf(options), options.bucket, options.store);
  if (settled) await writesSettled(store);
  try {
    return await op(store);
  } catch (cause) {
    const { kind, name } = store;
    throw new FerryError(
      'CACHE_UNAVAILABLE',
      `modelCache: the ${kind} cache store ${name} failed (${messageOf(cause)}). Try again later; loads do not depend on it (they keep a version in memory when the store fails).`,
      { cause, details: { kind, dbName: name } },
    );
  }
}

/** Every cached, committed version, most recently used first. */
export function listCached(options: CacheSelector = {}): Promise<CachedBundleInfo[]> {
  return onStore(options, false, async (store) => (await listRecords(store)).map(infoOf).sort((a, b) => b.lastUsed - a.lastUsed));
}

/**
 * Removes one version of `name`, or all of its versions, and the file bytes no other version shares.
 * @returns `name@version` of each version removed.
 */
export function evict(name: string, version?: string, options: CacheSelector = {}): Promise<string[]> {
  return onStore(options, true, async (store) =>
    dropVersions(store, name, version === undefined ? (await listRecords(store, name)).map((r) => r.version) : [version]),
  );
}

/**
 * Deletes every cached version, blob and registry snapshot of this cache (and the client id kept
 * there when localStorage is unavailable). The signed-registry state (the highest registryVersion
 * seen per URL) stays: clearing must not let an old registry be replayed.
 */
export function clear(options: CacheSelector = {}): Promise<void> {
  return onStore(options, true, clearStore);
}

/**
 * Storage use and quota in bytes (`navigator.storage.estimate()`, or the bucket's when `bucket`
 * is given); `undefined` where there is no Storage API or the cache lives in page memory.
 */
export async function storageEstimate(options: CacheSelector = {}): Promise<{ usage: number; quota: number } | undefined> {
  try {
    const storage =
      options.bucket === undefined && options.store === undefined
        ? (globalThis.navigator as { storage?: StorageManager } | undefined)?.storage
        : (await openStore(dbOf(options), options.bucket, options.store)).store.storage;
    const e = await storage?.estimate();
    return e ? { usage: e.usage ?? 0, quota: e.quota ?? Number.POSITIVE_INFINITY } : undefined;
  } catch {
    // Some embedded contexts reject estimate(); not knowing is not an error.
    return undefined;
  }
}
