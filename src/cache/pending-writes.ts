/**
 * Cache writes still running behind an answer (loadModel stores a downloaded version, its registry
 * snapshot or an LRU touch after it resolves), by store (`${kind}:${name}`). A load that starts
 * meanwhile waits for the write to the store it reads (to find the version cached instead of
 * downloading it again); `clear()` and `evict()` wait for them, or a write would bring back what
 * they removed.
 */
export const writes = new Map<string, Promise<unknown>>();

/** Settles once the writes pending for `store` when called have (a failed write included). */
export const writesSettled = (store: { kind: string; name: string }): Promise<unknown> =>
  Promise.resolve(writes.get(`${store.kind}:${store.name}`)).catch(() => undefined);

/** The key of `writes` for the default IndexedDB store of database `db` (`${kind}:${name}`, see ./idb-store.ts). */
export const idbWriteKey = (db: string) => `indexeddb:${db}`;

/** Tracks `p` among the writes pending for store `key` (after what was pending) until it settles; resolves when both have. */
export const pend = (key: string, p: Promise<unknown>): Promise<unknown> => {
  const done: Promise<unknown> = Promise.all([writes.get(key), p]).finally(() => writes.get(key) === done && writes.delete(key));
  writes.set(key, done);
  return done;
};
