/** The API of a compiled schema: what {@link compileSchema} in `./compile.ts` returns. */
import type { Issue } from '../errors.js';
import type { ValueObserver } from './capture.js';
import type { FeatureEntry, Schema } from './types.js';

/** What a batch transform found: every issue (with its `row`) and which rows were rejected. */
export interface BatchResult {
  issues: Issue[];
  /** 1 where the row had an error-severity issue; that row's output slice is all zeros. */
  rejected: Uint8Array;
}

/** {@link CompiledSchema.safeParse}'s result: values and warnings, or every issue. */
export type SafeParseResult = { success: true; values: Float32Array; warnings: Issue[] } | { success: false; issues: Issue[] };

/** A schema compiled for validation and transform; `I` is the input row type. */
export interface CompiledSchema<I = Record<string, unknown>> {
  readonly schema: Schema;
  /** Floats per transformed row (`schema.width`). */
  readonly width: number;
  /** Output features in model-input order (`schema.features`: names, and ranges for image values). */
  readonly features: readonly FeatureEntry[];
  /** Raw column names; a {@link ValueObserver}'s `column` indexes this list. */
  readonly columns: readonly string[];
  /**
   * Validates `rows` and writes `rows.length × width` floats into `out` from `offset` (in floats).
   * Never throws for bad row data: rejected rows are zero-filled and listed. `observe` sees each
   * valid value: called per value, or, when it carries a `capture`, stored into that in one pass.
   * @throws FerryError `INVALID_OPTIONS` when `out` is too small (a caller mistake).
   */
  transformInto(rows: ArrayLike<I>, out: Float32Array, observe?: ValueObserver, offset?: number): BatchResult;
  /** One row → its features; throws one `ValidationError` holding every issue (warnings pass). */
  parse(row: I): Float32Array;
  /** One row → `{ success, values, warnings }` or `{ success: false, issues }`; never throws. */
  safeParse(row: I): SafeParseResult;
  /** Many rows → `rows × width` floats; throws a `ValidationError` if any row has an error. */
  parseBatch(rows: ArrayLike<I>): Float32Array;
  /** Many rows → fresh values plus the {@link BatchResult}; never throws for bad rows. */
  safeParseBatch(rows: ArrayLike<I>): BatchResult & { values: Float32Array };
}
