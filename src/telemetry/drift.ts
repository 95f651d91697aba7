/**
 * Drift windows: per column, counts of observed values in the bins (or categories) of the
 * schema's training baseline, plus missing / unknown / out-of-range counts. Counts are what
 * travel (they merge across clients by addition); PSI is scored only past a minimum row count.
 */
import { baselineBin } from '../schema/bin.js';
import type { Schema } from '../schema/types.js';
import { expectedShares, psi } from './psi.js';
import type { ValueObserver } from './types.js';

/** One closed window of one feature. `counts` is laid out as `[...bins, missing, unknown]`. */
export interface DriftWindow {
  feature: string;
  kind: 'numeric' | 'categorical';
  counts: number[];
  /** Values outside the column's training `range` (also counted in their bin). */
  outOfRange: number;
  rows: number;
  /** Baseline shares in the layout of `counts` (see `expectedShares`). */
  expected: number[];
  /** `null` while `rows` is under the minimum. */
  psi: number | null;
}

interface ColumnState {
  feature: string;
  kind: 'numeric' | 'categorical';
  edges: readonly number[];
  categories: Map<string | number | boolean, number>;
  expected: number[];
  /** Float64Array: counts stay exact far past 2^32 and the hot path does not allocate. */
  counts: Float64Array;
  missing: number;
  unknown: number;
  outOfRange: number;
}

/** Drift counting over the columns of `schema` that have a baseline; `observe` is undefined when none has. */
export function createDriftWindows(schema: Schema, minRows: number): { observe: ValueObserver | undefined; close(): DriftWindow[] } {
  const states: Array<ColumnState | undefined> = schema.columns.map((column) => {
    const b = column.baseline;
    if (!b) return undefined;
    return {
      feature: column.name,
      kind: b.kind,
      edges: b.kind === 'numeric' ? b.edges : [],
      categories: new Map(b.kind === 'categorical' ? b.categories.map((c, i) => [c, i] as const) : []),
      expected: expectedShares(b),
      counts: new Float64Array(b.shares.length),
      missing: 0,
      unknown: 0,
      outOfRange: 0,
    };
  });
  const any = states.some((s) => s !== undefined);

  const observe: ValueObserver = (column, value, flag) => {
    const s = states[column];
    if (s === undefined) return;
    if (value === null || (typeof value === 'number' && Number.isNaN(value))) {
      s.missing++;
      return;
    }
    if (flag === 'unknown') {
      s.unknown++;
      return;
    }
    if (flag === 'out_of_range') s.outOfRange++;
    if (s.kind === 'numeric') {
      const x = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      if (typeof x !== 'number') {
        s.unknown++;
        return;
      }
      // The schema's own binning (lower-inclusive), so live counts compare like with like with its shares.
      s.counts[baselineBin(s.edges, x)]!++;
    } else {
      const i = s.categories.get(value);
      if (i === undefined) s.unknown++;
      else s.counts[i]!++;
    }
  };

  const close = (): DriftWindow[] => {
    const out: DriftWindow[] = [];
    for (const s of states) {
      if (!s) continue;
      const counts = [...s.counts, s.missing, s.unknown];
      const rows = counts.reduce((a, b) => a + b, 0);
      if (rows === 0) continue;
      out.push({
        feature: s.feature,
        kind: s.kind,
        counts,
        outOfRange: s.outOfRange,
        rows,
        expected: s.expected,
        psi: rows >= minRows ? psi(s.expected, counts) : null,
      });
      s.counts.fill(0);
      s.missing = s.unknown = s.outOfRange = 0;
    }
    return out;
  };

  return { observe: any ? observe : undefined, close };
}
