/**
 * The fixed latency histogram shared by the SDK and the collector: because every client uses
 * the same bounds, windows from any number of clients merge by adding counts, and percentiles
 * of the merge are as good as those of one window.
 */

/** Names the bounds below on the wire (`ferryml.latency.bounds`), so a future change is detectable. */
export const LATENCY_BOUNDS_ID = 'sqrt2-10us';

/**
 * Upper bounds (exclusive) in ms: 0.01 · √2^k for k = 0…41, i.e. 10 µs to ~14.8 s, each bucket
 * ~41 % wider than the last. Bucket `i` holds `[BOUNDS[i-1], BOUNDS[i])`; bucket 0 starts at 0
 * and the last bucket (index `BOUNDS.length`) is open-ended.
 */
export const LATENCY_BOUNDS: readonly number[] = Array.from({ length: 42 }, (_, k) => Number((0.01 * 2 ** (k / 2)).toPrecision(6)));

/** Number of buckets (`LATENCY_BOUNDS.length + 1`). */
export const LATENCY_BUCKETS = LATENCY_BOUNDS.length + 1;

/** The bucket of a latency (lower-inclusive), by binary search. */
export function latencyBucket(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BOUNDS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms < (LATENCY_BOUNDS[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The `q` quantile (0…1) of a histogram, interpolating linearly inside the bucket that holds
 * the rank; clamped to the observed `[min, max]` when known. `null` for an empty histogram.
 */
export function histogramQuantile(counts: ArrayLike<number>, q: number, min = 0, max = Infinity): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  if (total === 0) return null;
  const rank = q * total;
  let before = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (c > 0 && before + c >= rank) {
      const lo = Math.max(i === 0 ? 0 : (LATENCY_BOUNDS[i - 1] as number), min);
      const hi = Math.min(LATENCY_BOUNDS[i] ?? max, max);
      if (!Number.isFinite(hi)) return lo;
      return Math.min(Math.max(lo + ((hi - lo) * (rank - before)) / c, min), max);
    }
    before += c;
  }
  return Math.min(max, LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1] as number);
}

/** Counts without leading and trailing empty buckets: `{ offset, counts }`, for the wire. */
export function trimHistogram(counts: ArrayLike<number>): { offset: number; counts: number[] } {
  let first = 0;
  let last = counts.length - 1;
  while (first <= last && counts[first] === 0) first++;
  while (last >= first && counts[last] === 0) last--;
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(counts[i] as number);
  return { offset: out.length ? first : 0, counts: out };
}

/** Adds a trimmed histogram into a dense one (the collector's merge). Ignores buckets past the end. */
export function addTrimmed(into: number[], offset: number, counts: readonly number[]): void {
  for (let i = 0; i < counts.length && offset + i < into.length; i++) into[offset + i] = (into[offset + i] as number) + (counts[i] as number);
}
