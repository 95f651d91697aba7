/**
 * The IndexedDB queue for batches that could not be sent (offline, collector down, retries
 * exhausted, page hidden with the keepalive budget spent). FIFO, bounded by batches and bytes;
 * when over a bound the oldest batches are evicted and counted. Several tabs (and several
 * models) may share it: each entry remembers its URL, and the collector dedupes on batch id.
 */
import { createStore, del, get, keys, setMany, delMany } from 'idb-keyval';
import type { UseStore } from 'idb-keyval';
import type { Batch } from './batcher.js';
import type { OfflineOptions } from './types.js';

/**
 * Entry keys carry the metadata the queue needs, so bounds and lookups read keys only:
 * `[storedAtMs, nonce, bytes, records, url]` (arrays order element-wise: oldest first).
 */
type EntryKey = [number, string, number, number, string];

/** A stored batch and the key to remove it with. */
export interface StoredBatch {
  key: IDBValidKey;
  batch: Batch;
}

/** Result of {@link OfflineQueue.put}: records evicted (or refused) to stay within the bounds. */
export interface PutResult {
  evictedRecords: number;
  batches: number;
  /** The keys the new batches were stored under (an evicted one is simply gone), to remove them with. */
  keys: IDBValidKey[];
}

/** The queue's operations; the IndexedDB one's reject when IndexedDB is unavailable. */
export interface OfflineQueue {
  /** Where batches wait: IndexedDB, or memory where there is none (./memory-queue.ts). */
  readonly kind: 'indexeddb' | 'memory';
  /** Appends batches (oldest first), then evicts the oldest entries past the bounds. */
  put(batches: readonly Batch[], url: string): Promise<PutResult>;
  /** The oldest batch stored for `url`. */
  oldest(url: string): Promise<StoredBatch | undefined>;
  remove(key: IDBValidKey): Promise<void>;
  /** Batches stored for `url`. */
  count(url: string): Promise<number>;
}

let nonce = 0;

/** A queue in database `dbName`, object store `batches`. */
export function createOfflineQueue(options: Required<OfflineOptions>): OfflineQueue {
  let store: UseStore | undefined;
  // createStore opens nothing until first use; typeof check keeps Node and old workers quiet.
  const db = (): UseStore => {
    if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available');
    return (store ??= createStore(options.dbName, 'batches'));
  };
  const allKeys = async () => (await keys<IDBValidKey>(db())).filter((k): k is EntryKey => Array.isArray(k) && k.length === 5);

  return {
    kind: 'indexeddb',
    async put(batches: readonly Batch[], url: string): Promise<PutResult> {
      let evictedRecords = 0;
      const now = Date.now();
      const add: Array<[IDBValidKey, Batch]> = [];
      for (const b of batches) {
        if (b.bytes > options.maxBytes) evictedRecords += b.records.length;
        else add.push([[now, `${(nonce++).toString(36)}.${Math.random().toString(36).slice(2, 8)}`, b.bytes, b.records.length, url], b]);
      }
      if (add.length) await setMany(add, db());
      const all = await allKeys();
      let bytes = all.reduce((s, k) => s + k[2], 0);
      const evict: EntryKey[] = [];
      for (const k of all) {
        if (all.length - evict.length <= options.maxBatches && bytes <= options.maxBytes) break;
        evict.push(k);
        bytes -= k[2];
        evictedRecords += k[3];
      }
      if (evict.length) await delMany(evict, db());
      return { evictedRecords, batches: all.length - evict.length, keys: add.map(([k]) => k) };
    },
    async oldest(url: string): Promise<StoredBatch | undefined> {
      for (const key of await allKeys()) {
        if (key[4] !== url) continue;
        const batch = await get<Batch>(key, db());
        if (batch) return { key, batch };
      }
      return undefined;
    },
    async remove(key: IDBValidKey): Promise<void> {
      await del(key, db());
    },
    async count(url: string): Promise<number> {
      return (await allKeys()).filter((k) => k[4] === url).length;
    },
  };
}
