/**
 * A {@link KvTransaction} for stores without transactions of their own (the Cache API store,
 * ../node/cache/fs-store.ts): the body's writes are staged and read back by the body itself, and
 * the store applies them after the body succeeds, in the order the body made them — the order the
 * cache layer relies on (blobs before the record naming them, records deleted before blobs).
 */
import type { KvTransaction } from './kv-store.js';

/** What the store reads outside the staged writes. */
export interface StagedSource {
  read(key: string): Promise<unknown>;
  exists(key: string): Promise<boolean>;
  /** Stored keys starting with `prefix` (a superset is fine: entries whose value is gone are left out). */
  keys(prefix: string): Promise<Iterable<string>>;
}

/** One staged write: a value to put, or `null` to delete. */
export type StagedOp = { value: unknown } | null;

/** The transaction over `source`, and `writes()`: the last op per key, in the order the body staged them. */
export function stagedTransaction(mode: IDBTransactionMode, source: StagedSource): { tx: KvTransaction; writes: () => Array<[string, StagedOp]> } {
  const staged = new Map<string, StagedOp>();
  const order: string[] = [];
  const stage = (key: string, op: StagedOp) => {
    if (mode === 'readonly') throw new DOMException('readonly transaction', 'ReadOnlyError');
    staged.set(key, op);
    order.push(key);
  };
  const get = async (key: string) => {
    const s = staged.get(key);
    return s !== undefined ? s?.value : source.read(key);
  };
  const visible = async (prefix: string) => {
    const all = new Set(await source.keys(prefix));
    for (const [k, s] of staged) {
      if (s) all.add(k);
      else all.delete(k);
    }
    return [...all].filter((k) => k.startsWith(prefix)).sort();
  };
  const tx: KvTransaction = {
    get: async <V>(key: string) => (await get(key)) as V | undefined,
    has: async (key) => {
      const s = staged.get(key);
      return s !== undefined ? s !== null : source.exists(key);
    },
    // A listed key whose value is gone (evicted by the platform, collected by another process, a
    // write cut short) is left out.
    entries: async <V>(prefix: string) =>
      (
        await Promise.all(
          (await visible(prefix)).map(async (k): Promise<[string, V] | undefined> => {
            const v = await get(k);
            return v === undefined ? undefined : [k, v as V];
          }),
        )
      ).filter((e): e is [string, V] => e !== undefined),
    keys: visible,
    put: (key, value) => stage(key, { value }),
    del: (key) => stage(key, null),
  };
  const writes = () => order.filter((key, i) => order.lastIndexOf(key) === i).map((k): [string, StagedOp] => [k, staged.get(k) ?? null]);
  return { tx, writes };
}
