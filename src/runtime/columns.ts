/**
 * The columnar input of `model.predictColumns`: one array (or typed array) of raw values per
 * schema column instead of one object per row. The schema is applied exactly as for rows — the
 * same compiled column kernels (src/schema/column.ts) read, validate, impute and encode every
 * value, with the same issues, rejections and telemetry capture — but column by column: no row
 * object is read or built, and each kernel stays hot over a whole column.
 */
import { FerryError } from '../errors.js';
import type { Issue } from '../errors.js';
import { CAPTURE_SKIP } from '../schema/capture.js';
import type { ValueObserver } from '../schema/capture.js';
import { checkSchemaLayout } from '../schema/check.js';
import { compileFastColumns } from '../schema/column-fast.js';
import { compileColumnKernels } from '../schema/compile.js';
import type { IssueSink } from '../schema/issues.js';
import type { Schema } from '../schema/types.js';

/** Raw values by schema column name; every column the same length (row `i` is index `i` of each). */
export type ColumnarInput = Readonly<Record<string, ArrayLike<unknown>>>;

/** Transforms rows `start … start + n` of checked columns into `out` at `offset`; returns the rejected rows. */
export interface ColumnTransform {
  /** Checks `input` (`INVALID_OPTIONS` naming what is wrong) and returns its row count and columns in schema order. */
  check(input: unknown): { rows: number; columns: ArrayLike<unknown>[] };
  run(
    columns: ArrayLike<unknown>[],
    start: number,
    n: number,
    out: Float32Array,
    offset: number,
    observe: ValueObserver | undefined,
  ): { issues: Issue[]; rejected: Uint8Array };
}

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new FerryError('INVALID_OPTIONS', `predictColumns: ${message} (see README "Columnar batches")`, { details });

const isArrayLike = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) ||
  (ArrayBuffer.isView(v) && !(v instanceof DataView)) ||
  (typeof v === 'object' && v !== null && Number.isInteger((v as { length?: unknown }).length) && (v as { length: number }).length >= 0);

/** Rows per block of the transform: 1,024 rows × a few dozen features of float32 stay in a core's L2 cache. */
const BLOCK = 1024;

/** Compiles the columnar transform of a (checked) schema, with compileSchema's own column kernels. */
export function compileColumns(input: Schema): ColumnTransform {
  const { schema, layout } = checkSchemaLayout(input);
  const width = schema.width;
  const names = schema.columns.map((c) => c.name);
  const kernels = compileColumnKernels(schema, layout);
  const fast = compileFastColumns(schema, layout);
  // Rows of the current column its fast path left to the kernel.
  let slow = new Uint8Array(0);
  const known = new Set(schema.label ? [...names, schema.label.column] : names);
  const strict = schema.unknownColumns === 'error';

  return {
    check(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value))
        throw invalid(
          `expected an object of columns ({ [column]: values[] }), got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
        );
      const record = value as Record<string, unknown>;
      const absent = names.filter((n) => !Object.prototype.hasOwnProperty.call(record, n));
      if (absent.length)
        throw invalid(
          `column(s) ${absent.map((n) => JSON.stringify(n)).join(', ')} missing; pass every schema column (an array of null where all values are missing)`,
          {
            missing: absent,
          },
        );
      if (strict) {
        const extra = Object.keys(record).filter((k) => !known.has(k));
        if (extra.length)
          throw invalid(`unknown column(s) ${extra.map((n) => JSON.stringify(n)).join(', ')} (the schema's unknownColumns is "error")`, { unknown: extra });
      }
      const columns = names.map((n) => record[n]);
      let rows = -1;
      columns.forEach((c, i) => {
        if (!isArrayLike(c)) throw invalid(`column "${names[i]}" must be an array or typed array, got ${c === null ? 'null' : typeof c}`, { column: names[i] });
        if (rows < 0) rows = c.length;
        else if (c.length !== rows)
          throw invalid(`column "${names[i]}" has ${c.length} values but "${names[0]}" has ${rows}; every column needs one value per row`, {
            column: names[i],
            length: c.length,
            expected: rows,
          });
      });
      return { rows: Math.max(rows, 0), columns: columns as ArrayLike<unknown>[] };
    },
    run(columns, start, n, out, offset, observe) {
      const sink: IssueSink = { issues: [], row: 0 };
      const rejected = new Uint8Array(n);
      const capture = observe?.capture;
      const at = capture === undefined ? 0 : capture.reserve(n);
      const values = capture?.values;
      const stride = capture === undefined ? 0 : capture.stride;
      const picks = capture?.picks;
      const each = capture === undefined ? observe : undefined;
      if (slow.length < BLOCK) slow = new Uint8Array(BLOCK);
      // Block after block of rows, every column per block: the block's output rows stay in cache
      // while each column writes its feature into them (column after column over the whole batch
      // re-read all of `out` from memory per column). Per row, issues keep the columns' order.
      let first = 0; // the first pick at or after the block (picks are ascending)
      for (let r0 = 0; r0 < n; r0 += BLOCK) {
        const r1 = Math.min(n, r0 + BLOCK);
        out.fill(0, offset + r0 * width, offset + r1 * width);
        // Picks end with -1 (capture.ts): the scan stops there.
        if (picks !== undefined) while (picks[first]! >= 0 && picks[first]! < r0) first++;
        for (let c = 0; c < kernels.length; c++) {
          const kernel = kernels[c]!;
          const column = columns[c]!;
          let picked = first;
          let next = picks === undefined ? -1 : picks[first]!;
          // A per-value observer sees every value through the kernel; a capture only its picked rows.
          const quick = each === undefined ? fast[c] : undefined;
          if (quick !== undefined) {
            slow.fill(0, 0, r1 - r0);
            const left = quick(column, start + r0, r1 - r0, out, offset + r0 * width, width, slow);
            if (left === 0 && !(next >= r0 && next < r1)) continue;
          }
          for (let r = r0, base = offset + r0 * width; r < r1; r++, base += width) {
            if (quick !== undefined && slow[r - r0] === 0 && r !== next) continue;
            sink.row = r;
            let ok: boolean;
            if (r === next) {
              const slot = at + picked + c * stride;
              values![slot] = CAPTURE_SKIP;
              ok = kernel(column[start + r], out, base, sink, undefined, c, values, slot);
              next = picks![++picked]!;
            } else ok = kernel(column[start + r], out, base, sink, each, c, undefined, 0);
            if (!ok) rejected[r] = 1;
          }
        }
      }
      for (let r = 0; r < n; r++) if (rejected[r]) out.fill(0, offset + r * width, offset + (r + 1) * width);
      // Row order, as the row path reports them (the sort is stable: columns stay in schema order).
      const issues = sink.issues.length > 1 ? sink.issues.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)) : sink.issues;
      return { issues, rejected };
    },
  };
}
