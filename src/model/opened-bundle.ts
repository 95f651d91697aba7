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

export type { BundleCacheStatus } from './cache-status.js';
import type { BundleCacheStatus } from './cache-status.js';

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
   * `memoryOnly` with its `code` and `reason` when it failed; and on a cache hit whose persistence
   * query had not answered yet (`loadModel` only): resolves with `persisted` known. Never rejects.
   */
  stored?: Promise<BundleCacheStatus>;
  /** Set when `source` is `"offline"`: the error that made the network path fail, and the version it was after (when known). */
  fallback?: { error: FerryError; wanted?: string };
}
