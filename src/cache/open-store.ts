/**
 * Opens the cache database, or explains why it cannot and falls back to page memory:
 * private modes, sandboxed frames, a blocked or foreign database, no IndexedDB at all.
 */
import { createIdbStore } from './idb-store.js';
import { createMemoryStore, type KvStore } from './kv-store.js';

/** Why a store is memory-only. */
export interface StoreProblem {
  code: 'CACHE_UNAVAILABLE' | 'QUOTA_EXCEEDED';
  reason: string;
}

// One handle per database name for the page's lifetime; idb-keyval reopens the connection itself.
const idbStores = new Map<string, KvStore>();
const memoryStores = new Map<string, KvStore>();

/** Page-memory store for `dbName`, shared by every load in this page so it still serves a second load. */
export function memoryStoreFor(dbName: string): KvStore {
  let s = memoryStores.get(dbName);
  if (!s) memoryStores.set(dbName, (s = createMemoryStore(dbName)));
  return s;
}

/** The IndexedDB store handle for `dbName` (not yet opened). */
export function idbStoreFor(dbName: string): KvStore {
  let s = idbStores.get(dbName);
  if (!s) idbStores.set(dbName, (s = createIdbStore(dbName)));
  return s;
}

/** Describes a storage failure as a cache status code and words. */
export function describeStorageError(error: unknown): StoreProblem {
  const name = (error as { name?: string } | null)?.name ?? '';
  const message = (error as { message?: string } | null)?.message ?? String(error);
  if (name === 'QuotaExceededError') return { code: 'QUOTA_EXCEEDED', reason: `storage quota exceeded (${message}); kept in memory only` };
  return { code: 'CACHE_UNAVAILABLE', reason: `IndexedDB unavailable (${name || 'Error'}: ${message}); kept in memory only` };
}

/** IndexedDB when a probe transaction works; otherwise the memory store and the problem. */
export async function openStore(dbName: string): Promise<{ store: KvStore; problem?: StoreProblem }> {
  const idb = idbStoreFor(dbName);
  try {
    await idb.run('readonly', (tx) => tx.has('meta:probe'));
    return { store: idb };
  } catch (error) {
    return { store: memoryStoreFor(dbName), problem: describeStorageError(error) };
  }
}
