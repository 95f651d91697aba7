/**
 * compileSchema: a checked schema → the transform that runs on every prediction.
 * Validation and transform are one pass: each column's kernel reads, validates and writes.
 */
import { FerryError, ValidationError } from '../errors.js';
import type { Issue } from '../errors.js';
import type { CompiledSchema } from './compiled.js';
import { checkSchemaLayout } from './check.js';
import { CAPTURE_SKIP } from './capture.js';
import type { ValueObserver } from './capture.js';
import { compileColumn } from './column.js';
import type { ColumnKernel } from './column.js';
import type { InferInput } from './define.js';
import { columnFeatures } from './features.js';
import { numberFastPathOffered } from './fast-path-slot.js';
import { ROW_COLUMN, report } from './issues.js';
import type { IssueSink } from './issues.js';
import type { FeatureLayout } from './layout.js';
import type { Schema } from './types.js';

export type { ValueCapture, ValueObserver } from './capture.js';
export type { BatchResult, CompiledSchema, SafeParseResult } from './compiled.js';

/** Errors before warnings, so a ValidationError's message names an error. */
const errorsFirst = (issues: Issue[]) => [...issues.filter((i) => i.severity === 'error'), ...issues.filter((i) => i.severity !== 'error')];

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/**
 * One kernel per column of a checked schema, writing at the column's offsets in `layout`. Shared by
 * the row transform below and the columnar one (runtime/columns.ts), so both apply the same code.
 * O(columns): an image column is one range start, never a list of per-value offsets.
 */
export function compileColumnKernels(schema: Schema, layout: FeatureLayout): ColumnKernel[] {
  return schema.columns.map((column) => {
    const emitted = columnFeatures(column);
    const hasIndicator = column.steps[0]?.kind === 'impute' && column.steps[0].indicator === true;
    const valueEntries = hasIndicator ? emitted.slice(0, -1) : emitted;
    const offsets = Int32Array.from(valueEntries, (f) => (typeof f === 'string' ? layout.names.get(f)! : layout.ranges.get(f.column)!.start));
    return compileColumn(column, offsets, hasIndicator ? layout.names.get(emitted[emitted.length - 1] as string)! : -1);
  });
}

/** The largest float32: a number up to it stays finite as float32. */
const MAX32 = 3.4028234663852886e38;

/**
 * Checks a schema (throwing `SCHEMA_INVALID` naming the column and step at fault) and compiles it.
 * @example
 * const penguins = compileSchema(await (await fetch('/models/penguins/schema.json')).json());
 * const x = penguins.parse({ island: 'Dream', bill_length_mm: 39.1 });
 */
