/**
 * The Cache API {@link KvStore}, for edge runtimes without IndexedDB (Cloudflare Workers, Deno):
 * one cache per database (`caches.open(dbName)`), one entry per key under a synthetic URL. Bytes
 * are stored as the response body, anything else as JSON (byte arrays inside it as base64).
 * The Cache API has no transactions and, on workerd, no `keys()`: the store keeps its own list of
 * keys in one more entry, and applies a transaction's writes in the order the body made them —
 * the cache layer puts blobs before the record naming them and deletes records before blobs, so
 * a reader sees a version whole or not at all — after writing the key list as a superset of what
 * is about to exist. Every read is verified again above this layer, so an entry the platform
 * evicted or a half-applied write is a miss, never wrong bytes.
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
  const writeList = async (keys: Set<string>) => (await cache()).put(LIST, encode([...keys].sort()));
  let queue = Promise.resolve();
  return {
    kind: 'cache-api',
    name: dbName,
    run<T>(mode: IDBTransactionMode, body: (tx: KvTransaction) => Promise<T>): Promise<T> {
      // One transaction at a time in this isolate, as IndexedDB orders overlapping readwrite scopes.
      const result = queue.then(async () => {
        const c = await cache();
        let keyList: Promise<Set<string>> | undefined;
        const { tx, writes } = stagedTransaction(mode, {
          read: (key) => read(urlOf(key)),
          exists: async (key) => (await c.match(urlOf(key))) !== undefined,
          keys: () => (keyList ??= listed()),
        });
        const out = await body(tx);
        const ops = writes();
        if (ops.length === 0) return out;
        const before = await (keyList ??= listed());
        const added = ops.filter(([k, s]) => s && !before.has(k)).map(([k]) => k);
        if (added.length) await writeList(new Set([...before, ...added]));
        // Writes in the order the body staged them (the last op per key), one after the other.
        for (const [k, s] of ops) {
          if (s) await c.put(urlOf(k), encode(s.value));
          else await c.delete(urlOf(k));
        }
        const removed = ops.filter(([k, s]) => !s && before.has(k)).map(([k]) => k);
        if (removed.length) {
          const now = new Set([...before, ...added]);
          for (const k of removed) now.delete(k);
          await writeList(now);
        }
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
