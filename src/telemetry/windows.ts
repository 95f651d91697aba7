/**
 * The open window of one model: prediction summary, drift counts and the opted-in raw values of
 * the last row. Closing it turns the counts into LogRecords and starts the next window.
 */
import type { Schema } from '../schema/types.js';
import { createDriftWindows, mergeDriftWindows } from './drift.js';
import type { DriftWindow } from './drift.js';
import { driftRecord, strangeRecords, summaryRecords } from './events.js';
import type { RecordIds } from './events.js';
import { createKAnonymousGate } from './k-anonymity.js';
import type { NormalizedTelemetryOptions } from './options.js';
import { driftStatus } from './psi.js';
import { createOutputWindows } from './output-window.js';
import { createSummaryWindow } from './summary.js';
import type { FeatureDrift, TelemetryContext, ValueObserver } from './types.js';

/** Windows for `schema` under options `o`; `observe` is undefined when there is nothing to observe. */
export function createWindows(schema: Schema, o: NormalizedTelemetryOptions, context?: Pick<TelemetryContext, 'output' | 'outputBaseline'>) {
  const sampling = { exactRows: o.driftExactRows, every: o.driftSampleEvery };
  const drift = o.drift ? createDriftWindows(schema, o.driftMinRows, sampling) : undefined;
  // Outputs are watched with drift (the same option, minimum rows and sampling).
  const outputs = o.drift && context?.output ? createOutputWindows(context.output, context.outputBaseline, o.driftMinRows, sampling) : undefined;
  // k-anonymity, inputs and outputs alike: a window under driftMinRows rows waits and merges into the
  // same feature's next one (output features are keyed apart from input columns).
  const gate = createKAnonymousGate<DriftWindow>({ minRows: o.driftMinRows, rows: (w) => w.rows, merge: (a, b) => mergeDriftWindows(a, b, o.driftMinRows) });
  const summary = createSummaryWindow();
  const lastDrift: Record<string, FeatureDrift> = {};
  const lastOutputDrift: Record<string, FeatureDrift> = {};
  const strangeOutputs: Record<string, number> = {};
  let start = Date.now();

  // Opted-in raw values are the parsed values of the last row the transform saw. They need the
  // values themselves (an unknown category is not in a capture), so with any column opted in the
  // hook is a plain per-value observer: the same counts, at the per-call cost (README "Drift").
  const rawColumns = schema.columns.map((c) => (o.rawValues.has(c.name) ? c.name : undefined));
  let lastInputs: Record<string, unknown> | undefined;
  const driftObserve = drift?.observe;
  const observe: ValueObserver | undefined = o.rawValues.size
    ? (column, value, flag) => {
        driftObserve?.(column, value, flag);
        const name = rawColumns[column];
        if (name !== undefined) (lastInputs ??= {})[name] = value;
      }
    : driftObserve;

  return {
    observe,
    summary,
    lastDrift,
    /** Drift rows held back per feature (under driftMinRows, waiting for the next window). */
    heldDrift: () => gate.held(),
    lastOutputDrift,
    strangeOutputs,
    /** A batch's output rows (copied when sampled; counted after `settled()`). */
    outputs(values: Float32Array, rows: number, width: number): void {
      outputs?.capture(values, rows, width);
    },
    /** A batch is done (its calls resolve in this task): captured drift values are counted in a later one. */
    settled(): void {
      drift?.settled();
      outputs?.settled();
    },
    /** The opted-in values of the last row, once (a sampled record takes them). */
    takeInputs(): Record<string, unknown> | undefined {
      const inputs = lastInputs;
      lastInputs = undefined;
      return inputs;
    },
    /** Records of the window that ends now (summaries, errors, issues, drift); the next one starts. */
    close(ids: RecordIds): string[] {
      const now = Date.now();
      const windowMs = Math.max(0, now - start);
      const records = summary.empty ? [] : summaryRecords(summary.close(), windowMs, now, ids);
      for (const closed of drift?.close() ?? []) {
        const released = gate.offer(closed.feature, closed, windowMs);
        if (!released) continue;
        const w = released.window;
        records.push(driftRecord(w, o.driftMinRows, released.windowMs, now, ids));
        if (w.psi !== null) lastDrift[w.feature] = { psi: w.psi, rows: w.rows, observed: w.observed, status: driftStatus(w.psi), at: now };
      }
      const out = outputs?.close();
      for (const closed of out?.windows ?? []) {
        const released = gate.offer(`output:${closed.feature}`, closed, windowMs);
        if (!released) continue;
        const w = released.window;
        records.push(driftRecord(w, o.driftMinRows, released.windowMs, now, ids, 'ferryml.output.window'));
        if (w.psi !== null) lastOutputDrift[w.feature] = { psi: w.psi, rows: w.rows, observed: w.observed, status: driftStatus(w.psi), at: now };
      }
      for (const s of out?.strange ?? []) strangeOutputs[s.code] = (strangeOutputs[s.code] ?? 0) + s.count;
      if (out?.strange.length) records.push(...strangeRecords(out.strange, windowMs, now, ids));
      start = now;
      return records;
    },
  };
}
