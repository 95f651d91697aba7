/**
 * One column's drift counts, and the two ways values reach them: one parsed value at a time
 * (`countValue`, the ValueObserver contract) or a run of captured values (`countRun`, the layout
 * of src/schema/capture.ts). Both give the same counts for the same values; the run does it in
 * one typed loop: category indices the encoder already found (no second Map lookup), numbers by
 * the bin table (./bin-table.ts) instead of a binary search.
 */
import { baselineBin } from '../schema/bin.js';
import { captureCategories } from '../schema/capture-categories.js';
import { CAPTURE_SKIP } from '../schema/capture.js';
import type { ColumnSchema } from '../schema/types.js';
import type { CategoryValue } from '../schema/values.js';
import { countNumbers, createBinTable } from './bin-table.js';
import type { BinTable } from './bin-table.js';
import { expectedShares } from './psi.js';

/** How `countRun` reads a column: numbers to bin, category indices to remap, or value by value. */
const NUMBERS = 0;
const CODES = 1;
const DECODE = 2;

/** Counts of one column in the open window (estimates once rows are sampled: see ./drift-sampler.ts). */
export interface ColumnCounts {
  feature: string;
  kind: 'numeric' | 'categorical';
  expected: number[];
  /** Per baseline bin or category. Float64Array: exact far past 2^32, no allocation per value. */
  counts: Float64Array;
  missing: number;
  unknown: number;
  outOfRange: number;
  /** Values counted one by one (each counted value adds its weight to the counts above). */
  observed: number;
  edges: readonly number[];
  bins: BinTable;
  categories: Map<CategoryValue, number>;
  read: typeof NUMBERS | typeof CODES | typeof DECODE;
  /** Captured category index → baseline index (−1: not in the baseline, counted as unknown). */
  remap: Int32Array;
  /** What captured indices refer to (see captureCategories). */
  decode: readonly CategoryValue[] | undefined;
  /** The training range of a number column, as the transform flags out-of-range values. */
  lo: number;
  hi: number;
}

/** The counts of `column`, or undefined when it has no baseline (or is an image, which never reports values). */
export function columnCounts(column: ColumnSchema): ColumnCounts | undefined {
  const b = column.baseline;
  if (!b || column.type === 'image') return undefined;
  const categories = new Map<CategoryValue, number>(b.kind === 'categorical' ? b.categories.map((c, i) => [c, i] as const) : []);
  const decode = captureCategories(column);
  const range = column.type === 'number' ? column.range : undefined;
  const edges = b.kind === 'numeric' ? b.edges : [];
  return {
    feature: column.name,
    kind: b.kind,
    expected: expectedShares(b),
    counts: new Float64Array(b.shares.length),
    missing: 0,
    unknown: 0,
    outOfRange: 0,
    observed: 0,
    edges,
    bins: createBinTable(edges),
    categories,
    // The two shapes fitSchema writes get typed loops; any other decodes and counts value by value.
    read: decode === undefined && b.kind === 'numeric' ? NUMBERS : decode !== undefined && b.kind === 'categorical' && !range ? CODES : DECODE,
    remap: Int32Array.from(decode ?? [], (c) => categories.get(c) ?? -1),
    decode,
    lo: range?.min ?? -Infinity,
    hi: range?.max ?? Infinity,
  };
}

/** Counts one parsed value (`null` = missing) with the transform's flag, `weight` times. */
export function countValue(s: ColumnCounts, value: number | string | boolean | null, flag?: 'unknown' | 'out_of_range', weight = 1): void {
  s.observed++;
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) {
    s.missing += weight;
    return;
  }
  if (flag === 'unknown') {
    s.unknown += weight;
    return;
  }
  if (flag === 'out_of_range') s.outOfRange += weight;
  if (s.kind === 'numeric') {
    const x = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    if (typeof x !== 'number') {
      s.unknown += weight;
      return;
    }
    // The schema's own binning (lower-inclusive), so live counts compare like with like with its shares.
    s.counts[baselineBin(s.edges, x)]! += weight;
  } else {
    const i = s.categories.get(value);
    if (i === undefined) s.unknown += weight;
    else s.counts[i]! += weight;
  }
}

/** Counts captured values `values[from…to)` of this column, each standing for `weight` values. */
export function countRun(s: ColumnCounts, values: Float64Array, from: number, to: number, weight: number): void {
  const { counts, remap, lo, hi, decode } = s;
  if (s.read === NUMBERS) return countNumbers(s.bins, values, from, to, weight, counts, lo, hi, s);
  if (s.read === CODES) {
    let missing = 0;
    let unknown = 0;
    let seen = 0;
    for (let i = from; i < to; i++) {
      const x = values[i]!;
      if (x === CAPTURE_SKIP) continue;
      seen++;
      const j = x !== x ? -2 : x < 0 ? -1 : remap[x | 0]!;
      if (j >= 0) counts[j]! += weight;
      else if (j === -1) unknown++;
      else missing++;
    }
    s.missing += missing * weight;
    s.unknown += unknown * weight;
    s.observed += seen;
    return;
  }
  for (let i = from; i < to; i++) {
    const x = values[i]!;
    if (x !== x) countValue(s, null, undefined, weight);
    else if (x < 0 && decode) countValue(s, '', 'unknown', weight);
    else if (x !== CAPTURE_SKIP) {
      const v = decode ? decode[x]! : x;
      countValue(s, v, typeof v === 'number' && (v < lo || v > hi) ? 'out_of_range' : undefined, weight);
    }
  }
}
