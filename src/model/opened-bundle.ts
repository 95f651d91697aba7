/**
 * The result of opening a bundle: a verified manifest, its parsed schema and golden vectors,
 * and a tfjs `IOHandler` serving model.json and weights from the verified bytes.
 */
import type { io } from '@tensorflow/tfjs-core';
import type { FerryError } from '../errors.js';
import type { Schema } from '../schema/types.js';
import type { Golden, Manifest } from './manifest.js';

export type { BundleSource, ResolvedBy } from './bundle-source.js';
import type { BundleSource, ResolvedBy } from './bundle-source.js';

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

/** A verified bundle, ready for `tf.loadLayersModel(bundle.ioHandler)` or `tf.loadGraphModel(bundle.ioHandler)`. */
export interface OpenedBundle {
  manifest: Manifest;
  /** Lower-case hex sha256 of the manifest's bytes: the bundle's identity. */
  id: string;
  /** URL of the bundle directory (`file:` like for `bundleFromFiles` when none was given). */
  baseUrl: string;
  source: BundleSource;
  resolvedBy: ResolvedBy;
  /** Sum of the bundle's file sizes (manifest excluded). */
  bytes: number;
  /** Bytes fetched from the network for this load (0 on a cache hit). */
  downloadedBytes: number;
  /** Milliseconds from the call to the verified result. */
  ms: number;
  /** The parsed `schema.json`. */
  schema: Schema;
  golden?: Golden;
  /** Serves model.json and the weight shards from the verified bytes; no tfjs value is imported to build it. */
  ioHandler: io.IOHandler;
  /** Every verified file of the bundle by its manifest path (the manifest itself is not among them). */
  files: ReadonlyMap<string, Uint8Array>;
  cache: BundleCacheStatus;
  /**
   * Set when the cache write was deferred (`cache.pending`): resolves with the write's status,
   * `memoryOnly` with its `code` and `reason` when it failed. Never rejects.
   */
  stored?: Promise<BundleCacheStatus>;
  /** Set when `source` is `"offline"`: the error that made the network path fail, and the version it was after (when known). */
  fallback?: { error: FerryError; wanted?: string };
}
