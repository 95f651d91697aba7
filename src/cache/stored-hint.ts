/**
 * A hint, readable at once, that this origin has stored a bundle version in an IndexedDB database
 * before (issue 15). On a fresh profile IndexedDB takes tens of ms to open (it creates the
 * database), so a cold load requests a pinned version's manifest and files without waiting to
 * hear that the cache is empty (../model/prefetch-files.ts); a returning visitor's database opens
 * in a few ms and may hold the version (or some of its blobs), so there the load asks IndexedDB
 * first and the origin only for what it lacks. The hint only decides that order: every byte is
 * verified either way, and a wrong hint costs a wait or an aborted request, never a wrong model.
 * Kept in localStorage (absent in workers, throwing in sandboxed frames: then no hint, and the
 * store is asked first).
 */

const key = (db: string) => `ferryml.stored:${db}`;

function storage(): Storage | undefined {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage;
  } catch {
    // SecurityError in sandboxed frames and with site data blocked.
    return undefined;
  }
}

/**
 * Whether the store should be asked before the origin: a version was stored in the database `db`
 * (its name, and its bucket's when in one) on this origin, or there is no way to know — no
 * localStorage (workers, sandboxed frames) or no IndexedDB (edge runtimes and servers, whose Cache
 * API or file store opens at once and may well hold the version). Only a browser profile that
 * never stored anything counts as fresh.
 */
export function storedBefore(db: string): boolean {
  try {
    const s = storage();
    if (!s || typeof (globalThis as { indexedDB?: unknown }).indexedDB === 'undefined') return true;
    return s.getItem(key(db)) === '1';
  } catch {
    return true;
  }
}

/** Records that a version was stored in `db`; best effort. */
export function noteStored(db: string): void {
  try {
    storage()?.setItem(key(db), '1');
  } catch {
    // Quota or blocked storage: the next load only waits for IndexedDB before its requests.
  }
}
