/**
 * What happened to persistence for one load, on `OpenedBundle.cache` and `model.info.cache`. Its
 * own module, free of tfjs types, so the app-facing declarations (`ModelInfo`) name no tfjs.
 */

/** What happened to persistence for this load. */
export interface BundleCacheStatus {
  /** `navigator.storage.persist()` granted (only asked when `cache.persist` is set). */
  persisted: boolean;
  /** The bundle lives only in this page's memory (cache disabled, IndexedDB unavailable, over quota or budget). */
  memoryOnly: boolean;
  /** Machine-readable reason when `memoryOnly`. */
  code?: 'CACHE_DISABLED' | 'CACHE_UNAVAILABLE' | 'QUOTA_EXCEEDED';
  /** Why, in words, when `memoryOnly`. */
  reason?: string;
  /** The storage bucket holding the cache, when `cache.bucket` was asked for and the browser has Storage Buckets. */
  bucket?: string;
  /** `name@version` of the versions this load evicted (beyond `maxVersions` or `maxBytes`). */
  evicted?: string[];
  /**
   * The write to the cache is still running (`loadModel` answers first and persists after):
   * the other fields say what is known before it; `OpenedBundle.stored` settles with the outcome.
   */
  pending?: true;
}
