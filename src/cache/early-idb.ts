/**
 * The IndexedDB connection, opened by the SDK core before the lazy chunk that uses it has arrived
 * (issue 15): `loadModel` calls {@link readVersionEarly} next to the early registry request, so
 * the open (tens of ms on a fresh profile) and, for a pinned version, the read of its record and
 * blobs and their sha256 (or, when it is not cached, which blobs the database holds) overlap the
 * registry round trip. ./idb-store.ts takes the same memoized
 * connection over ({@link connect}), so there is one connection per database and page. Nothing
 * read here is used before ../model/read-cached-version.ts checked it against the manifest.
 */
import { BLOB_PREFIX, bundleKey, blobKey, type CachedBundleRecord } from './records.js';

/** Object store name inside the cache database. */
export const OBJECT_STORE = 'bundles';

/** A cached version's record and blobs as read from IndexedDB, with their sha256 computations started. */
export interface EarlyVersion {
  record: CachedBundleRecord;
  /** Blob bytes by sha256 (as the record names them); a missing blob is absent. */
  blobs: Map<string, Uint8Array>;
  /** Lower-case hex sha256 of each blob's bytes (keyed like `blobs`) and of the record's manifest (key `''`). */
  digests: Map<string, Promise<string>>;
}

/** What the early read of `name@version` in `dbName` found, in one transaction. */
export interface EarlyRead {
  dbName: string;
  name: string;
  version: string;
  /** The version, when it is cached. */
  cached?: EarlyVersion;
  /** When it is not: the sha256 of every blob the database holds (keys only), so a download knows which it may reuse. */
  blobShas?: Set<string>;
}

const connections = new Map<string, Promise<IDBDatabase>>();

/** The error IndexedDB reported, or one saying what failed when it reported none (an abort without an error). */
const failure = (error: DOMException | null, what: string) => error ?? new DOMException(`IndexedDB ${what}`, 'AbortError');

/** Resolves with a request's result (a transaction: when it commits), rejects with its error (or abort), as idb-keyval's does. */
export function promisifyRequest<T = undefined>(request: IDBRequest<T> | IDBTransaction): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if ('oncomplete' in request) {
      request.oncomplete = () => resolve(undefined as T);
      request.onabort = request.onerror = () => reject(failure(request.error, 'transaction aborted'));
    } else {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(failure(request.error, 'request failed'));
    }
  });
}

/**
 * Opens `dbName` on `factory` (creating the object store on first use), as idb-keyval's
 * `createStore` does; a failure (private mode, a blocked upgrade that errors) rejects.
 */
export function openDb(factory: IDBFactory, dbName: string): Promise<IDBDatabase> {
  try {
    const request = factory.open(dbName);
    request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE);
    return promisifyRequest(request);
  } catch (error) {
    // Some sandboxed contexts throw from open() itself (SecurityError) instead of failing the request.
    return Promise.reject(error);
  }
}

/**
 * The page's connection to `dbName` in the default IndexedDB, memoized; forgotten when it fails or
 * the browser closes it, so the next use opens it again.
 */
export function connect(dbName: string): Promise<IDBDatabase> {
  let db = connections.get(dbName);
  if (db) return db;
  db = openDb(indexedDB, dbName);
  connections.set(dbName, db);
  const p = db;
  const forget = () => connections.get(dbName) === p && connections.delete(dbName);
  p.then((d) => {
    d.onclose = forget;
    // Another tab's upgrade or deleteDatabase() waits for every open connection: let it go.
    d.onversionchange = () => {
      forget();
      d.close();
    };
  }, forget);
  return p;
}

function sha256(bytes: Uint8Array): Promise<string> {
  return crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>).then((d) => {
    let out = '';
    for (const b of new Uint8Array(d)) out += b.toString(16).padStart(2, '0');
    return out;
  });
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
  return read.then(
    (r) => {
      // A failed hash (WebCrypto refusing) is the usual path's to report: drop the early read.
      for (const d of r.cached?.digests.values() ?? []) d.catch(() => undefined);
      return r;
    },
    () => undefined,
  );
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
  if (cache === false || cache?.bucket !== undefined || options.files !== undefined || typeof indexedDB === 'undefined') return undefined;
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
