/**
 * The IndexedDB half of the cache, offered by the entries that run in browsers (`ferryml` and
 * `ferryml/lite`, in `loadModel`, `openBundle` and `modelCache`; ./idb-loader.ts) and left out by
 * `ferryml/edge`, whose runtimes have no IndexedDB (Workers, Deno, Bun): there the cache is the
 * Cache API or an app's store, and none of this code is in the bundle. Without an offer the store
 * opener skips IndexedDB (./open-store.ts) and a load sends nothing ahead of the cache
 * (../model/load-bundle.ts). Only types are imported here.
 */
import type { createIdbStore } from './idb-store.js';
import type { openBucket } from './storage-bucket.js';
import type { noteStored, storedBefore } from './stored-hint.js';
import type { prefetchFiles } from '../model/prefetch-files.js';
import type { requestListed } from '../model/request-listed.js';
import type { checkEarlyRead } from '../model/read-cached-version.js';
import type { sendAhead } from '../model/send-ahead.js';
import type { registryDeadline } from '../model/registry-deadline.js';

/** The IndexedDB store and the fresh-profile head start that only IndexedDB platforms need. */
export interface IdbCode {
  createStore: typeof createIdbStore;
  /** Storage Buckets hold IndexedDB databases: the bucket code comes with the IndexedDB code. */
  openBucket: typeof openBucket;
  storedBefore: typeof storedBefore;
  noteStored: typeof noteStored;
  prefetchFiles: typeof prefetchFiles;
  requestListed: typeof requestListed;
  checkEarlyRead: typeof checkEarlyRead;
  sendAhead: typeof sendAhead;
  /** `registryTimeoutMs` (../model/registry-deadline.ts): where a stalled connection can leave a load waiting. */
  registryDeadline: typeof registryDeadline;
}

let offered: (() => Promise<IdbCode>) | undefined;
/** The import under way or done, shared by every caller; dropped when it fails so a later call retries. */
let loading: Promise<IdbCode> | undefined;

/** Called by an entry before it opens a store: how to load its IndexedDB code. */
export function offerIdb(load: () => Promise<IdbCode>): void {
  offered = load;
}

/**
 * The offered IndexedDB code, or undefined in `ferryml/edge`. Memoized: the SDK core starts it
 * with `loadModel` (./early-read.ts), so that the bundle code, which awaits it before it reads the
 * registry, finds it settled instead of waiting for another `import()` to resolve (a task of its
 * own, 4–27 ms on a busy main thread: BENCHMARKS.md "The warm page").
 */
export function loadIdb(): Promise<IdbCode | undefined> {
  return offered
    ? (loading ??= offered().catch((error: unknown) => {
        loading = undefined;
        throw error;
      }))
    : Promise.resolve(undefined);
}
