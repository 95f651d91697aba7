/**
 * The cache's part of the SDK core's head start (issue 15): `loadModel` calls {@link openCacheEarly}
 * next to the early registry request, so the IndexedDB open (tens of ms on a fresh profile) and,
 * for a pinned version, the read of its record and blobs and their sha256 (or, when it is not
 * cached, which blobs the database holds) overlap the registry round trip. Reached through the
 * entry's `RuntimeCode` (../load-model-core.ts): `ferryml/edge` runs where there is no IndexedDB
 * and leaves it out. Nothing read here is used before ../model/read-cached-version.ts checked it
 * against the manifest.
 */
import { connect, failure, OBJECT_STORE, type EarlyRead, type EarlyVersion } from './early-idb.js';
import { loadIdb } from './idb-slot.js';
import { BLOB_PREFIX, bundleKey, blobKey, type CachedBundleRecord } from './records.js';

/** Lower-case hex sha256; a failure (WebCrypto refusing) is left to ../model/read-cached-version.ts, which hashes again. */
function sha256(bytes: Uint8Array): Promise<string> {
  const hex = crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>).then((d) => {
    let out = '';
    for (const b of new Uint8Array(d)) out += b.toString(16).padStart(2, '0');
    return out;
  });
  hex.catch(() => undefined);
  return hex;
}

const toBytes = (value: unknown): Uint8Array | undefined =>
  value instanceof ArrayBuffer ? new Uint8Array(value) : value instanceof Uint8Array ? value : undefined;

/**
 * Reads `name@version`'s record and every blob it names (or, when it is not cached, the keys of
 * every blob) in one readonly transaction and starts hashing each blob as it arrives; `undefined`
 * (never a rejection) when there is no IndexedDB or no WebCrypto, or anything fails — the caller
 * then reads the store the usual way.
 */
export function readVersionEarly(dbName: string, name: string, version: string): Promise<EarlyRead | undefined> {
  if (typeof indexedDB === 'undefined' || !(globalThis.crypto as { subtle?: SubtleCrypto } | undefined)?.subtle) return Promise.resolve(undefined);
  const read = connect(dbName).then(
    (db) =>
      new Promise<EarlyRead>((resolve, reject) => {
        const tx = db.transaction(OBJECT_STORE, 'readonly');
        const store = tx.objectStore(OBJECT_STORE);
        const out: EarlyRead = { dbName, name, version };
        const recordRequest = store.get(bundleKey(name, version));
        recordRequest.onsuccess = () => {
          const record = recordRequest.result as CachedBundleRecord | undefined;
          if (!record || !(record.manifest instanceof Uint8Array) || !Array.isArray(record.files)) {
            const keys = store.getAllKeys(IDBKeyRange.bound(BLOB_PREFIX, `${BLOB_PREFIX}\uffff`));
            keys.onsuccess = () => void (out.blobShas = new Set(keys.result.map((k) => (k as string).slice(BLOB_PREFIX.length))));
            return;
          }
          const v: EarlyVersion = (out.cached = { record, blobs: new Map(), digests: new Map([['', sha256(record.manifest)]]) });
          for (const sha of new Set(record.files.map((f) => f.sha256))) {
            const blobRequest = store.get(blobKey(sha));
            blobRequest.onsuccess = () => {
              const bytes = toBytes(blobRequest.result);
              if (!bytes) return;
              v.blobs.set(sha, bytes);
              v.digests.set(sha, sha256(bytes));
            };
          }
        };
        tx.oncomplete = () => resolve(out);
        tx.onerror = tx.onabort = () => reject(failure(tx.error, 'transaction aborted'));
      }),
  );
  return read.catch(() => undefined);
}

/**
 * What `loadModel` starts for the cache before its lazy code arrives: the connection to the
 * default IndexedDB database, and for a pinned registry version its early read. Nothing when
 * the cache is off, in a storage bucket (opened through the bucket's own factory), the bundle
 * comes from elsewhere, or there is no IndexedDB.
 */
export function openCacheEarly(options: {
  cache?: false | { dbName?: string | undefined; bucket?: unknown } | undefined;
  registry?: unknown;
  bundle?: unknown;
  files?: unknown;
  name?: string | undefined;
  version?: string | undefined;
}): Promise<EarlyRead | undefined> | undefined {
  const { cache } = options;
  if (typeof indexedDB === 'undefined') return undefined;
  // The bundle code's IndexedDB half resolves with the lazy chunk it lives in, ready when that code asks.
  loadIdb().catch(() => undefined);
  if (cache === false || cache?.bucket !== undefined || options.files !== undefined) return undefined;
  // OPEN_BUNDLE_DEFAULTS' name (not imported: it would pull option checking into the core); a
  // mismatch would only make load-bundle.ts ignore the early read, which names its database.
  const dbName = cache?.dbName ?? 'ferryml';
  if (typeof dbName !== 'string') return undefined;
  if (options.registry !== undefined && options.bundle === undefined && options.name && options.version)
    return readVersionEarly(dbName, options.name, options.version);
  // Unhandled here: whoever uses the store sees (and reports) a failed open.
  connect(dbName).catch(() => undefined);
  return undefined;
}
