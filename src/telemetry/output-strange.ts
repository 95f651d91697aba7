/**
 * Strange outputs: rows a healthy model does not produce. Each is a code on the wire
 * (`ferryml.output.strange`), on the dashboard and in the collector's `strange_outputs` rule.
 */

/** Why an output row (or a window of rows) is strange. */
export type StrangeOutputCode =
  /** A value is NaN or ±Infinity. */
  | 'NON_FINITE'
  /** Classifier probabilities do not sum to 1 within {@link SUM_TOLERANCE} (or a sigmoid is outside [0, 1]). */
  | 'NOT_NORMALIZED'
  /** Every row of a window (of at least `driftMinRows` rows) was identical: the model ignores its inputs. */
  | 'CONSTANT'
  /** The model returned no values for rows it was asked about. */
  | 'EMPTY';

/** Every code, in wire order. */
export const STRANGE_OUTPUT_CODES: readonly StrangeOutputCode[] = ['NON_FINITE', 'NOT_NORMALIZED', 'CONSTANT', 'EMPTY'];

/**
 * float32 softmax rows sum to 1 within a few ulps times the width; 1e-3 leaves room for wide
 * heads and reduced-precision GPUs while a missing softmax (logits) misses it by far.
 */
export const SUM_TOLERANCE = 1e-3;

/** The row-level check: `NON_FINITE`, `NOT_NORMALIZED` or undefined for row `at…at+width` of `values`. */
export function strangeRow(values: ArrayLike<number>, at: number, width: number, probabilities: boolean, binary: boolean): StrangeOutputCode | undefined {
  let sum = 0;
  for (let i = at; i < at + width; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) return 'NON_FINITE';
    sum += v;
  }
  if (!probabilities) return undefined;
  if (binary) return sum < 0 || sum > 1 ? 'NOT_NORMALIZED' : undefined;
  return Math.abs(sum - 1) > SUM_TOLERANCE ? 'NOT_NORMALIZED' : undefined;
}

/** Whether row `at` equals row `first` value for value (NaN equal to NaN: a NaN model is constant too). */
export function sameRow(values: ArrayLike<number>, at: number, first: ArrayLike<number>, width: number): boolean {
  for (let i = 0; i < width; i++) {
    const a = values[at + i] as number;
    const b = first[i] as number;
    if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) return false;
  }
  return true;
}
