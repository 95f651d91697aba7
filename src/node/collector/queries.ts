/**
 * The read API's arithmetic over the rows a store (`store-api.ts`) selects: sums, histogram merges and PSI
 * happen here in plain TypeScript with the SDK's own histogram and PSI code, so client and
 * server agree exactly, and SQLite and ClickHouse give the same answers.
 */
import { LATENCY_BUCKETS, addTrimmed, histogramQuantile } from '../../telemetry/histogram.js';
import { driftStatus, psi } from '../../telemetry/psi.js';
import type { EventRow, Range } from './store-api.js';

export type { Range };

type Row = EventRow;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : 0);
const arr = (v: unknown): number[] => {
  try {
    const a = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
    return Array.isArray(a) ? a.map(num) : [];
  } catch {
    return [];
  }
};

/** A latency aggregate: merged histogram and its percentiles. */
export function latencyOf(rows: Row[]) {
  const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
  let calls = 0;
  let rowsN = 0;
  let sum = 0;
  let min = Infinity;
  let max = 0;
  for (const r of rows) {
    calls += num(r.calls);
    rowsN += num(r.rows);
    sum += num(r.sumMs);
    if (r.minMs != null) min = Math.min(min, num(r.minMs));
    max = Math.max(max, num(r.maxMs));
    addTrimmed(hist, num(r.offset), arr(r.counts));
  }
  const q = (p: number) => histogramQuantile(hist, p, Number.isFinite(min) ? min : 0, max || Infinity);
  return {
    calls,
    rows: rowsN,
    meanMs: calls ? sum / calls : null,
    minMs: Number.isFinite(min) ? min : null,
    maxMs: calls ? max : null,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    histogram: hist,
  };
}

export const SUMMARY_FIELDS = {
  backend: 'ferryml.backend',
  calls: 'ferryml.predict.calls',
  rows: 'ferryml.predict.rows',
  sumMs: 'ferryml.latency.sum_ms',
  minMs: 'ferryml.latency.min_ms',
  maxMs: 'ferryml.latency.max_ms',
  offset: 'ferryml.latency.offset',
  counts: 'ferryml.latency.counts',
};

export const DRIFT_FIELDS = {
  feature: 'ferryml.feature',
  kind: 'ferryml.drift.kind',
  counts: 'ferryml.drift.counts',
  expected: 'ferryml.drift.expected',
  outOfRange: 'ferryml.drift.out_of_range',
  minRows: 'ferryml.drift.min_rows',
  observed: 'ferryml.drift.rows_observed',
  weight: 'ferryml.drift.sample_weight',
};

/**
 * Newest version first (numeric-aware: 1.10.0 after 1.9.0), records without a version last.
 * Drift is only comparable within one version: each version has its own schema and baseline.
 */
export function compareVersions(a: string | null, b: string | null): number {
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  return b.localeCompare(a, 'en', { numeric: true });
}

/**
 * Drift per model version and feature: counts merged across clients and windows, PSI of the
 * merge. A feature appears once per version (and once more only if a client sent a different
 * baseline for the same version, which the schema hash then tells apart); newest version
 * first, features in the order the windows list them. Windows whose rows were sampled carry
 * unbiased (weighted) counts, which merge by addition like exact ones; PSI needs `minRows`
 * values actually observed (`rows_observed`; a record without it observed all its rows).
 */
export function mergeDrift(rows: Row[], defaultMinRows: number) {
  const groups = new Map<
    string,
    {
      version: string | null;
      feature: string;
      kind: string;
      schemaHash: string | null;
      expected: number[];
      counts: number[];
      outOfRange: number;
      observed: number;
      sampled: boolean;
      minRows: number;
      windows: number;
      sessions: Set<unknown>;
    }
  >();
  for (const r of rows) {
    const expected = arr(r.expected);
    // A TEXT column: SQLite and ClickHouse hand back a string (a bare number if one was written so).
    const version = r.version == null ? null : (r.version as string | number).toString();
    const key = JSON.stringify([version, r.feature, r.schemaHash, expected]);
    let g = groups.get(key);
    if (!g) {
      g = {
        version,
        feature: String(r.feature),
        kind: String(r.kind),
        schemaHash: typeof r.schemaHash === 'string' ? r.schemaHash : r.schemaHash == null ? null : JSON.stringify(r.schemaHash),
        expected,
        counts: new Array<number>(expected.length).fill(0),
        outOfRange: 0,
        observed: 0,
        sampled: false,
        minRows: 0,
        windows: 0,
        sessions: new Set(),
      };
      groups.set(key, g);
    }
    let rowsN = 0;
    arr(r.counts).forEach((c, i) => {
      if (i >= g.counts.length) return;
      g.counts[i] = (g.counts[i] as number) + c;
      rowsN += c;
    });
    const observed = r.observed == null ? rowsN : num(r.observed);
    g.observed += observed;
    g.sampled ||= observed < rowsN || num(r.weight) > 1;
    g.outOfRange += num(r.outOfRange);
    g.minRows = Math.max(g.minRows, num(r.minRows));
    g.windows++;
    g.sessions.add(r.session);
  }
  // Array.prototype.sort is stable: within a version the first-seen (schema) order stays.
  return [...groups.values()]
    .sort((a, b) => compareVersions(a.version, b.version))
    .map((g) => {
      const rowsN = g.counts.reduce((a, b) => a + b, 0);
      const minRows = g.minRows || defaultMinRows;
      const value = g.observed >= minRows ? psi(g.expected, g.counts) : null;
      return {
        version: g.version,
        feature: g.feature,
        kind: g.kind,
        schemaHash: g.schemaHash,
        rows: rowsN,
        rowsObserved: g.observed,
        sampled: g.sampled,
        minRows,
        psi: value,
        status: value === null ? 'insufficient' : driftStatus(value),
        counts: g.counts,
        expected: g.expected,
        missing: g.counts[g.counts.length - 2] ?? 0,
        unknown: g.counts[g.counts.length - 1] ?? 0,
        outOfRange: g.outOfRange,
        windows: g.windows,
        clients: g.sessions.size,
      };
    });
}

/** Sums `count` attributes grouped by a key function. */
export function sumBy(rows: Row[], key: (r: Row) => string, count: (r: Row) => number = (r) => num(r.count)): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + count(r);
  return out;
}

export { num, arr };
