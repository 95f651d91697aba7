/**
 * One column compiled for the hot path: read → impute → numeric steps or encoder → write.
 * Everything that can be precomputed (offsets, category maps, step constants) is, so a row
 * costs a few comparisons and stores and allocates nothing on the valid path.
 */
import { handlesMissing } from './check.js';
import { compileImage } from './image.js';
import { report } from './issues.js';
import type { IssueSink } from './issues.js';
import { INVALID, MISSING, compileReader } from './read.js';
import type { ValueType } from './read.js';
import type { ColumnSchema, ImageStep } from './types.js';
import { ENCODE_ERROR, ENCODE_UNKNOWN, compileEncoder, compileNumeric } from './encode.js';
import type { ValueObserver } from './capture.js';
import type { CategoryValue } from './values.js';

export type { ValueObserver } from './capture.js';

/**
 * Validates one raw value and writes its features at `base + offsets`; false when the row must be
 * rejected. With `values`, a valid value is also stored at `values[at]` (the capture layout of
 * ./capture.ts); else, with `observe`, it is reported as `observe(index, value, flag)`.
 */
export type ColumnKernel = (
  raw: unknown,
  out: Float32Array,
  base: number,
  sink: IssueSink,
  observe: ValueObserver | undefined,
  index: number,
  values: Float64Array | undefined,
  at: number,
) => boolean;

/**
 * Compiles a (checked) column.
 * @param offsets positions within a row of the column's value features, in emission order.
 * @param indicator position of the impute missing-indicator feature, or -1.
 */
export function compileColumn(column: ColumnSchema, offsets: Int32Array, indicator: number): ColumnKernel {
  const name = column.name;
  const steps = column.steps;
  const first = steps[0];
  const rest = first?.kind === 'impute' ? steps.slice(1) : steps;
  if (column.type === 'image') {
    const write = compileImage(name, rest[0] as ImageStep);
    const start = offsets[0] ?? 0;
    return (raw, out, base, sink) => write(raw, out, base + start, sink);
  }
  const encoder = rest.find((s) => s.kind === 'onehot' || s.kind === 'ordinal');
  const valueType: ValueType = encoder ? (typeof encoder.categories[0] as ValueType) : column.type === 'boolean' ? 'boolean' : 'number';
  const read = compileReader(column, valueType);
  const canBeMissing = column.required === undefined ? handlesMissing(steps) : !column.required;
  const imputed = first?.kind === 'impute' ? first.value : undefined;
  const range = column.type === 'number' ? column.range : undefined;
  const lo = range?.min ?? -Infinity;
  const hi = range?.max ?? Infinity;
  const encode = encoder ? compileEncoder(name, encoder, offsets) : compileNumeric(name, rest, offsets);

  // What a capture stores for a valid value: the encoder's result (category index, or
  // CAPTURE_UNKNOWN), or the number itself (booleans as 0 / 1, their index in [false, true]).
  const coded = encoder !== undefined;

  return (raw, out, base, sink, observe, index, values, at) => {
    const value = read(raw, sink);
    if (value === INVALID) return false;
    let v: CategoryValue | typeof MISSING = value;
    let flag: 'unknown' | 'out_of_range' | undefined;
    if (value === MISSING) {
      if (!canBeMissing) return report(sink, 'MISSING_REQUIRED', name, `a value (${column.type})`, raw);
      if (imputed !== undefined) {
        v = imputed;
        if (indicator >= 0) out[base + indicator] = 1;
      }
    } else if (typeof value === 'number' && (value < lo || value > hi)) {
      flag = 'out_of_range';
      report(sink, 'OUT_OF_RANGE', name, `a value in the training range [${lo}, ${hi}]`, raw, 'warning');
    }
    const status = encode(v, out, base, sink, raw);
    if (status === ENCODE_ERROR) return false;
    if (status === ENCODE_UNKNOWN) flag = 'unknown';
    if (values !== undefined) values[at] = value === MISSING ? NaN : coded ? status : +value;
    else if (observe !== undefined) observe(index, value === MISSING ? null : value, flag);
    return true;
  };
}
