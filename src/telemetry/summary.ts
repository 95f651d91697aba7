/**
 * Prediction summary windows: per backend, calls, rows, a fixed-bound latency histogram and
 * min/max/sum; errors by code; validation issues by column and code. Closing a window hands
 * the counts over and resets them.
 *
 * On the predict path a batch costs one store of its latency and row count into preallocated
 * typed arrays (no map lookup unless the backend changed, no histogram search); the histogram,
 * min, max and sums are built from that log when the window closes, or when the log fills
 * ({@link LOG_BATCHES} batches, a fold every few thousand batches).
 */
import type { IssueCode } from '../errors.js';
import { LATENCY_BUCKETS, histogramQuantile, latencyBucket } from './histogram.js';

/** One backend's predictions in one window. */
export interface BackendSummary {
  backend: string;
  calls: number;
  rows: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  /** Dense histogram over `LATENCY_BOUNDS`. */
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

/** Batches logged before they are folded into the histogram (64 KiB of log). */
export const LOG_BATCHES = 4096;

interface BackendState {
  calls: number;
  rows: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  histogram: Float64Array;
}

/** A prediction summary window. `empty` is true when nothing was recorded since the last close. */
export function createSummaryWindow() {
  const backends = new Map<string, BackendState>();
  const errors = new Map<string, number>();
  const issues = new Map<string, { column: string; code: IssueCode; count: number }>();
  let empty = true;
  // The log of batches not yet folded, all for `current` (a backend change folds first).
  const latencies = new Float64Array(LOG_BATCHES);
  const counts = new Float64Array(LOG_BATCHES);
  let logged = 0;
  let current: BackendState | undefined;
  let currentName: string | undefined;

  /** Adds the logged batches to `current`'s counts and empties the log. */
  function fold(): void {
    const s = current;
    if (!s) return;
    for (let i = 0; i < logged; i++) {
      const ms = latencies[i]!;
      const count = counts[i]!;
      s.calls++;
      s.rows += count;
      s.sumMs += ms;
      if (ms < s.minMs) s.minMs = ms;
      if (ms > s.maxMs) s.maxMs = ms;
      s.histogram[latencyBucket(ms)]!++;
    }
    logged = 0;
  }

  return {
    get empty() {
      return empty;
    },
    predicted(count: number, latencyMs: number, backend: string): void {
      if (backend !== currentName) {
        fold();
        current = backends.get(backend);
        if (!current) {
          current = { calls: 0, rows: 0, sumMs: 0, minMs: Infinity, maxMs: 0, histogram: new Float64Array(LATENCY_BUCKETS) };
          backends.set(backend, current);
        }
        currentName = backend;
      }
      // NaN, negative and infinite values count as 0 ms / 0 rows, as before the log existed.
      latencies[logged] = latencyMs >= 0 && latencyMs !== Infinity ? latencyMs : 0;
      counts[logged] = count > 0 && count !== Infinity ? count : 0;
      if (++logged === LOG_BATCHES) fold();
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
      current = undefined;
      currentName = undefined;
      errors.clear();
      issues.clear();
      empty = true;
      return out;
    },
  };
}
