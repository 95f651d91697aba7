/**
 * Batch capture: the cheap way to watch the values a transform parses. Calling a
 * {@link ValueObserver} once per (row, column) costs a closure call per value, and on a batched
 * penguins row (~0.9 µs) five of them show. With a capture, the transform instead stores one
 * float64 per (row, column) in the same pass, into a buffer the capture's owner hands out and
 * reads after the batch (telemetry bins it later, off the caller's path). The owner may also
 * pick only some rows of a batch (telemetry samples at high volume); the rest cost nothing.
 *
 * What is stored for column `c` of buffer row `r`, at `values[c * stride + r]`:
 * - `NaN`: the value was missing (before any impute step), like the observer's `null`;
 * - {@link CAPTURE_SKIP} (`Infinity`): no value, because the column rejected it (the observer
 *   was not called either) or the row was not an object; parsed numbers are always finite;
 * - for a column with categories (see `captureCategories` in ./capture-categories.ts): the value's index in them,
 *   or {@link CAPTURE_UNKNOWN} for a category the encoder never saw (the observer's `"unknown"`);
 * - otherwise the parsed number itself. Out-of-range is not stored: it follows from the number
 *   and the column's `range`, as the transform decides it.
 */

/** Stored where a column produced no value for the row. */
export const CAPTURE_SKIP = Infinity;
/** Stored for a category outside the fitted categories. */
export const CAPTURE_UNKNOWN = -1;

/**
 * The batch side of a {@link ValueObserver}: a column-major float64 buffer with room for
 * `stride` rows per column, and the rows of the current batch to store. `reserve` is called once
 * per transform, before any write; it may replace `values`, `stride` and `picks`, which the
 * transform reads right after it. Rows not picked are transformed as usual and not observed.
 */
export interface ValueCapture {
  readonly values: Float64Array;
  readonly stride: number;
  /** Batch row indices to store, ascending, ended by -1; the i-th goes to buffer row `reserve(…) + i`. */
  readonly picks: Int32Array;
  /** Chooses which of the next `rows` rows to store (`picks`) and returns the buffer row of the first. */
  reserve(rows: number): number;
}

/**
 * Called once per valid (row, column) value during a transform, with the parsed value before
 * any step (`null` = missing), and `flag` for an unseen category or a value outside the training
 * range. Lets telemetry bin values for drift without parsing them again. When `capture` is set,
 * `transformInto` writes into it instead and does not call the function (see ./capture.ts).
 */
export interface ValueObserver {
  (column: number, value: number | string | boolean | null, flag?: 'unknown' | 'out_of_range'): void;
  readonly capture?: ValueCapture | undefined;
}