export function compileSchema<S extends Schema>(schema: S): CompiledSchema<InferInput<S>> {
  const { layout } = checkSchemaLayout(schema);
  const width = schema.width;
  const names = schema.columns.map((c) => c.name);
  const kernels = compileColumnKernels(schema, layout);
  // Reading row[name] for a name like "constructor" would find Object.prototype's member.
  const guarded = names.map((n) => n in Object.prototype);
  const policy = schema.unknownColumns ?? 'ignore';
  const known = new Set(schema.label ? [...names, schema.label.column] : names);
  // The fast path of numeric columns with a training range and no scaling steps (impute or
  // passthrough alone): a number in `[lo, hi]` — the range, within ±MAX32 — is one store at the
  // column's feature, just what its kernel writes, with nothing to report; anything else takes the
  // kernel. Taken once an entry has switched it on (./fast-path-slot.ts).
  const fast = numberFastPathOffered() && {
    lo: schema.columns.map((c) =>
      c.type === 'number' && c.range && c.steps.every((s) => s.kind === 'impute' || s.kind === 'passthrough') ? Math.max(c.range.min, -MAX32) : NaN,
    ),
    hi: schema.columns.map((c) => Math.min(c.type === 'number' && c.range ? c.range.max : 0, MAX32)),
    to: names.map((n) => layout.names.get(n)!),
  };

  function run(rows: ArrayLike<unknown>, out: Float32Array, observe: ValueObserver | undefined, offset: number, sink: IssueSink): Uint8Array {
    const n = rows.length;
    const rejected = new Uint8Array(n);
    // A batch capture (see ./capture.ts) takes one store per value of the rows it picks, instead of
    // one call per value; the other rows are not observed at all.
    const capture = observe?.capture;
    const at = capture === undefined ? 0 : capture.reserve(n);
    const values = capture?.values;
    const stride = capture === undefined ? 0 : capture.stride;
    const picks = capture?.picks;
    const each = capture === undefined ? observe : undefined;
    let picked = 0;
    let next = picks === undefined ? -1 : picks[0]!;
    for (let r = 0; r < n; r++) {
      const base = offset + r * width;
      // A plain loop: for the usual few-dozen floats it beats the fill() builtin's call overhead.
      for (let i = base, end = base + width; i < end; i++) out[i] = 0;
      sink.row = r;
      let ok: boolean;
      if (r === next) {
        const slot = at + picked;
        // A column that produces no value (rejected, or the row is not an object) keeps CAPTURE_SKIP.
        for (let c = 0; c < kernels.length; c++) values![slot + c * stride] = CAPTURE_SKIP;
        ok = row(rows[r], out, base, undefined, sink, values, slot, stride);
        next = picks![++picked]!;
      } else ok = row(rows[r], out, base, each, sink);
      if (!ok) {
        rejected[r] = 1;
        out.fill(0, base, base + width);
      }
    }
    return rejected;
  }

  function row(
    input: unknown,
    out: Float32Array,
    base: number,
    observe: ValueObserver | undefined,
    sink: IssueSink,
    values?: Float64Array,
    at = 0,
    stride = 0,
  ): boolean {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return report(sink, 'TYPE_MISMATCH', ROW_COLUMN, 'a row object', input);
    const record = input as Record<string, unknown>;
    let ok = true;
    try {
      // Nothing to observe or capture: an ordinary number is written here, the rest by its column's kernel.
      const direct = fast && observe === undefined && values === undefined ? fast : undefined;
      for (let c = 0; c < kernels.length; c++) {
        const name = names[c]!;
        const raw = guarded[c] && !hasOwn(record, name) ? undefined : record[name];
        if (direct && typeof raw === 'number' && raw >= direct.lo[c]! && raw <= direct.hi[c]!) out[base + direct.to[c]!] = raw;
        else if (!kernels[c]!(raw, out, base, sink, observe, c, values, at + c * stride)) ok = false;
      }
      if (policy !== 'ignore')
        for (const key in record)
          if (hasOwn(record, key) && !known.has(key)) {
            report(sink, 'UNKNOWN_COLUMN', key, 'only schema columns', record[key], policy === 'error' ? 'error' : 'warning', 'an extra key');
            if (policy === 'error') ok = false;
          }
    } catch (error) {
      // A getter or Proxy on the row threw: reject the row rather than throw into the caller.
      return report(
        sink,
        'TYPE_MISMATCH',
        ROW_COLUMN,
        'a plain row object',
        input,
        'error',
        `a row that threw (${error instanceof Error ? error.name : String(error)})`,
      );
    }
    return ok;
  }

  function checkRows(rows: ArrayLike<unknown>): void {
    if (rows === null || typeof rows !== 'object' || !Number.isInteger(rows.length) || rows.length < 0)
      throw new FerryError('INVALID_OPTIONS', `rows must be an array of row objects, got ${rows === null ? 'null' : typeof rows}`);
  }

  function checkOut(rows: ArrayLike<unknown>, out: Float32Array, offset: number): void {
    checkRows(rows);
    if (!Number.isInteger(offset) || offset < 0) throw new FerryError('INVALID_OPTIONS', `transformInto: offset must be a non-negative integer, got ${offset}`);
    const need = offset + rows.length * width;
    if (!(out instanceof Float32Array) || out.length < need)
      throw new FerryError(
        'INVALID_OPTIONS',
        `transformInto: out needs ${need} floats (${rows.length} rows × ${width} + offset ${offset}), got ${out?.length}`,
        {
          details: { need, got: out?.length },
        },
      );
  }

  const single = (input: unknown): { values: Float32Array; issues: Issue[]; ok: boolean } => {
    const values = new Float32Array(width);
    const sink: IssueSink = { issues: [], row: -1 };
    const ok = row(input, values, 0, undefined, sink);
    if (!ok) values.fill(0);
    return { values, issues: sink.issues, ok };
  };

  const compiled: CompiledSchema<InferInput<S>> = {
    schema,
    width,
    features: schema.features,
    columns: names,
    transformInto(rows, out, observe, offset = 0) {
      checkOut(rows, out, offset);
      const sink: IssueSink = { issues: [], row: 0 };
      return { issues: sink.issues, rejected: run(rows, out, observe, offset, sink) };
    },
    parse(input) {
      const { values, issues, ok } = single(input);
      if (!ok) throw new ValidationError(errorsFirst(issues));
      return values;
    },
    safeParse(input) {
      const { values, issues, ok } = single(input);
      return ok ? { success: true, values, warnings: issues } : { success: false, issues };
    },
    parseBatch(rows) {
      const result = compiled.safeParseBatch(rows);
      if (result.rejected.includes(1)) throw new ValidationError(errorsFirst(result.issues));
      return result.values;
    },
    safeParseBatch(rows) {
      checkRows(rows);
      const values = new Float32Array(rows.length * width);
      return { ...compiled.transformInto(rows, values), values };
    },
  };
  return compiled;
}
