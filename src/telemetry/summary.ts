/**
 * Prediction summary windows: per backend, calls, rows, a fixed-bound latency histogram and
 * min/max/sum; errors by code; validation issues by column and code. Closing a window hands
 * the counts over and resets them; nothing per call is kept.
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

  return {
    get empty() {
      return empty;
    },
    predicted(count: number, latencyMs: number, backend: string): void {
      let s = backends.get(backend);
      if (!s) {
        s = { calls: 0, rows: 0, sumMs: 0, minMs: Infinity, maxMs: 0, histogram: new Float64Array(LATENCY_BUCKETS) };
        backends.set(backend, s);
      }
      const ms = Number.isFinite(latencyMs) && latencyMs >= 0 ? latencyMs : 0;
      s.calls++;
      s.rows += Number.isFinite(count) && count > 0 ? count : 0;
      s.sumMs += ms;
      if (ms < s.minMs) s.minMs = ms;
      if (ms > s.maxMs) s.maxMs = ms;
      s.histogram[latencyBucket(ms)]!++;
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
      errors.clear();
      issues.clear();
      empty = true;
      return out;
    },
  };
}
