/**
 * The default per-client id for rollout buckets: random once, then kept — in localStorage when
 * the page has it, else in the cache store (workers have no localStorage), else for this page only.
 */
import type { KvStore } from '../cache/kv-store.js';

const STORAGE_KEY = 'ferryml:client-id';
const META_KEY = 'meta:client-id';
let pageId: string | undefined;

const randomId = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** This client's persisted id, created on first use. Never throws: storage failures fall through to the next place. */
export async function defaultClientId(store: KvStore | undefined): Promise<string> {
  try {
    const ls = (globalThis as { localStorage?: Storage }).localStorage; // absent in workers and Node
    if (ls) {
      const have = ls.getItem(STORAGE_KEY);
      if (have) return have;
      const id = randomId();
      ls.setItem(STORAGE_KEY, id);
      return id;
    }
  } catch {
    // localStorage throws SecurityError in sandboxed frames and with cookies blocked.
  }
  if (store) {
    try {
      return await store.run('readwrite', async (tx) => {
        const have = await tx.get<string>(META_KEY);
        if (have) return have;
        const id = randomId();
        tx.put(META_KEY, id);
        return id;
      });
    } catch {
      // Fall back to a page-lifetime id below.
    }
  }
  return (pageId ??= randomId());
}
