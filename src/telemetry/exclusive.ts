/**
 * One drain per offline queue at a time: in this realm (two models sharing a `dbName`) and, where
 * the Web Locks API exists, across tabs. Without it both would send (and count) the same oldest
 * batch; the collector's dedupe keeps the data right but not the counters.
 */
const running = new Map<string, Promise<boolean>>();

/**
 * Runs `fn` as the holder of `name`. A caller that finds `name` held in this realm waits for that
 * run and gets its result; one that finds it held by another tab gets false at once (try later).
 * `crossTab` false keeps the lock in this realm (queues that live in memory).
 */
export function exclusive(name: string, crossTab: boolean, fn: () => Promise<void>): Promise<boolean> {
  const held = running.get(name);
  if (held) return held;
  const locks = crossTab && typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const run = async (): Promise<boolean> => {
    if (!locks) return fn().then(() => true);
    return await locks.request(name, { ifAvailable: true }, async (lock) => lock !== null && (await fn(), true));
  };
  // Started a microtask later, so the entry is in the map before anything can settle.
  const p = Promise.resolve().then(run);
  running.set(name, p);
  const release = () => void running.delete(name);
  p.then(release, release);
  return p;
}
