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
