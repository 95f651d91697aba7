/**
 * Encoders: the last stage of a column kernel. Category → index through a precomputed Map
 * (one-hot / ordinal), or number → scaling steps in float64 → one value or a bucket.
 */
import { report } from './issues.js';
import type { IssueSink } from './issues.js';
import { MISSING } from './read.js';
import type { Step } from './types.js';
import { categoryLabel, describeValue } from './values.js';
import type { CategoryValue } from './values.js';
import { baselineBin } from './bin.js';
import { CAPTURE_UNKNOWN } from './capture.js';

/**
 * Encoder results: written (any number ≥ 0: for one-hot / ordinal, the category's index);
 * written as unknown (drift flag); rejected (issue recorded). A batch capture stores the result
 * of a valid value as is (./capture.ts), so the encoder's own lookup is the only one.
 */
export const ENCODE_OK = 0;
export const ENCODE_UNKNOWN = CAPTURE_UNKNOWN;
export const ENCODE_ERROR = -2;

/** Writes one (imputed) value's features; returns the category index (≥ 0) or an ENCODE_* status. */
export type Encode = (v: CategoryValue | typeof MISSING, out: Float32Array, base: number, sink: IssueSink, raw: unknown) => number;

/** onehot / ordinal: a precomputed Map from category to index. */
export function compileEncoder(name: string, step: Extract<Step, { kind: 'onehot' | 'ordinal' }>, offsets: Int32Array): Encode {
  const index = new Map<CategoryValue, number>(step.categories.map((c, i) => [c, i]));
  const shown = step.categories
    .slice(0, 6)
    .map((c) => JSON.stringify(categoryLabel(c)))
    .join(', ');
  const expected = `one of ${shown}${step.categories.length > 6 ? `, … (${step.categories.length} categories)` : ''}`;
  const unknownError = step.unknown === 'error';
  /** Reports an unseen category (an error with unknown "error", else a warning) and returns its ENCODE_* status. */
  const unknown = (v: CategoryValue, sink: IssueSink, raw: unknown): number => {
    // got: also what the raw value was read as (normalize, coerce)
    report(
      sink,
      'UNKNOWN_CATEGORY',
      name,
      expected,
      raw,
      unknownError ? 'error' : 'warning',
      v === raw ? undefined : `${describeValue(raw)} (read as ${describeValue(v)})`,
      // Decomposed text (macOS, some IMEs) that is a category once composed; matched as is, like scikit-learn.
      typeof v === 'string' && index.has(v.normalize()) ? `it is ${JSON.stringify(v.normalize())} in Unicode NFC form: send text.normalize("NFC")` : undefined,
    );
    return unknownError ? ENCODE_ERROR : ENCODE_UNKNOWN;
  };
  if (step.kind === 'onehot') {
    // Feature slot per category; the dropped category (and unknown, with "ignore") writes nothing.
    const slot = new Int32Array(step.categories.length).fill(-1);
    let k = 0;
    step.categories.forEach((_, i) => {
      if (i !== step.drop) slot[i] = offsets[k++]!;
    });
    return (v, out, base, sink, raw) => {
      if (v === MISSING) return (report(sink, 'MISSING_REQUIRED', name, expected, raw), ENCODE_ERROR);
      const i = index.get(v);
      if (i === undefined) return unknown(v, sink, raw);
      const at = slot[i]!;
      if (at >= 0) out[base + at] = 1;
      return i;
    };
  }
  const at = offsets[0]!;
  const missingCode = step.missing;
  const unknownCode = step.unknown === 'error' ? 0 : step.unknown.value;
  return (v, out, base, sink, raw) => {
    if (v === MISSING) {
      if (missingCode === undefined) return (report(sink, 'MISSING_REQUIRED', name, expected, raw), ENCODE_ERROR);
      out[base + at] = missingCode;
      return ENCODE_OK;
    }
    const i = index.get(v);
    if (i !== undefined) {
      out[base + at] = i;
      return i;
    }
    if (!unknownError) out[base + at] = unknownCode;
    return unknown(v, sink, raw);
  };
}

/** A {@link numericProgram}'s opcode for a standardize step (`(x − mean) / scale`). */
export const STANDARDIZE = 0;
const MINMAX = 1;

/** A column's scaling steps as one flat float64 program of `[op, a, b, c, d]` entries (so a loop reads constants from one typed array). */
export function numericProgram(steps: readonly Step[]): Float64Array {
  const ops: number[] = [];
  for (const s of steps) {
    if (s.kind === 'standardize') ops.push(STANDARDIZE, s.mean, s.scale, 0, 0);
    else if (s.kind === 'minmax') ops.push(MINMAX, s.scale, s.offset, s.clip?.min ?? -Infinity, s.clip?.max ?? Infinity);
  }
  return Float64Array.from(ops);
}

/** Runs a {@link numericProgram} on `x` (float64, exactly sklearn's operations; NaN stays NaN). */
export function runProgram(program: Float64Array, x: number): number {
  for (let p = 0; p < program.length; p += 5) {
    if (program[p] === STANDARDIZE) x = (x - program[p + 1]!) / program[p + 2]!;
    else {
      x = x * program[p + 1]! + program[p + 2]!;
      if (x < program[p + 3]!) x = program[p + 3]!;
      else if (x > program[p + 4]!) x = program[p + 4]!;
    }
  }
  return x;
}

const OVERFLOW = "the value is outside float32's range after the column's steps (±3.4e38)";

/** Scaling steps in order (float64, exactly sklearn's operations), then one value or a bucket. */
export function compileNumeric(name: string, steps: readonly Step[], offsets: Int32Array): Encode {
  let edges: Float64Array | undefined;
  let onehot = false;
  let missingNaN = false;
  for (const s of steps) {
    if (s.kind === 'passthrough' && s.missing === 'nan') missingNaN = true;
    else if (s.kind === 'bucketize') {
      edges = Float64Array.from(s.edges);
      onehot = s.encode === 'onehot';
    }
  }
  const program = numericProgram(steps);
  const at = offsets[0]!;
  return (v, out, base, sink, raw) => {
    // MISSING only reaches here when no impute step exists and the column may be missing: then
    // only a passthrough with `missing: "nan"` (check.ts), whose NaN the scaling steps keep NaN
    // (as scikit-learn's scalers do). Booleans become 0/1 as in numpy.
    const x = runProgram(program, v === MISSING ? NaN : +v);
    if (edges === undefined) {
      // A finite float64 can still overflow the float32 output (1e300 passed through).
      if (!Number.isFinite(Math.fround(x)) && !(missingNaN && v === MISSING))
        return (report(sink, 'NOT_FINITE', name, "a number within float32's range after the column's steps", raw, 'error', undefined, OVERFLOW), ENCODE_ERROR);
      out[base + at] = x;
    } else {
      const bin = baselineBin(edges, x);
      if (onehot) out[base + offsets[bin]!] = 1;
      else out[base + at] = bin;
    }
    return ENCODE_OK;
  };
}
