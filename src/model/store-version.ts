/**
 * Commits a verified version to the cache, or says why it stays in memory: over the byte
 * budget, not enough quota by `navigator.storage.estimate()`, or the write itself failed
 * (QuotaExceededError, a closed or broken database). Never throws: a load that verified
 * must not fail because it could not be kept.
 */
import { commitGrowth, commitVersion } from '../cache/bundle-cache.js';
import type { KvStore } from '../cache/kv-store.js';
import { describeStorageError } from '../cache/open-store.js';
import type { NormalizedCacheOptions } from './open-bundle-options.js';
import type { BundleCacheStatus } from './opened-bundle.js';
import type { VerifiedVersion } from './verified-version.js';

/** Stores `version` and runs eviction; returns the cache status for this load and the versions evicted. */
export async function storeVersion(
  store: KvStore,
  version: VerifiedVersion,
  limits: NormalizedCacheOptions,
  now = Date.now(),
): Promise<{ status: BundleCacheStatus; evicted: string[] }> {
  const { manifest } = version;
  const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  const memory = (code: 'QUOTA_EXCEEDED' | 'CACHE_UNAVAILABLE', reason: string) => ({
    status: { persisted: false, memoryOnly: true, code, reason },
    evicted: [],
  });
  if (bytes > limits.maxBytes) {
    return memory(
      'QUOTA_EXCEEDED',
      `${manifest.name}@${manifest.version} is ${bytes} bytes, over the cache budget cache.maxBytes=${limits.maxBytes}; kept in memory only`,
    );
  }
  const record = {
    name: manifest.name,
    version: manifest.version,
    id: version.id,
    baseUrl: version.baseUrl,
    manifest: version.manifestBytes,
    files: manifest.files,
    bytes,
    storedAt: now,
    lastUsed: now,
  };
  const estimate = await store.storage?.estimate().catch(() => undefined);
  const free = estimate?.quota === undefined ? Infinity : estimate.quota - (estimate.usage ?? 0);
  // Checked before writing so a doomed transaction is not even started — against what the commit
  // adds (blobs shared with stored versions and what its eviction frees are no new bytes), or a
  // full cache would refuse every later version. The commit's QuotaExceededError has the last word.
  const needs = free < bytes ? await commitGrowth(store, record, limits).catch(() => 0) : 0;
  // A commit that adds nothing net goes ahead even where the storage is already over its quota.
  if (needs > 0 && needs > free) {
    return memory(
      'QUOTA_EXCEEDED',
      `storage has ${free} bytes free (storage.estimate() of ${store.name}), ${manifest.name}@${manifest.version} needs ${needs} more; kept in memory only`,
    );
  }
  let evicted: string[];
  try {
    evicted = await commitVersion(store, record, new Map(manifest.files.map((f) => [f.sha256, version.files.get(f.path)!])), limits);
  } catch (error) {
    const problem = describeStorageError(error, store);
    return memory(problem.code, `could not store ${manifest.name}@${manifest.version}: ${problem.reason}`);
  }
  const status: BundleCacheStatus = { persisted: await persistence(limits.persist, store), memoryOnly: store.kind === 'memory' };
  if (evicted.length) status.evicted = evicted;
  return { status, evicted };
}

/** Asks for persistent storage when the app allows it; reports whether storage is persistent. Never throws. */
export async function persistence(ask: boolean, store: KvStore): Promise<boolean> {
  // persist()/persisted() are missing in some WebViews and older browsers.
  const storage = store.storage as Partial<StorageManager> | undefined;
  try {
    if (ask && storage?.persist) return await storage.persist();
    return (await storage?.persisted?.()) ?? false;
  } catch {
    return false;
  }
}
