/**
 * The bounded ingest queue: requests hand over parsed groups and wait; one writer at a time drains
 * the queue on `setImmediate`, so records that arrived meanwhile share one SQLite transaction or
 * one ClickHouse insert. A request is answered only after the store acknowledged its rows, so
 * every 200 is stored.
 */
import type { ParsedGroup } from './otlp-parse.js';
import type { Store } from './store-api.js';

interface Item {
  groups: ParsedGroup[];
  records: number;
  resolve: (duplicateGroups: number) => void;
  reject: (error: unknown) => void;
}

/** The queue; `enqueue` returns `undefined` when it is full (answer 429). */
export function createIngestQueue(store: Store, limits: { maxRecords: number; writeBatchRecords: number }) {
  let items: Item[] = [];
  let records = 0;
  let scheduled = false;
  let writing: Promise<void> | undefined;

  async function drain(): Promise<void> {
    scheduled = false;
    if (items.length === 0) return;
    let n = 0;
    let take = 0;
    while (take < items.length && (take === 0 || n + (items[take] as Item).records <= limits.writeBatchRecords)) n += (items[take++] as Item).records;
    const batch = items.slice(0, take);
    items = items.slice(take);
    records -= n;
    try {
      const fresh = await store.write(batch.flatMap((i) => i.groups));
      let k = 0;
      for (const item of batch) {
        let duplicates = 0;
        for (let g = 0; g < item.groups.length; g++) if (!fresh[k++]) duplicates++;
        item.resolve(duplicates);
      }
    } catch (e) {
      for (const item of batch) item.reject(e);
    }
  }

  function run(): void {
    writing = drain().finally(() => {
      writing = undefined;
      if (items.length) schedule();
    });
  }

  function schedule(): void {
    if (scheduled || writing) return;
    scheduled = true;
    setImmediate(run);
  }

  return {
    /** Records waiting to be written. */
    get size() {
      return records;
    },
    /** Resolves with the number of duplicate groups (already stored batch ids) once committed. */
    enqueue(groups: ParsedGroup[], count: number): Promise<number> | undefined {
      if (records > 0 && records + count > limits.maxRecords) return undefined;
      return new Promise<number>((resolve, reject) => {
        items.push({ groups, records: count, resolve, reject });
        records += count;
        schedule();
      });
    },
    /** Writes everything still queued (on shutdown). */
    async flushAll(): Promise<void> {
      while (writing || items.length) await (writing ?? drain());
    },
  };
}
