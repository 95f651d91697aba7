/**
 * The LogRecords ferryml sends, one builder per event. Attribute names are the wire contract
 * (README "Telemetry events"); the collector and the ClickHouse queries read exactly these.
 */
import type { DriftWindow } from './drift.js';
import { LATENCY_BOUNDS_ID, trimHistogram } from './histogram.js';
import { SEVERITY, anyValue, dbl, dbls, encodeRecord, int, ints, str } from './otlp.js';
import type { KeyValue } from './otlp.js';
import { driftStatus } from './psi.js';
import type { ClosedSummary } from './summary.js';
import type { DropReason, ModelLoadedEvent } from './types.js';

/**
 * Ids of a record: the session's trace id, the window's span id, and the record's sequence number
 * in the session (`ferryml.seq`): `(session.id, ferryml.seq)` identifies a record across retries
 * and splits, so stores without batch dedupe (ClickHouse) can drop duplicates at query time.
 */
export interface RecordIds {
  traceId: string;
  spanId: string;
  seq: () => number;
}

const record = (event: string, severity: number, timeMs: number, ids: RecordIds, attributes: KeyValue[]) =>
  encodeRecord({ event, severity, timeMs, traceId: ids.traceId, spanId: ids.spanId, attributes: [int('ferryml.seq', ids.seq()), ...attributes] });

/** What a load record may carry beyond codes (README "Privacy defaults"). */
export interface LoadDetails {
  /** The adapter description (`telemetry.deviceDetails`). */
  deviceDetails: boolean;
  /** Rejections' free text (`telemetry.rejectionText`). */
  rejectionText: boolean;
}

/** `ferryml.model.load`: codes only unless the app opted in to details. */
export function loadRecord(e: ModelLoadedEvent, timeMs: number, ids: RecordIds, details: LoadDetails = { deviceDetails: false, rejectionText: false }): string {
  const attrs = [
    str('ml.model.version', e.version),
    str('ferryml.load.source', e.source),
    int('ferryml.load.bytes', e.bytes),
    dbl('ferryml.load.ms', e.ms),
    str('ferryml.backend', e.backend),
  ];
  if (e.fallbackCode) attrs.push(str('ferryml.load.fallback', e.fallbackCode));
  if (e.rejected?.length) {
    attrs.push({
      key: 'ferryml.backend.rejected',
      value: {
        arrayValue: {
          values: e.rejected.map((r) =>
            anyValue({ backend: r.backend, code: r.code ?? 'UNSPECIFIED', ...(details.rejectionText ? { reason: r.reason } : {}) }),
          ),
        },
      },
    });
  }
  if (e.engine) attrs.push(str('ferryml.engine', e.engine));
  if (e.timings) attrs.push({ key: 'ferryml.load.timings', value: anyValue(e.timings) });
  if (e.adapter && details.deviceDetails) attrs.push({ key: 'ferryml.adapter', value: anyValue(e.adapter) });
  return record('ferryml.model.load', SEVERITY.INFO, timeMs, ids, attrs);
}

/** `ferryml.predict.summary` (one per backend), `ferryml.predict.error` and `ferryml.validation.issue` records of one window. */
export function summaryRecords(s: ClosedSummary, windowMs: number, timeMs: number, ids: RecordIds): string[] {
  const out: string[] = [];
  for (const b of s.backends) {
    const h = trimHistogram(b.histogram);
    const attrs = [
      str('ferryml.backend', b.backend),
      int('ferryml.window.ms', windowMs),
      int('ferryml.predict.calls', b.calls),
      int('ferryml.predict.rows', b.rows),
      // Sampling is stated, never hidden: past a window's first EXACT_BATCHES batches only some are
      // timed (./latency-sampler.ts); sum, counts and percentiles are estimates whenever timed < calls.
      int('ferryml.latency.timed', b.timed),
      dbl('ferryml.latency.sum_ms', b.sumMs),
    ];
    // A backend none of whose batches was timed has no min, max or percentiles to state.
    if (b.timed > 0) {
      attrs.push(
        dbl('ferryml.latency.min_ms', b.minMs),
        dbl('ferryml.latency.max_ms', b.maxMs),
        dbl('ferryml.latency.p50_ms', b.p50),
        dbl('ferryml.latency.p95_ms', b.p95),
      );
    }
    attrs.push(str('ferryml.latency.bounds', LATENCY_BOUNDS_ID), int('ferryml.latency.offset', h.offset), ints('ferryml.latency.counts', h.counts));
    out.push(record('ferryml.predict.summary', SEVERITY.INFO, timeMs, ids, attrs));
  }
  for (const e of s.errors) {
    out.push(
      record('ferryml.predict.error', SEVERITY.ERROR, timeMs, ids, [
        str('ferryml.error.code', e.code),
        int('ferryml.error.count', e.count),
        int('ferryml.window.ms', windowMs),
      ]),
    );
  }
  for (const i of s.issues) {
    out.push(
      record('ferryml.validation.issue', SEVERITY.WARN, timeMs, ids, [
        str('ferryml.column', i.column),
        str('ferryml.issue.code', i.code),
        int('ferryml.issue.count', i.count),
        int('ferryml.window.ms', windowMs),
      ]),
    );
  }
  return out;
}

