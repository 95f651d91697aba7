/**
 * When the network fails: the newest cached, verified, not revoked version that fits the
 * request. Revocations come from the last registry seen online, so a version revoked then is
 * never served offline either.
 */
import { listRecords, loadRegistry } from '../cache/bundle-cache.js';
import type { KvStore } from '../cache/kv-store.js';
import type { CachedBundleRecord } from '../cache/records.js';
import { compareVersions } from './compare-versions.js';
import type { NormalizedOpenBundleOptions } from './open-bundle-options.js';
import { readCachedVersion } from './read-cached-version.js';
import { isRevoked, resolveVersion } from './registry.js';
import { clientIdFor } from './resolve-target.js';
import { manifestKeys } from './registry-trust.js';
import type { VerifiedVersion } from './verified-version.js';

/** Cached records that fit the request, best first. */
async function candidates(opts: NormalizedOpenBundleOptions, store: KvStore): Promise<CachedBundleRecord[]> {
  if (!opts.registry) {
    const base = opts.bundle!.href;
    return (await listRecords(store)).filter((r) => r.baseUrl === base).sort((a, b) => b.lastUsed - a.lastUsed);
  }
  const name = opts.name!;
  const snapshot = await loadRegistry(store, opts.registry.href).catch(() => undefined);
  const entry = snapshot?.registry.models[name];
  const records = (await listRecords(store, name)).filter((r) => !isRevoked(entry, r.version) && (opts.version === undefined || r.version === opts.version));
  records.sort((a, b) => compareVersions(b.version, a.version));
  let preferred: string | undefined;
  if (entry && opts.version === undefined) {
    try {
      // What the last registry seen would have chosen for this client, if it is cached.
      const clientId = await clientIdFor(opts, store);
      preferred = resolveVersion(entry, { name, channel: opts.channel, clientId }, opts.registry.href).version;
    } catch {
      preferred = undefined;
    }
  }
  const first = records.findIndex((r) => r.version === preferred);
  if (first > 0) records.unshift(...records.splice(first, 1));
  return records;
}

/** The best usable cached version for the request, or `undefined` when none is cached and verifiable. */
export async function offlineFallback(opts: NormalizedOpenBundleOptions, store: KvStore): Promise<VerifiedVersion | undefined> {
  const keys = await manifestKeys(opts.registry?.href, opts.publicKey, store).catch(() => opts.publicKey);
  for (const record of await candidates(opts, store).catch(() => [])) {
    const version = await readCachedVersion(store, record, keys);
    if (version) return version;
  }
  return undefined;
}
