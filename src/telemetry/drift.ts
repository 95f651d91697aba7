/**
 * Drift windows: per column, counts of observed values in the bins (or categories) of the
 * schema's training baseline, plus missing / unknown / out-of-range counts. Counts are what
 * travel (they merge across clients by addition); PSI is scored only once enough values were
 * observed.
 *
 * The hook the runtime passes to the transform carries a batch capture: the transform stores the
 * values of the rows the sampler picks (all of a window's first `exactRows`, then ~1 in `every`)
 * in one pass, and they are counted in a background task once the runtime reported the batch
 * (`settled()`, from telemetry's `predicted`): ./drift-capture.ts, ./drift-column.ts. Called per
 * value, the same hook counts every value at once (apps that call it directly, and the opted-in
 * raw values path): the same counts either way (test/telemetry/drift-capture.test.ts).
 */
import type { ValueObserver } from '../schema/capture.js';
import type { Schema } from '../schema/types.js';
import { createCapture } from './drift-capture.js';
import { columnCounts, countRun, countValue } from './drift-column.js';
import { createRowSampler } from './drift-sampler.js';
import { psi } from './psi.js';

/**
 * Two windows of one feature as one (counts added): how a window under `driftMinRows` joins the
 * next one (./k-anonymity.ts). PSI is scored again on the sum.
 */
export function mergeDriftWindows(a: DriftWindow, b: DriftWindow, minRows: number): DriftWindow {
  const counts = a.counts.map((c, i) => c + (b.counts[i] ?? 0));
  const observed = a.observed + b.observed;
  return {
    ...b,
    counts,
    outOfRange: a.outOfRange + b.outOfRange,
    rows: a.rows + b.rows,
    observed,
    // A sampled window's weight stands for all of it; mixed windows report the larger weight.
    weight: Math.max(a.weight, b.weight),
    psi: observed >= minRows ? psi(b.expected, counts) : null,
  };
}

/** One closed window of one feature. `counts` is laid out as `[...bins, missing, unknown]`. */
export interface DriftWindow {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** Estimated when rows were sampled (`observed < rows`): each sampled value adds `weight`. */
  counts: number[];
  /** Values outside the column's training `range` (also counted in their bin). */
  outOfRange: number;
  /** Sum of `counts`: the window's rows (values of this column), estimated when sampled. */
  rows: number;
  /** Values actually counted; `rows` when nothing was sampled. */
  observed: number;
  /** What one sampled value stood for (1 when every value was counted). */
  weight: number;
  /** Baseline shares in the layout of `counts` (see `expectedShares`). */
  expected: number[];
  /** `null` while fewer than the minimum values were observed. */
  psi: number | null;
}

/** Which rows are counted: see ./drift-sampler.ts. */
export interface DriftSampling {
  /** Rows per window counted before sampling starts (`Infinity`: never sample). */
  exactRows: number;
  /** Past them, a row is counted with probability 1/every and weighs `every`. */
  every: number;
  /** Uniform [0, 1) source; tests pass a seeded one. @default Math.random */
  random?: () => number;
}

const EXACT: DriftSampling = { exactRows: Infinity, every: 1 };

/** The open drift window of one model. */
export interface DriftWindows {
  /** The transform hook (undefined when no column has a baseline). */
  observe: ValueObserver | undefined;
  /** The runtime is done with the batches transformed so far: count their values in a background task. */
  settled(): void;
  /** Counts what is waiting and closes the window: one entry per feature with values. */
  close(): DriftWindow[];
}

/** Drift counting over the columns of `schema` that have a baseline; `observe` is undefined when none has. */
export function createDriftWindows(schema: Schema, minRows: number, sampling: DriftSampling = EXACT): DriftWindows {
  const states = schema.columns.map(columnCounts);
  const sampler = createRowSampler(sampling.exactRows, sampling.every, sampling.random);
  let sampled = false;

  const count = (column: number, value: number | string | boolean | null, flag?: 'unknown' | 'out_of_range') => {
    const s = states[column];
    if (s !== undefined) countValue(s, value, flag);
  };

  const capture = createCapture(states.length, sampler, (values, stride, from, to, weight) => {
    if (weight !== 1) sampled = true;
    for (let c = 0; c < states.length; c++) {
      const s = states[c];
      if (s !== undefined) countRun(s, values, c * stride + from, c * stride + to, weight);
    }
  });
  const observe: ValueObserver = Object.assign(count, { capture });

  const close = (): DriftWindow[] => {
    // Values captured but not yet counted belong to this window; the next starts unsampled.
    capture.drain();
    capture.restart();
    const weight = sampled ? sampler.weight : 1;
    sampled = false;
    const out: DriftWindow[] = [];
    for (const s of states) {
      if (!s) continue;
      const counts = [...s.counts, s.missing, s.unknown];
      const rows = counts.reduce((a, b) => a + b, 0);
      if (rows > 0)
        out.push({
          feature: s.feature,
          kind: s.kind,
          counts,
          outOfRange: s.outOfRange,
          rows,
          observed: s.observed,
          weight,
          expected: s.expected,
          psi: s.observed >= minRows ? psi(s.expected, counts) : null,
        });
      s.counts.fill(0);
      s.missing = s.unknown = s.outOfRange = s.observed = 0;
    }
    return out;
  };

  return { observe: states.some((s) => s !== undefined) ? observe : undefined, settled: () => capture.later(), close };
}
