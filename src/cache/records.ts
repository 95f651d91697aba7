/**
 * What the cache stores, content-addressed: each file's bytes once under `blob:<sha256>`, one
 * record per version under `bundle:<name>@<version>` (`%` and `@` in the name escaped) naming the
 * blobs it needs, and the last registry seen per URL under `registry:<url>` (for offline
 * resolution and revocations).
 */
import type { BundleFile, Registry } from '../model/manifest.js';

/** One cached, verified version. Written in the same transaction as any blob it needs. */
export interface CachedBundleRecord {
  name: string;
  version: string;
  /** sha256 hex of `manifest`: the bundle's identity. */
  id: string;
  /** URL of the bundle directory it was downloaded from. */
  baseUrl: string;
  /** The manifest's exact bytes, so its hash and signature can be checked again on every read. */
  manifest: Uint8Array;
  files: BundleFile[];
  /** Sum of `files[].bytes`. */
  bytes: number;
  /** ms since epoch. */
  storedAt: number;
  lastUsed: number;
}

/** The last registry fetched from one URL. */
export interface CachedRegistry {
  url: string;
  registry: Registry;
  fetchedAt: number;
}

/** Summary of one cached version, as {@link listCached} returns it. */
export interface CachedBundleInfo {
  name: string;
  version: string;
  id: string;
  baseUrl: string;
  bytes: number;
  storedAt: number;
  lastUsed: number;
}

export const BUNDLE_PREFIX = 'bundle:';
export const BLOB_PREFIX = 'blob:';
export const REGISTRY_PREFIX = 'registry:';
export const META_PREFIX = 'meta:';
/** Security state, not cache: `clear()` keeps it, or clearing would reopen the rollback window. */
export const TRUST_PREFIX = 'trust:';

/**
 * Key of a version's record. `%` and `@` in the name are escaped (`%25`, `%40`), so the first `@`
 * ends it: `a@beta` 1.0.0 and `a` beta@1.0.0 no longer share a key. Other names keep the key they
 * always had; a record written unescaped before is still found by its `name` field (./bundle-cache.ts).
 */
export const bundleKey = (name: string, version: string) => `${BUNDLE_PREFIX}${name.replace(/[%@]/g, encodeURIComponent)}@${version}`;
/** Key of a file's bytes. */
export const blobKey = (sha256: string) => `${BLOB_PREFIX}${sha256}`;
/** Key of the registry snapshot for a URL. */
export const registryKey = (url: string) => `${REGISTRY_PREFIX}${url}`;
/** Key of what this client trusts about a signed registry URL (highest version seen, rotated keys). */
export const registryTrustKey = (url: string) => `${TRUST_PREFIX}${url}`;

/** The record's summary (no bytes). */
export function infoOf(r: CachedBundleRecord): CachedBundleInfo {
  return { name: r.name, version: r.version, id: r.id, baseUrl: r.baseUrl, bytes: r.bytes, storedAt: r.storedAt, lastUsed: r.lastUsed };
}
