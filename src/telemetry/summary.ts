/**
 * Prediction summary windows: per backend, calls, rows, a fixed-bound latency histogram and
 * min/max/sum; errors by code; validation issues by column and code. Closing a window hands
 * the counts over and resets them.
 *
 * Calls and rows are counted for every batch. Latency is timed for the batches the window's
 * latency sampler picks (./latency-sampler.ts: all of a window's first 1,024, then fewer), each
 * weighted by its Horvitz–Thompson weight, so the sum, histogram and percentiles are unbiased
 * estimates and exact while nothing was sampled; min/max are over the timed batches.
 *
 * On the predict path a batch costs two counter bumps, and a timed one a store of its latency
 * and weight into preallocated typed arrays (no map lookup unless the backend changed, no
 * histogram search); the histogram, min, max and sums are built from that log when the window
 * closes, or when the log fills ({@link LOG_BATCHES} timed batches).
 */
import type { IssueCode } from '../errors.js';
import { LATENCY_BUCKETS, histogramQuantile, latencyBucket } from './histogram.js';
import { createLatencySampler } from './latency-sampler.js';

/** One backend's predictions in one window. */
export interface BackendSummary {
  backend: string;
  calls: number;
  rows: number;
  /** Batches whose latency was timed (`calls` unless the window sampled): the latency fields below come from them. */
  timed: number;
  /** Estimated (exact when `timed` = `calls`). */
  sumMs: number;
  /** Over the timed batches (`Infinity` and 0 when none was timed). */
  minMs: number;
  maxMs: number;
  /** Dense histogram over `LATENCY_BOUNDS`, timed batches weighted: its total estimates `calls`. */
  histogram: number[];
  p50: number;
  p95: number;
}

/** What one window held. */
export interface ClosedSummary {
  backends: BackendSummary[];
  errors: Array<{ code: string; count: number }>;
  issues: Array<{ column: string; code: IssueCode; count: number }>;
}

/** Timed batches logged before they are folded into the histogram (64 KiB of log). */
export const LOG_BATCHES = 4096;

interface BackendState {
  calls: number;
  rows: number;
  timed: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  histogram: Float64Array;
}

/**
 * A prediction summary window. `empty` is true when nothing was recorded since the last close.
 * @param random uniform [0, 1) source of the latency sampler (tests pass a seeded one).
 */
export function createSummaryWindow(random: () => number = Math.random) {
  const backends = new Map<string, BackendState>();
  const errors = new Map<string, number>();
  const issues = new Map<string, { column: string; code: IssueCode; count: number }>();
  let empty = true;
  const sampler = createLatencySampler(random);
  // The log of timed batches not yet folded, all for `current` (a backend change folds first).
  const latencies = new Float64Array(LOG_BATCHES);
  const weights = new Float64Array(LOG_BATCHES);
  let logged = 0;
  let current: BackendState | undefined;
  let currentName: string | undefined;

  /** Adds the logged batches to `current`'s counts and empties the log. */
  function fold(): void {
    const s = current;
    if (!s) return;
    for (let i = 0; i < logged; i++) {
      const ms = latencies[i]!;
      const weight = weights[i]!;
      s.timed++;
      s.sumMs += weight * ms;
      if (ms < s.minMs) s.minMs = ms;
      if (ms > s.maxMs) s.maxMs = ms;
      s.histogram[latencyBucket(ms)]! += weight;
    }
    logged = 0;
  }

  return {
    get empty() {
      return empty;
    },
    /** The weight of the window's next batch if its latency is to be timed, 0 if not (./latency-sampler.ts). */
    sample(): number {
      return sampler.next();
    },
    /**
     * A batch of `count` rows on `backend`. `weight`: what its `latencyMs` stands for (from
     * `sample()`; 1: timed outside the sampler), 0 when it was not timed (`latencyMs` is ignored).
     */
    predicted(count: number, latencyMs: number, backend: string, weight = 1): void {
      if (backend !== currentName) {
        fold();
        current = backends.get(backend);
        if (!current) {
          current = { calls: 0, rows: 0, timed: 0, sumMs: 0, minMs: Infinity, maxMs: 0, histogram: new Float64Array(LATENCY_BUCKETS) };
          backends.set(backend, current);
        }
        currentName = backend;
      }
      const s = current!;
      s.calls++;
      // NaN, negative and infinite values count as 0 rows / 0 ms, as before the log existed.
      s.rows += count > 0 && count !== Infinity ? count : 0;
      if (weight > 0) {
        latencies[logged] = latencyMs >= 0 && latencyMs !== Infinity ? latencyMs : 0;
        weights[logged] = weight;
        if (++logged === LOG_BATCHES) fold();
      }
      empty = false;
    },
    failed(code: string): void {
      errors.set(code, (errors.get(code) ?? 0) + 1);
      empty = false;
    },
    issues(list: ReadonlyArray<{ column: string; code: IssueCode }>): void {
      for (const i of list) {
        const key = JSON.stringify([i.column, i.code]);
        const e = issues.get(key);
        if (e) e.count++;
        else issues.set(key, { column: i.column, code: i.code, count: 1 });
        empty = false;
      }
    },
    close(): ClosedSummary {
      fold();
      const out: ClosedSummary = {
        backends: [...backends].map(([backend, s]) => ({
          backend,
          calls: s.calls,
          rows: s.rows,
          timed: s.timed,
          sumMs: s.sumMs,
          minMs: s.minMs,
          maxMs: s.maxMs,
          histogram: [...s.histogram],
          p50: histogramQuantile(s.histogram, 0.5, s.minMs, s.maxMs) ?? 0,
          p95: histogramQuantile(s.histogram, 0.95, s.minMs, s.maxMs) ?? 0,
        })),
        errors: [...errors].map(([code, count]) => ({ code, count })),
        issues: [...issues.values()],
      };
      backends.clear();
      sampler.restart();
      current = undefined;
      currentName = undefined;
      errors.clear();
      issues.clear();
      empty = true;
      return out;
    },
  };
}
