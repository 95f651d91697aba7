// Summaries for interleaved measurements. Every comparison is run as alternating rounds
// (A B, B A, A B, …) in one process, so the headline figure is the median of the per-round
// ratios: machine noise that hits one round hits both variants of it.

/** Order statistics of one variant's samples (milliseconds unless the item says otherwise). */
export interface Summary {
  median: number;
  p10: number;
  p90: number;
  q1: number;
  q3: number;
  iqr: number;
  n: number;
}

/** A ratio between two interleaved variants: median and p10/p90 of the per-round ratios. */
export interface RatioSummary {
  ratio: number;
  p10: number;
  p90: number;
  rounds: number;
}

/** Quantile by linear interpolation between closest ranks (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/** Median, p10/p90, quartiles and IQR of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return { median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9), q1, q3, iqr: q3 - q1, n: s.length };
}

/**
 * Per-round ratio `num[i] / den[i]` summarised. Both arrays come from the same interleaved
 * rounds, so index i of each was measured back to back.
 */
export function pairedRatio(num: readonly number[], den: readonly number[]): RatioSummary {
  if (num.length !== den.length || num.length === 0) {
    throw new Error(`pairedRatio: need the same non-zero number of rounds, got ${num.length} and ${den.length}`);
  }
  const r = num.map((v, i) => v / den[i]!).sort((a, b) => a - b);
  return { ratio: quantile(r, 0.5), p10: quantile(r, 0.1), p90: quantile(r, 0.9), rounds: r.length };
}

/** Ratios already formed per round (e.g. per block of pairs) summarised like {@link pairedRatio}. */
export function ratioSummary(ratios: readonly number[]): RatioSummary {
  if (ratios.length === 0) throw new Error('ratioSummary: no rounds');
  const r = [...ratios].sort((a, b) => a - b);
  return { ratio: quantile(r, 0.5), p10: quantile(r, 0.1), p90: quantile(r, 0.9), rounds: r.length };
}

/** Rounds a number to `digits` significant digits for JSON and tables (keeps 0 and NaN). */
export function sig(x: number, digits = 4): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}

/** A Summary with every field rounded by {@link sig}. */
export function rounded<T extends object>(s: T): T {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? sig(v) : v])) as T;
}
