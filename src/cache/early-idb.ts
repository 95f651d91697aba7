/**
 * The IndexedDB connection, one memoized per database and page ({@link connect}): opened by the
 * SDK core before the lazy chunk that uses it has arrived (./early-read.ts, issue 15) and taken
 * over by ./idb-store.ts. Also the shapes of the early read, which
 * ../model/load-bundle.ts and ../model/read-cached-version.ts consume.
 */
import type { CachedBundleRecord } from './records.js';

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
export const failure = (error: DOMException | null, what: string) => error ?? new DOMException(`IndexedDB ${what}`, 'AbortError');

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
