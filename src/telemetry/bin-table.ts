/**
 * Exact baseline binning in O(1): the same bin as `baselineBin(edges, x)` (src/schema/bin.ts, the
 * count of edges <= x) from a lookup table over a uniform grid, then a forward scan of the one or
 * two edges near x. A binary search over decile edges takes ~4 data-dependent branches per value,
 * which mispredict on live data; counting four penguins columns this way took ~26 ns per row
 * against ~42 for the search (Node 20, this project's 2-core machine).
 *
 * Why it is exact: cell k covers [lo + k·w, lo + (k+1)·w), and `start[k]` is the bin of the point
 * one whole cell lower, lo + (k−1)·w. Any x that the float arithmetic puts in cell k lies above
 * that point by about a cell width (rounding moves it by ~1e-16 of its magnitude, and a cell is
 * kept wider than 1e-9 of it), so `start[k] <= baselineBin(edges, x)`; scanning forward while
 * `edges[b] <= x` then stops exactly at the count of edges <= x. Below and above the grid the
 * cell is clamped, which keeps the lower bound. Spans the grid cannot resolve (one edge, a span
 * that overflows or is too narrow for the magnitude) use the binary search.
 */
import { baselineBin } from '../schema/bin.js';
import { CAPTURE_SKIP } from '../schema/capture.js';

/** Grid cells per bin: enough that nearly every cell holds no edge, so the scan stops at once. */
const CELLS_PER_BIN = 32;

/** A compiled bin lookup for one edge list (see the module doc). */
export interface BinTable {
  edges: Float64Array;
  /** Lower bound of the bin, per grid cell; empty when the grid is not used. */
  start: Uint16Array;
  lo: number;
  /** Cells per unit of x. */
  scale: number;
  /** Last cell index. */
  last: number;
}

/** Compiles the lookup for ascending `edges` (a schema's baseline or bucketize edges). */
export function createBinTable(edges: readonly number[]): BinTable {
  const e = Float64Array.from(edges);
  const n = e.length;
  const lo = n > 0 ? e[0]! : 0;
  const cells = Math.min(65_535, (n + 1) * CELLS_PER_BIN);
  const scale = n > 1 ? cells / (e[n - 1]! - lo) : NaN;
  // A cell must be far wider than the rounding of values of this magnitude (~1e-16 of it).
  const magnitude = Math.max(Math.abs(lo), Math.abs(e[n - 1] ?? 0));
  const usable = n > 1 && n < 65_535 && Number.isFinite(scale) && scale > 0 && 1 / scale > 1e-9 * magnitude;
  const start = new Uint16Array(usable ? cells + 1 : 0);
  for (let k = 0; k < start.length; k++) start[k] = baselineBin(e, lo + (k - 1) / scale);
  return { edges: e, start, lo, scale, last: start.length - 1 };
}

/** What {@link countNumbers} adds to besides the bins: weighted counts, and values seen one by one. */
export interface NumberTally {
  missing: number;
  outOfRange: number;
  observed: number;
}

/**
 * Counts a run of captured numbers (src/schema/capture.ts: `NaN` missing, `CAPTURE_SKIP` no value),
 * each standing for `weight` values, into `counts[baselineBin(edges, x)]`, `tally.missing`, and
 * `tally.outOfRange` for values outside `[min, max]` (counted in their bin too), as a per-value
 * drift count would; `tally.observed` gets the number of values read.
 */
export function countNumbers(
  t: BinTable,
  values: Float64Array,
  from: number,
  to: number,
  weight: number,
  counts: Float64Array,
  min: number,
  max: number,
  tally: NumberTally,
): void {
  // Locals, not property reads per value: this loop is the whole cost of numeric drift.
  const { edges, start, lo, scale, last } = t;
  const n = edges.length;
  const grid = last >= 0;
  let missing = 0;
  let outside = 0;
  let binned = 0;
  for (let i = from; i < to; i++) {
    const x = values[i]!;
    if (x !== x) missing++;
    else if (x !== CAPTURE_SKIP) {
      if (x < min || x > max) outside++;
      let b: number;
      if (grid) {
        const k = (x - lo) * scale;
        b = start[k <= 0 ? 0 : k >= last ? last : k | 0]!;
        while (b < n && edges[b]! <= x) b++;
      } else b = baselineBin(edges, x);
      counts[b]! += weight;
      binned++;
    }
  }
  tally.missing += missing * weight;
  tally.outOfRange += outside * weight;
  tally.observed += missing + binned;
}
