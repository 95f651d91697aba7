/**
 * Cache management for apps — list, evict, clear, estimate — as thin wrappers that load the
 * IndexedDB code on first use, so the SDK core stays small.
 */
import type { CacheSelector } from './manage-cache.js';
import type { CachedBundleInfo } from './records.js';
import { IDB_CODE } from './idb-loader.js';
import { offerIdb } from './idb-slot.js';

export type { CacheSelector } from './manage-cache.js';

// IndexedDB is this entry's cache (ferryml/edge has its own modelCache: ./manage-edge.ts).
const impl = () => {
  offerIdb(IDB_CODE);
  return import('./manage-cache.js');
};

/** Every cached, committed version, most recently used first. */
export async function listCached(options: CacheSelector = {}): Promise<CachedBundleInfo[]> {
  return (await impl()).listCached(options);
}

/**
 * Removes one version of `name`, or all its versions, and the file bytes no other version shares.
 * @returns `name@version` of each version removed.
 */
export async function evict(name: string, version?: string, options: CacheSelector = {}): Promise<string[]> {
  return (await impl()).evict(name, version, options);
}

/** Deletes every cached version, blob and registry snapshot of this cache. */
export async function clear(options: CacheSelector = {}): Promise<void> {
  return (await impl()).clear(options);
}

/** Storage use and quota in bytes (the bucket's when `bucket` is given); `undefined` without a Storage API. */
export async function storageEstimate(options: CacheSelector = {}): Promise<{ usage: number; quota: number } | undefined> {
  return (await impl()).storageEstimate(options);
}

/**
 * Cache management under one name: `modelCache.list()`, `.evict(name, version?)`, `.clear()`,
 * `.estimate()` — each takes the `dbName`/`bucket` given to `loadModel({ cache })`.
 * @example
 * for (const v of await modelCache.list()) console.log(v.name, v.version, v.bytes);
 * await modelCache.evict('penguins', '1.0.0');
 */
export const modelCache = { list: listCached, evict, clear, estimate: storageEstimate } as const;
