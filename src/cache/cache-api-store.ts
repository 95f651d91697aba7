/**
 * The Cache API {@link KvStore}, for edge runtimes without IndexedDB (Cloudflare Workers, Deno):
 * one cache per database (`caches.open(dbName)`), one entry per key under a synthetic URL. Bytes
 * are stored as the response body, anything else as JSON (byte arrays inside it as base64).
 * The Cache API has no transactions and, on workerd, no `keys()`: the store keeps its own list of
 * keys in one more entry, and applies a transaction's writes in the order the body made them —
 * the cache layer puts blobs before the record naming them and deletes records before blobs, so
 * a reader sees a version whole or not at all — after writing the key list as a superset of what
 * is about to exist. Isolates sharing the cache may write that list at once, and with no
 * compare-and-set one can put a list it read before another's write: each rewrites it from a fresh
 * read, checks its keys survived, checks again once its writes are done, and lists again any key a
 * later write finds stored unlisted. The list is kept even where `cache.keys()` works (browsers,
 * whose pages use IndexedDB): workerd has the method but it throws "not implemented", Deno lacks
 * it, and those are the runtimes this store is for.
 * Every read is verified again above this layer, so an entry the platform evicted or a
 * half-applied write is a miss, never wrong bytes.
 */
import type { KvStore, KvTransaction } from './kv-store.js';
import { stagedTransaction } from './staged-transaction.js';

/** What this store needs of `globalThis.caches`. */
export interface CacheStorageLike {
  open(name: string): Promise<Cache>;
}

/** The origin of the entries' URLs; `.invalid` is reserved, so it can never be fetched. */
const ORIGIN = 'https://ferryml-cache.invalid/';
const LIST = `${ORIGIN}keys`;
const urlOf = (key: string) => `${ORIGIN}k/${encodeURIComponent(key)}`;
const KIND = 'x-ferryml-value';
// workerd stores an entry only as long as its Cache-Control allows (a year: versions are
// immutable and the cache layer evicts them itself).
const KEEP = 'public, max-age=31536000, immutable';

/** `caches` where the runtime has the Cache API. */
export const cacheStorage = (): CacheStorageLike | undefined => {
  const c = (globalThis as { caches?: Partial<CacheStorageLike> }).caches;
  return typeof c?.open === 'function' ? (c as CacheStorageLike) : undefined;
};

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x2000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x2000) as unknown as number[]);
  return btoa(s);
}
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

function encode(value: unknown): Response {
  const headers = { 'cache-control': KEEP, [KIND]: 'json' };
  if (value instanceof ArrayBuffer || value instanceof Uint8Array)
    return new Response(value instanceof ArrayBuffer ? value : value.slice(), { headers: { ...headers, [KIND]: 'bytes' } });
  const json = JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { $bytes: toBase64(v) } : v));
  return new Response(json, { headers: { ...headers, 'content-type': 'application/json' } });
}

async function decode(res: Response): Promise<unknown> {
  if (res.headers.get(KIND) === 'bytes') return new Uint8Array(await res.arrayBuffer());
  return JSON.parse(await res.text(), (_key, v: unknown) =>
    v !== null && typeof v === 'object' && typeof (v as { $bytes?: unknown }).$bytes === 'string' ? fromBase64((v as { $bytes: string }).$bytes) : v,
  );
}

/** A KvStore in `caches.open(dbName)`; `run` rejects when the Cache API refuses. */
export function createCacheApiStore(dbName: string, storage: CacheStorageLike): KvStore {
  let opened: Promise<Cache> | undefined;
  // The cache handle is memoized and dropped when opening fails, so a later run tries again.
  const cache = () =>
    (opened ??= storage.open(dbName).catch((e: unknown) => {
      opened = undefined;
      throw e;
    }));
  const read = async (url: string) => {
    const res = await (await cache()).match(url);
    return res === undefined ? undefined : decode(res);
  };
  const listed = async () => new Set(((await read(LIST)) as string[] | undefined) ?? []);
  /**
   * Adds `add` to the key list and takes `drop` out, on the list as stored right before the write:
   * another isolate may write it meanwhile (no transactions here), so it is read again after and
   * written again while it misses one of `add` or still names one of `drop`. After a few rounds the
   * rest is left to the next write that finds the key stored.
   */
  const updateList = async (add: readonly string[], drop: readonly string[] = []) => {
    for (let i = 0; i < 4; i++) {
      const keys = await listed();
      if (add.every((k) => keys.has(k)) && !drop.some((k) => keys.has(k))) return;
      for (const k of add) keys.add(k);
      for (const k of drop) keys.delete(k);
      await (await cache()).put(LIST, encode([...keys].sort()));
    }
  };
  let queue = Promise.resolve();
  return {
    kind: 'cache-api',
    name: dbName,
    run<T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T> {
      // One transaction at a time in this isolate, as IndexedDB orders overlapping readwrite scopes.
      const result = queue.then(async () => {
        const c = await cache();
        // Keys this transaction found stored: one a concurrent writer dropped from the list is listed again.
        const seen = new Set<string>();
        let keyList: Promise<Set<string>> | undefined;
        const { tx, writes } = stagedTransaction(mode, {
          read: async (key) => {
            const value = await read(urlOf(key));
            if (value !== undefined) seen.add(key);
            return value;
          },
          exists: async (key) => (await c.match(urlOf(key))) !== undefined && !!seen.add(key),
          keys: () => (keyList ??= listed()),
        });
        const out = await body(tx);
        const ops = writes();
        if (mode === 'readonly' || (!ops.length && !seen.size)) return out;
        const removed: string[] = [];
        for (const [k, s] of ops) {
          if (s) seen.add(k);
          else {
            seen.delete(k);
            removed.push(k);
          }
        }
        // The list first, a superset of what is about to exist; then the writes in the order the
        // body staged them (the last op per key), one after the other; then the list without what went.
        const listedNow = await listed();
        const added = [...seen].filter((k) => !listedNow.has(k));
        if (added.length) await updateList(added);
        for (const [k, s] of ops) {
          if (s) await c.put(urlOf(k), encode(s.value));
          else await c.delete(urlOf(k));
        }
        // Checked again now the writes took their time: an isolate that read the list before ours
        // landed may have put its own over it since.
        await updateList([...seen], removed);
        return out;
      });
      queue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
  };
}
