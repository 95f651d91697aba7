/**
 * The bounded memory queue of encoded records and the cut into batches by count and bytes.
 * Records are JSON strings already, so a batch's size is known without encoding it again.
 */
import { utf8Length } from './otlp.js';

/** A batch ready to send: encoded records under one idempotency key. */
export interface Batch {
  /** Idempotency key (`ferryml.batch.id`); a split batch's halves get `-a` / `-b`. */
  id: string;
  /** The `Resource` JSON the records belong to (kept with the batch, so a stored batch is self-contained). */
  resource: string;
  records: string[];
  /** Sum of the records' UTF-8 sizes. */
  bytes: number;
  /** Already split once after a 413. */
  split: boolean;
}

/** The memory queue; `push` returns false when the record was dropped (queue full). */
export function createBatcher(limits: { maxRecords: number; maxBytes: number; maxQueue: number }) {
  let records: string[] = [];
  let sizes: number[] = [];
  let bytes = 0;

  return {
    get length() {
      return records.length;
    },
    get bytes() {
      return bytes;
    },
    /** True when a batch is due by count or bytes. */
    get due() {
      return records.length >= limits.maxRecords || bytes >= limits.maxBytes;
    },
    /** `bounded: false` for window records: a handful per window, and what the dashboards are made of. */
    push(record: string, size = utf8Length(record), bounded = true): boolean {
      if (bounded && records.length >= limits.maxQueue) return false;
      records.push(record);
      sizes.push(size);
      bytes += size;
      return true;
    },
    /** Removes and returns up to `maxRecords` records / `maxBytes` bytes (at least one record). */
    take(): { records: string[]; bytes: number } | undefined {
      if (records.length === 0) return undefined;
      let n = 0;
      let b = 0;
      while (n < records.length && n < limits.maxRecords && (n === 0 || b + (sizes[n] as number) <= limits.maxBytes)) {
        b += sizes[n] as number;
        n++;
      }
      const out = records.slice(0, n);
      records = records.slice(n);
      sizes = sizes.slice(n);
      bytes -= b;
      return { records: out, bytes: b };
    },
  };
}