/**
 * `ferryml.drift.window`, one per feature with rows in the window; with `event`
 * `ferryml.output.window`, the same fields for a watched output (`class`, `confidence`, a value).
 */
export function driftRecord(w: DriftWindow, minRows: number, windowMs: number, timeMs: number, ids: RecordIds, event = 'ferryml.drift.window'): string {
  const attrs = [
    str('ferryml.feature', w.feature),
    str('ferryml.drift.kind', w.kind),
    int('ferryml.drift.rows', w.rows),
    // Sampling is stated, never hidden: rows is an estimate whenever rows_observed < rows.
    int('ferryml.drift.rows_observed', w.observed),
    int('ferryml.drift.sample_weight', w.weight),
    int('ferryml.drift.min_rows', minRows),
    int('ferryml.drift.out_of_range', w.outOfRange),
    ints('ferryml.drift.counts', w.counts),
    dbls('ferryml.drift.expected', w.expected),
    int('ferryml.window.ms', windowMs),
  ];
  if (w.psi !== null) attrs.push(dbl('ferryml.drift.psi', w.psi), str('ferryml.drift.status', driftStatus(w.psi)));
  const severity = w.psi !== null && driftStatus(w.psi) !== 'ok' ? SEVERITY.WARN : SEVERITY.INFO;
  return record(event, severity, timeMs, ids, attrs);
}

/** `ferryml.output.strange`: strange outputs of one window, one record per code (./output-strange.ts). */
export function strangeRecords(list: ReadonlyArray<{ code: string; count: number }>, windowMs: number, timeMs: number, ids: RecordIds): string[] {
  return list.map((s) =>
    record('ferryml.output.strange', SEVERITY.WARN, timeMs, ids, [
      str('ferryml.output.code', s.code),
      int('ferryml.output.count', s.count),
      int('ferryml.window.ms', windowMs),
    ]),
  );
}

/** `ferryml.prediction`: a sampled call, with only the opted-in raw values. */
export function predictionRecord(
  p: { rows: number; latencyMs: number; backend: string; sampleRate: number; inputs?: Record<string, unknown>; output?: unknown },
  timeMs: number,
  ids: RecordIds,
): string {
  const attrs = [
    str('ferryml.backend', p.backend),
    int('ferryml.predict.rows', p.rows),
    dbl('ferryml.latency.ms', p.latencyMs),
    dbl('ferryml.sample.rate', p.sampleRate),
  ];
  if (p.inputs) attrs.push({ key: 'ferryml.input', value: anyValue(p.inputs) });
  if (p.output !== undefined) attrs.push({ key: 'ferryml.output', value: anyValue(p.output) });
  return record('ferryml.prediction', SEVERITY.INFO, timeMs, ids, attrs);
}

/** `ferryml.telemetry.drops`: records the SDK dropped since the last report, by reason. */
export function dropsRecord(drops: Partial<Record<DropReason, number>>, timeMs: number, ids: RecordIds): string {
  const attrs = Object.entries(drops)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => int(`ferryml.dropped.${reason}`, n));
  return record('ferryml.telemetry.drops', SEVERITY.WARN, timeMs, ids, attrs);
}
