/**
 * The open window of one model: prediction summary, drift counts and the opted-in raw values of
 * the last row. Closing it turns the counts into LogRecords and starts the next window.
 */
import type { Schema } from '../schema/types.js';
import { createDriftWindows, mergeDriftWindows } from './drift.js';
import type { DriftWindow } from './drift.js';
import { driftRecord, summaryRecords } from './events.js';
import type { RecordIds } from './events.js';
import { createKAnonymousGate } from './k-anonymity.js';
import type { NormalizedTelemetryOptions } from './options.js';
import { driftStatus } from './psi.js';
import { createSummaryWindow } from './summary.js';
import type { FeatureDrift, ValueObserver } from './types.js';

/** Windows for `schema` under options `o`; `observe` is undefined when there is nothing to observe. */
export function createWindows(schema: Schema, o: NormalizedTelemetryOptions) {
  const drift = o.drift ? createDriftWindows(schema, o.driftMinRows, { exactRows: o.driftExactRows, every: o.driftSampleEvery }) : undefined;
  // k-anonymity: a feature's window under driftMinRows rows waits and merges into the next.
  const gate = createKAnonymousGate<DriftWindow>({ minRows: o.driftMinRows, rows: (w) => w.rows, merge: (a, b) => mergeDriftWindows(a, b, o.driftMinRows) });
  const summary = createSummaryWindow();
  const lastDrift: Record<string, FeatureDrift> = {};
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
    /** A batch is done (its calls resolve in this task): captured drift values are counted in a later one. */
    settled(): void {
      drift?.settled();
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
      start = now;
      return records;
    },
  };
}
