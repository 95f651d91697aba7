/**
 * The offline queue where there is no IndexedDB (Workers, Deno, Bun, Node): the same operations
 * and bounds as ./offline-queue.ts, held in this isolate's or process's memory. Batches wait there
 * for the next `flush()` (which retries them) or a later successful send; what is still held when
 * the telemetry is disposed is counted as dropped, since nothing outlives the isolate.
 */
import type { Batch } from './batcher.js';
import type { OfflineQueue, PutResult, StoredBatch } from './offline-queue.js';
import type { OfflineOptions } from './types.js';

interface Entry {
  key: number;
  url: string;
  batch: Batch;
}

/** An in-memory {@link OfflineQueue} with `maxBatches`/`maxBytes` bounds (oldest evicted first). */
export function createMemoryQueue(
  options: Pick<Required<OfflineOptions>, 'maxBatches' | 'maxBytes'>,
): OfflineQueue & { records(skip?: (id: string) => boolean): number } {
  let entries: Entry[] = [];
  let next = 0;
  return {
    kind: 'memory',
    async put(batches: readonly Batch[], url: string): Promise<PutResult> {
      let evictedRecords = 0;
      const keys: number[] = [];
      for (const batch of batches) {
        if (batch.bytes > options.maxBytes) evictedRecords += batch.records.length;
        else {
          keys.push(next);
          entries.push({ key: next++, url, batch });
        }
      }
      let bytes = entries.reduce((s, e) => s + e.batch.bytes, 0);
      let drop = 0;
      while (drop < entries.length && (entries.length - drop > options.maxBatches || bytes > options.maxBytes)) {
        const e = entries[drop++]!;
        bytes -= e.batch.bytes;
        evictedRecords += e.batch.records.length;
      }
      entries = entries.slice(drop);
      return { evictedRecords, batches: entries.length, keys };
    },
    async oldest(url: string): Promise<StoredBatch | undefined> {
      const e = entries.find((x) => x.url === url);
      return e && { key: e.key, batch: e.batch };
    },
    async remove(key: IDBValidKey): Promise<void> {
      entries = entries.filter((e) => e.key !== key);
    },
    async count(url: string): Promise<number> {
      return entries.filter((e) => e.url === url).length;
    },
    /** Records held, for the count of what is dropped at dispose; `skip`: batches (by id) counted already, copies of a sent one. */
    records: (skip: (id: string) => boolean = () => false) => entries.reduce((n, e) => n + (skip(e.batch.id) ? 0 : e.batch.records.length), 0),
  };
}
