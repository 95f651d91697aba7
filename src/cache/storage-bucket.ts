/**
 * Chromium's Storage Buckets API (`navigator.storageBuckets`): a named bucket with its own
 * IndexedDB, quota, persistence and eviction, so the model cache can be kept apart from the
 * app's other storage. Not in TypeScript's DOM lib yet, hence the minimal types here.
 */

/** The parts of a StorageBucket the cache uses (estimate/persist mirror `navigator.storage`). */
export interface StorageBucketLike {
  readonly indexedDB: IDBFactory;
  estimate(): Promise<StorageEstimate>;
  persist(): Promise<boolean>;
  persisted(): Promise<boolean>;
}

interface StorageBucketManagerLike {
  open(name: string, options?: { quota?: number; persisted?: boolean }): Promise<StorageBucketLike>;
}

/** Where to keep the cache: a bucket name, or a name plus the quota to create it with. */
export type BucketOptions = string | { name: string; /** Bytes; applied when the bucket is created. */ quota?: number };

const buckets = new Map<string, Promise<StorageBucketLike>>();

/** The bucket, memoized per name (dropped again if opening fails); `undefined` where the API is missing. */
export function openBucket(options: BucketOptions): Promise<StorageBucketLike> | undefined {
  const manager = (globalThis.navigator as { storageBuckets?: StorageBucketManagerLike } | undefined)?.storageBuckets;
  if (!manager) return undefined;
  const { name, quota } = typeof options === 'string' ? { name: options, quota: undefined } : options;
  // Chromium refuses other names with a bare TypeError (Storage Buckets spec, "valid bucket name"):
  // this one says which option and why; the load then goes on in memory with it as the reason.
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name))
    return Promise.reject(new TypeError(`\`cache.bucket\` ${JSON.stringify(name)} is no bucket name: up to 63 of a-z 0-9 _ -, not starting with _ or -`));
  let p = buckets.get(name);
  if (!p) {
    p = manager.open(name, quota === undefined ? {} : { quota });
    buckets.set(name, p);
    p.catch(() => buckets.delete(name));
  }
  return p;
}
