/**
 * Versions in the cache: read a version with its blobs, commit a verified version atomically
 * (its missing blobs and its record in one transaction, then eviction and blob collection in the
 * same one), drop versions, and keep registry snapshots. Verification lives in `model/`: this
 * file only stores what it is handed.
 */
import type { Registry } from '../model/manifest.js';
import { planEviction, uniqueBytes, type EvictionLimits } from './eviction.js';
import type { KvStore, KvTransaction } from './kv-store.js';
import {
  BLOB_PREFIX,
  BUNDLE_PREFIX,
  blobKey,
  bundleKey,
  registryKey,
  registryTrustKey,
  TRUST_PREFIX,
  type CachedBundleRecord,
  type CachedRegistry,
} from './records.js';

const toBytes = (value: unknown): Uint8Array | undefined =>
  value instanceof ArrayBuffer ? new Uint8Array(value) : value instanceof Uint8Array ? value : undefined;

/** A buffer holding exactly `bytes` (a view's whole backing buffer would otherwise be cloned into IndexedDB). */
const exactBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : bytes.slice().buffer;

/** Blob bytes by sha256 for the ones present; absent ones are left out. */
export function readBlobs(store: KvStore, shas: readonly string[]): Promise<Map<string, Uint8Array>> {
  return store.run('readonly', async (tx) => {
    const out = new Map<string, Uint8Array>();
    await Promise.all(
      [...new Set(shas)].map(async (sha) => {
        const bytes = toBytes(await tx.get(blobKey(sha)));
        if (bytes) out.set(sha, bytes);
      }),
    );
    return out;
  });
}

/** The record of `name@version`, if cached (also under the unescaped key written before ./records.ts escaped names). */
export async function readRecord(store: KvStore, name: string, version: string): Promise<CachedBundleRecord | undefined> {
  const key = bundleKey(name, version);
  const legacy = `${BUNDLE_PREFIX}${name}@${version}`;
  // The second read only for a name the escaping changed (one with `%` or `@`).
  const r = await store.run(
    'readonly',
    async (tx) => (await tx.get<CachedBundleRecord>(key)) ?? (legacy === key ? undefined : tx.get<CachedBundleRecord>(legacy)),
  );
  return r?.name === name && r.version === version ? r : undefined;
}

/** Every cached record, or those of model `name` (by the record's own name: no key prefix is one model's alone). */
export async function listRecords(store: KvStore, name?: string): Promise<CachedBundleRecord[]> {
  const entries = await store.run('readonly', (tx) => tx.entries<CachedBundleRecord>(BUNDLE_PREFIX));
  return entries.map(([, r]) => r).filter((r) => name === undefined || r.name === name);
}

/** Drops the records `dropIf` picks and those eviction plans within `limits`, then the blobs no record names. */
async function collect(tx: KvTransaction, limits: EvictionLimits | undefined, dropIf: (r: CachedBundleRecord, key: string) => boolean): Promise<string[]> {
  const records = await tx.entries<CachedBundleRecord>(BUNDLE_PREFIX);
  const drop = new Set(
    limits
      ? planEviction(
          records.map(([key, r]) => ({ key, name: r.name, lastUsed: r.lastUsed, files: r.files })),
          limits,
        )
      : [],
  );
  for (const [key, r] of records) if (dropIf(r, key)) drop.add(key);
  for (const key of drop) tx.del(key);
  // Blob collection: a blob stays while any remaining record names it.
  const referenced = new Set(records.filter(([key]) => !drop.has(key)).flatMap(([, r]) => r.files.map((f) => blobKey(f.sha256))));
  for (const key of await tx.keys(BLOB_PREFIX)) if (!referenced.has(key)) tx.del(key);
  return records.filter(([key]) => drop.has(key)).map(([, r]) => `${r.name}@${r.version}`);
}

/**
 * Stores a verified version: blobs it needs that are not there yet, then its record, then
 * eviction — one readwrite transaction, so the version appears whole or not at all, and a
 * failure (quota, crash) leaves the previous state untouched.
 * @returns `name@version` of the versions evicted.
 */
