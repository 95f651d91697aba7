/**
 * The statistics scikit-learn 1.2 / numpy 1.24 compute when fitting, reproduced operation by
 * operation in float64 so fitted values agree to the last bits where the algorithm allows.
 */
import { compareValues } from './values.js';
import type { CategoryValue } from './values.js';

/**
 * numpy's pairwise summation of one contiguous column (`pairwise_sum` in numpy's loops_utils.h),
 * what `np.sum` / `np.nansum` / a masked sum along axis 0 of an (n, 1) array computes: under 8
 * values one by one; up to 128 in 8 interleaved partial sums; above, the two halves (split at a
 * multiple of 8) summed apart. A sequential sum differs in the last bits.
 */
export function pairwiseSum(xs: readonly number[], start = 0, n = xs.length): number {
  let i = 0;
  let sum = 0;
  if (n < 8) for (; i < n; i++) sum += xs[start + i]!;
  else if (n <= 128) {
    const r = xs.slice(start, start + 8);
    for (i = 8; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = r[j]! + xs[start + i + j]!;
    sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) sum += xs[start + i]!;
  } else {
    const half = Math.floor(n / 2) - (Math.floor(n / 2) % 8);
    sum = pairwiseSum(xs, start, half) + pairwiseSum(xs, start + half, n - half);
  }
  return sum;
}

/**
 * Arithmetic mean (`SimpleImputer(strategy="mean")`: `np.ma.mean` sums the column with 0 for each
 * missing value, then divides by the count of the others).
 * @param count how many of `xs` are values (the rest are the zeros standing for missing ones).
 */
export function mean(xs: readonly number[], count = xs.length): number {
  return pairwiseSum(xs) / count;
}

/**
 * StandardScaler's fit: mean and population variance (ddof 0) by sklearn's corrected two-pass
 * algorithm (`_incremental_mean_and_var`), and `scale` = sqrt(var), or 1 for a feature sklearn's
 * `_is_constant_feature` calls constant (var <= n·eps·var + (n·mean·eps)²).
 */
export function standardize(xs: readonly number[]): { mean: number; scale: number } {
  const n = xs.length;
  const m = mean(xs);
  const d = xs.map((x) => x - m);
  const correction = pairwiseSum(d);
  const squares = pairwiseSum(d.map((x) => x * x));
  const variance = (squares - (correction * correction) / n) / n;
  const eps = Number.EPSILON;
  // Plain multiplication, not `**`: bit-identical results must not depend on an engine's pow().
  const bound = n * m * eps;
  const constant = variance <= n * eps * variance + bound * bound;
  return { mean: m, scale: constant ? 1 : Math.sqrt(variance) };
}

/**
 * MinMaxScaler's fit for `feature_range = [lo, hi]`: `scale = (hi - lo) / range` with a range under
 * 10·eps treated as 1 (`_handle_zeros_in_scale`), `offset = lo - min · scale`.
 */
export function minmax(xs: readonly number[], lo = 0, hi = 1): { scale: number; offset: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const range = max - min;
  const scale = (hi - lo) / (range < 10 * Number.EPSILON ? 1 : range);
  return { scale, offset: lo - min * scale };
}

/** Ascending copy (numbers only). */
export function sorted(xs: readonly number[]): Float64Array {
  return Float64Array.from(xs).sort();
}

/** Median of sorted values: the middle one, or the two middle ones summed and halved (np.ma.median). */
export function median(s: Float64Array): number {
  const n = s.length;
  const h = n >> 1;
  return n % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * `np.percentile(x, q)` with numpy's default "linear" method, for `q` in 0..100: virtual index
 * `(n-1)·q/100`, then numpy's `_lerp` (which interpolates from the upper neighbour when gamma >= 0.5).
 */
export function percentile(s: Float64Array, q: number): number {
  const n = s.length;
  const vi = (n - 1) * (q / 100);
  if (vi >= n - 1) return s[n - 1]!;
  if (vi < 0) return s[0]!;
  const prev = Math.floor(vi);
  const a = s[prev]!;
  const b = s[prev + 1]!;
  const gamma = vi - prev;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** `np.linspace(start, stop, num)` (endpoint included), with numpy's arithmetic. */
export function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  const out = Array.from({ length: num }, (_, i) => (step === 0 ? (i / div) * delta : i * step) + start);
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * KBinsDiscretizer's fitted `bin_edges_` (all edges, min and max included) for sorted values.
 * Constant feature: one bin (`[-inf, inf]`). Quantile: numpy percentiles, then bins of width
 * <= 1e-8 removed as sklearn 1.2 does (`ediff1d(edges, to_begin=inf) > 1e-8`).
 */
export function binEdges(s: Float64Array, bins: number, strategy: 'uniform' | 'quantile'): number[] {
  const min = s[0]!;
  const max = s[s.length - 1]!;
  if (min === max) return [-Infinity, Infinity];
  if (strategy === 'uniform') return linspace(min, max, bins + 1);
  const edges = linspace(0, 100, bins + 1).map((q) => percentile(s, q));
  return edges.filter((e, i) => i === 0 || e - edges[i - 1]! > 1e-8);
}

/**
 * The most frequent value; ties go to the smallest (sklearn's `_most_frequent`, which uses
 * `min()` over tied values for object columns and scipy's mode, smallest first, for numbers).
 */
export function mostFrequent(xs: readonly CategoryValue[]): CategoryValue {
  const counts = new Map<CategoryValue, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best: CategoryValue | undefined;
  let bestCount = 0;
  for (const [value, count] of counts)
    if (count > bestCount || (count === bestCount && best !== undefined && compareValues(value, best) < 0)) {
      best = value;
      bestCount = count;
    }
  return best!;
}

/** Sorted unique values, as `np.unique` orders them (OneHotEncoder/OrdinalEncoder `categories="auto"`). */
export function uniqueSorted(xs: readonly CategoryValue[]): CategoryValue[] {
  return [...new Set(xs)].sort(compareValues);
}
