/**
 * The buffer a transform captures drift values into (layout in src/schema/capture.ts), which
 * rows go into it (./drift-sampler.ts), and when they are counted: in a background task posted
 * when the runtime reports a batch done (`later()`, from telemetry's `finished`, which the
 * runtime calls right before it resolves the batch's calls), so the calls have resolved and their
 * continuations have run before any counting, with a sync engine and an async one alike. Rows of several batches simply wait together; a
 * window that closes counts what is waiting first; past a memory bound they are counted at once.
 */
import type { ValueCapture } from '../schema/capture.js';
import type { RowSampler } from './drift-sampler.js';
import { later } from './timer.js';

/** Rows the buffer starts with room for (the runtime's default `maxBatch`). */
const INITIAL_ROWS = 256;
/**
 * The buffer grows (doubling) while background tasks do not get to run, up to this many floats
 * (1 MiB); past it the rows waiting are counted at once, on the caller's path, so memory stays
 * bounded. With sampling past `driftExactRows` this takes `driftSampleEvery` times longer to reach.
 */
const MAX_FLOATS = 1 << 17;

/** Counts buffer rows `from…to` (column `c` at `values[c * stride + row]`), each standing for `weight` rows. */
export type CountRows = (values: Float64Array, stride: number, from: number, to: number, weight: number) => void;

/** Lowest priority the platform offers: `scheduler.postTask` background (Chromium), else a timer. */
function post(fn: () => void): void {
  const s = (globalThis as { scheduler?: { postTask?: (f: () => void, o: { priority: string }) => Promise<unknown> } }).scheduler;
  if (typeof s?.postTask === 'function') void s.postTask(fn, { priority: 'background' }).catch(() => undefined);
  // Node: waiting counts must not keep the process alive (`later` unrefs).
  else later(fn, 0);
}

/** A drift capture: {@link ValueCapture} plus when to count (`later`, `drain`) and `restart()` (next window). */
export interface DriftCapture extends ValueCapture {
  /** Counts the rows waiting in a background task (posted now, so it runs after this task's microtasks). */
  later(): void;
  /**
   * Counts the rows waiting. The only call that throws, and only what `count` threw in the
   * background or in `reserve` (kept for here, where telemetry records it as `lastError`).
   */
  drain(): void;
  /** After a drain: the next rows belong to a new window (sampling starts over). */
  restart(): void;
}

/** A capture of `columns` columns whose rows `sampler` picks and `count` counts. */
export function createCapture(columns: number, sampler: RowSampler, count: CountRows): DriftCapture {
  const limit = Math.max(INITIAL_ROWS, Math.floor(MAX_FLOATS / Math.max(1, columns)));
  let waiting = 0;
  /** Buffer rows from here on were sampled (weight `sampler.weight`); the ones before count once. */
  let sampledFrom = 0;
  let scheduled = false;
  let failure: { error: unknown } | undefined;

  /** A new buffer with room for `rows` per column, keeping the `waiting` rows. */
  const resize = (rows: number) => {
    const next = new Float64Array(columns * rows);
    for (let c = 0; c < columns; c++) next.set(capture.values.subarray(c * capture.stride, c * capture.stride + waiting), c * rows);
    capture.values = next;
    capture.stride = rows;
  };

  const drain = () => {
    if (failure) {
      const { error } = failure;
      failure = undefined;
      throw error;
    }
    const rows = waiting;
    const from = sampledFrom;
    waiting = sampledFrom = 0;
    if (from > 0) count(capture.values, capture.stride, 0, from, 1);
    if (rows > from) count(capture.values, capture.stride, from, rows, sampler.weight);
    // One oversized batch (a huge transformInto) does not pin its buffer for the page's lifetime.
    if (capture.stride > limit) resize(limit);
  };

  const quietly = () => {
    try {
      drain();
    } catch (error) {
      failure = { error };
    }
  };

  // Plain data properties, not getters: the transform reads them once per batch, and a batch of
  // one row (a lone predict call) should pay next to nothing for being observed.
  const capture = {
    values: new Float64Array(columns * INITIAL_ROWS),
    stride: INITIAL_ROWS,
    picks: new Int32Array(INITIAL_ROWS + 1),
    reserve(rows: number): number {
      if (capture.picks.length <= rows) capture.picks = new Int32Array(rows + 1);
      const n = sampler.pick(rows, capture.picks);
      if (waiting + n > capture.stride) {
        if (waiting + n > limit) quietly();
        if (waiting + n > capture.stride) resize(Math.max(waiting + n, Math.min(limit, 2 * capture.stride)));
      }
      const at = waiting;
      // Picked rows of a window come exact first, sampled after: one boundary in the buffer.
      if (sampler.exact > 0) sampledFrom = at + sampler.exact;
      waiting += n;
      return at;
    },
    later(): void {
      if (scheduled || waiting === 0) return;
      scheduled = true;
      post(() => {
        scheduled = false;
        quietly();
      });
    },
    drain,
    restart: () => sampler.restart(),
  };
  return capture;
}