export function commitVersion(store: KvStore, record: CachedBundleRecord, blobs: ReadonlyMap<string, Uint8Array>, limits: EvictionLimits): Promise<string[]> {
  const key = bundleKey(record.name, record.version);
  return store.run('readwrite', async (tx) => {
    for (const f of record.files) {
      if (await tx.has(blobKey(f.sha256))) continue;
      const bytes = blobs.get(f.sha256);
      if (!bytes) throw new Error(`commitVersion: no bytes for ${f.path} (${f.sha256})`);
      tx.put(blobKey(f.sha256), exactBuffer(bytes));
    }
    tx.put(key, record);
    // The same version under another key (unescaped, written before ./records.ts escaped names) goes.
    return collect(tx, { ...limits, keep: [key, ...(limits.keep ?? [])] }, (r, k) => k !== key && r.name === record.name && r.version === record.version);
  });
}

/**
 * Bytes committing `record` would add: blobs not stored yet, less those its eviction frees (distinct
 * blobs, by the records' sizes). What a quota check must compare, not the version's full size.
 */
export function commitGrowth(store: KvStore, record: CachedBundleRecord, limits: EvictionLimits): Promise<number> {
  const key = bundleKey(record.name, record.version);
  return store.run('readonly', async (tx) => {
    const now = (await tx.entries<CachedBundleRecord>(BUNDLE_PREFIX)).map(([k, r]) => ({ ...r, key: k }));
    const after = [...now.filter((r) => r.key !== key), { ...record, key }];
    const drop = new Set(planEviction(after, { ...limits, keep: [key] }));
    return uniqueBytes(after.filter((r) => !drop.has(r.key))) - uniqueBytes(now);
  });
}

/** Removes the given versions of `name`, whatever their key (and blobs nobody else needs). @returns `name@version` removed. */
export function dropVersions(store: KvStore, name: string, versions: readonly string[]): Promise<string[]> {
  return store.run('readwrite', (tx) => collect(tx, undefined, (r) => r.name === name && versions.includes(r.version)));
}

/**
 * Deletes blobs that failed their hash check, so the verified bytes fetched instead replace
 * them (a commit keeps a blob already present). A record naming one fails its own check anyway.
 */
export function dropBlobs(store: KvStore, shas: readonly string[]): Promise<void> {
  return store.run('readwrite', async (tx) => {
    for (const sha of shas) tx.del(blobKey(sha));
  });
}

/** Marks a version used now, for least-recently-used eviction. */
export function touchRecord(store: KvStore, name: string, version: string, now = Date.now()): Promise<void> {
  return store.run('readwrite', async (tx) => {
    const r = await tx.get<CachedBundleRecord>(bundleKey(name, version));
    if (r) tx.put(bundleKey(name, version), { ...r, lastUsed: now });
  });
}

/** Saves the registry last fetched from `url`. */
export function saveRegistry(store: KvStore, url: string, registry: Registry, now = Date.now()): Promise<void> {
  return store.run('readwrite', async (tx) => tx.put(registryKey(url), { url, registry, fetchedAt: now } satisfies CachedRegistry));
}

/** The registry last fetched from `url`, if any. */
export function loadRegistry(store: KvStore, url: string): Promise<CachedRegistry | undefined> {
  return store.run('readonly', (tx) => tx.get<CachedRegistry>(registryKey(url)));
}

/**
 * Replaces the trust state for a signed registry URL (see model/registry-trust.ts) with
 * `update(stored)`, read and written in one transaction so that concurrent updates cannot undo
 * each other. Resolves with the state that was stored before.
 */
export function updateRegistryTrust<T>(store: KvStore, url: string, update: (stored: T | undefined) => T): Promise<T | undefined> {
  return store.run('readwrite', async (tx) => {
    const stored = await tx.get<T>(registryTrustKey(url));
    tx.put(registryTrustKey(url), update(stored));
    return stored;
  });
}

/** The trust state saved for `url`, if any. */
export function loadRegistryTrust<T>(store: KvStore, url: string): Promise<T | undefined> {
  return store.run('readonly', (tx) => tx.get<T>(registryTrustKey(url)));
}

/** Deletes everything under `prefix` ('' for all) but the registry trust state (highest version seen, rotated keys). */
export function clearStore(store: KvStore, prefix = ''): Promise<void> {
  return store.run('readwrite', async (tx) => {
    for (const key of await tx.keys(prefix)) if (!key.startsWith(TRUST_PREFIX)) tx.del(key);
  });
}
