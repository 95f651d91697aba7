/**
 * The fast path of a numeric column over a whole column of values (the columnar transform of
 * `model.predictColumns`): one tight loop that reads, scales and writes every ordinary value —
 * a finite number inside the column's training range that stays finite as float32 after its
 * steps — with the very operations of its column kernel (encode.ts `runProgram`), and leaves
 * every other value (missing, not a number, ±Infinity, out of range, overflowing) to that kernel,
 * which imputes, reports and rejects exactly as for a row. The result is the kernel's, value for
 * value; only the per-value calls and branches of the general kernel are gone.
 */
import { columnFeatures } from './features.js';
import { STANDARDIZE, numericProgram, runProgram } from './encode.js';
import type { FeatureLayout } from './layout.js';
import type { ColumnSchema, Schema } from './types.js';

/**
 * Writes the ordinary values of `values[start … start + n)` at `offset + r × width` of `out`, sets
 * `slow[r] = 1` for every row it leaves to the column kernel (`slow` is cleared by the caller) and
 * returns how many it left.
 */
export type FastColumn = (values: ArrayLike<unknown>, start: number, n: number, out: Float32Array, offset: number, width: number, slow: Uint8Array) => number;

/** Steps the fast path covers: scaling only, after an optional impute (which only missing values need). */
const FAST_STEPS: ReadonlySet<string> = new Set(['impute', 'standardize', 'minmax', 'passthrough']);

/** The fast path of each column of a checked schema, or undefined where the column kernel alone applies (categories, buckets, images). */
export function compileFastColumns(schema: Schema, layout: FeatureLayout): Array<FastColumn | undefined> {
  return schema.columns.map((column) => {
    if (column.type !== 'number' || !column.steps.every((s) => FAST_STEPS.has(s.kind))) return undefined;
    const at = layout.names.get(columnFeatures(column)[0] as string);
    return at === undefined ? undefined : compileFastColumn(column, at, column.range?.min ?? -Infinity, column.range?.max ?? Infinity);
  });
}

/** The largest float32: below it, the float32 output is finite. */
const MAX32 = 3.4028234663852886e38;

/**
 * `lo`, `hi`: the column's training range (a value outside it is the kernel's to report). The
 * common programs — none (impute or passthrough alone) and one standardize — are written out, with
 * the very operations of `runProgram`: no call per value (BENCHMARKS.md "Tree ensembles").
 */
function compileFastColumn(column: ColumnSchema, at: number, lo: number, hi: number): FastColumn {
  const program = numericProgram(column.steps);
  // A range strictly inside ±MAX32 already makes an in-range value finite and finite as float32.
  if (program.length === 0 && lo > -MAX32 && hi < MAX32)
    return (values, start, n, out, offset, width, slow) => {
      let left = 0;
      for (let r = 0, i = offset + at; r < n; r++, i += width) {
        const v = values[start + r];
        if (typeof v === 'number' && v >= lo && v <= hi) out[i] = v;
        else {
          slow[r] = 1;
          left++;
        }
      }
      return left;
    };
  if (program.length === 0)
    return (values, start, n, out, offset, width, slow) => {
      let left = 0;
      for (let r = 0, i = offset + at; r < n; r++, i += width) {
        const v = values[start + r];
        // As the kernel: the float32 output must stay finite; else the kernel reports it.
        if (typeof v === 'number' && v >= lo && v <= hi && v - v === 0 && Math.abs(v) < MAX32) out[i] = v;
        else {
          slow[r] = 1;
          left++;
        }
      }
      return left;
    };
  if (program.length === 5 && program[0] === STANDARDIZE) {
    const mean = program[1]!;
    const scale = program[2]!;
    return (values, start, n, out, offset, width, slow) => {
      let left = 0;
      for (let r = 0, i = offset + at; r < n; r++, i += width) {
        const v = values[start + r];
        if (typeof v === 'number' && v >= lo && v <= hi && v - v === 0) {
          const x = (v - mean) / scale;
          if (Math.abs(x) < MAX32) {
            out[i] = x;
            continue;
          }
        }
        slow[r] = 1;
        left++;
      }
      return left;
    };
  }
  return (values, start, n, out, offset, width, slow) => {
    let left = 0;
    for (let r = 0, i = offset + at; r < n; r++, i += width) {
      const v = values[start + r];
      if (typeof v === 'number' && v >= lo && v <= hi && v - v === 0) {
        const x = runProgram(program, v);
        if (Math.abs(x) < MAX32) {
          out[i] = x;
          continue;
        }
      }
      slow[r] = 1;
      left++;
    }
    return left;
  };
}
