/**
 * Validates a schema before it is compiled. A schema usually arrives over the network as JSON,
 * so every field is checked here once, and the hot path can trust it afterwards.
 */
import { checkSteps, fail, isFinite, isObject, isStringArray, oneOf, pick } from './check-steps.js';
import type { Where } from './check-steps.js';
import { isFerryError } from '../errors.js';
import { layoutFeatures } from './layout.js';
import { normalizeString } from './normalize.js';
import type { FeatureLayout } from './layout.js';
import { SCHEMA_FORMAT_VERSION } from './types.js';
import type { ColumnSchema, Schema, Step } from './types.js';

/**
 * Throws a `SCHEMA_INVALID` FerryError naming the column and step at fault, or returns
 * the schema typed. Checks structure, fitted values, step order, and that `features` holds
 * exactly the features the columns emit. Reads formatVersion 2 and formatVersion 1.
 */
export function checkSchema(input: unknown): Schema {
  return checkSchemaLayout(input).schema;
}

/** {@link checkSchema}, also returning where each column's features sit in a row (./layout.ts). */
export function checkSchemaLayout(input: unknown): { schema: Schema; layout: FeatureLayout } {
  try {
    return checkUnguarded(input);
  } catch (error) {
    if (isFerryError(error)) throw error;
    // A malformed schema must never surface as a bare TypeError or RangeError.
    fail({}, (error as Error)?.message ?? String(error), undefined, error);
  }
}

function checkUnguarded(input: unknown): { schema: Schema; layout: FeatureLayout } {
  if (!isObject(input)) fail({}, `expected an object, got ${input === null ? 'null' : typeof input}`);
  // A hand-written schema often leaves the version out: the rest is checked as the current
  // version first, so a missing version does not mask another problem (and is reported last).
  const version: unknown = input.formatVersion ?? SCHEMA_FORMAT_VERSION;
  if (version !== SCHEMA_FORMAT_VERSION && version !== 1)
    fail({}, `formatVersion ${String(version)} is not supported (this ferryml reads 1 and ${SCHEMA_FORMAT_VERSION})`);
  const columns = input.columns;
  if (!Array.isArray(columns) || columns.length === 0) fail({}, '"columns" must be a non-empty array');
  pick({}, 'unknownColumns', input.unknownColumns, ['ignore', 'warn', 'error']);
  const seen = new Set<string>();
  for (const column of columns as unknown[]) {
    if (!isObject(column) || typeof column.name !== 'string' || column.name === '') fail({}, 'every column needs a non-empty string "name"');
    if (seen.has(column.name)) fail({ column: column.name }, 'duplicate column name');
    seen.add(column.name);
    checkColumn(column as unknown as ColumnSchema);
  }
  const layout = layoutFeatures(input.features, version, columns as ColumnSchema[]);
  if (input.width !== layout.width)
    fail({}, `"width" is ${String(input.width)} but "features" has ${layout.width} ${layout.ranges.size > 0 ? 'values' : 'names'}`);
  if (input.formatVersion !== version) fail({}, 'no "formatVersion"', 'Add "formatVersion": 2');
  return { schema: input as unknown as Schema, layout };
}

function checkColumn(c: ColumnSchema): void {
  const at: Where = { column: c.name };
  // Shape first: the checks below (and features.ts) read the steps as an array.
  if (!Array.isArray(c.steps)) fail(at, '"steps" must be an array');
  if (!['number', 'category', 'boolean', 'image'].includes(c.type)) fail(at, `unknown type ${JSON.stringify(c.type)}`);
  if (c.required !== undefined && typeof c.required !== 'boolean') fail(at, '"required" must be a boolean');
  if (c.missing !== undefined && !(isObject(c.missing) && isStringArray(c.missing.strings))) fail(at, '"missing" must be { strings: string[] }');
  if (c.type === 'number') {
    if (c.parse !== undefined && !(isObject(c.parse) && oneOf(c.parse.strings, ['decimal', 'never'])))
      fail(at, '"parse" must be { strings: "decimal" | "never" }');
    if (c.range !== undefined && !(isObject(c.range) && isFinite(c.range.min) && isFinite(c.range.max) && c.range.min <= c.range.max))
      fail(at, '"range" must be { min, max } with finite min <= max');
  }
  if (c.type === 'category') {
    pick(at, 'normalize', c.normalize, ['none', 'trim', 'lower', 'trim-lower']);
    if (c.coerce !== undefined && typeof c.coerce !== 'boolean') fail(at, '"coerce" must be a boolean');
  }
  if (c.type === 'boolean' && c.parse !== undefined) {
    if (!(isObject(c.parse) && isStringArray(c.parse.true) && isStringArray(c.parse.false))) fail(at, '"parse" must be { true: string[], false: string[] }');
    // the reader compares trimmed and lower-cased
    for (const s of c.parse.true)
      if (c.parse.false.some((f) => normalizeString(f, 'trim-lower') === normalizeString(s, 'trim-lower')))
        fail(at, `"parse" lists ${JSON.stringify(s)} as true and false`);
  }
  checkSteps(c);
  // The reader normalizes input before the lookup, so a category the normalization changes is never matched.
  if (c.type === 'category')
    for (const k of (c.steps[c.steps.length - 1] as { categories: unknown[] }).categories)
      if (typeof k === 'string' && normalizeString(k, c.normalize) !== k)
        fail(at, `category ${JSON.stringify(k)} changes under normalize "${c.normalize}", so no input matches it`);
  if (c.required === false && !handlesMissing(c.steps))
    fail(at, '"required" is false but no step handles a missing value (add an impute step or an ordinal missing code)');
  if (c.baseline !== undefined) checkBaseline(c, at);
}

/** True when the column's steps turn a missing value into output (so the column may be absent). */
export function handlesMissing(steps: readonly Step[]): boolean {
  const first = steps[0];
  // A passthrough that lets missing through as NaN comes after scaling steps, which keep NaN NaN.
  return (
    first?.kind === 'impute' || (first?.kind === 'ordinal' && first.missing !== undefined) || steps.some((s) => s.kind === 'passthrough' && s.missing === 'nan')
  );
}

function checkBaseline(c: ColumnSchema, at: Where): void {
  const b = c.baseline as unknown;
  // Shares are of the non-missing training values; they sum to less than 1 where some were outside the categories.
  const shares = (n: number, v: unknown) =>
    Array.isArray(v) && v.length === n && v.every((x) => isFinite(x) && x >= 0) && v.reduce((a: number, x: number) => a + x, 0) < 1 + 1e-6;
  if (!isObject(b) || !isFinite(b.missing) || b.missing < 0 || b.missing > 1 || !(Number.isInteger(b.rows) && (b.rows as number) >= 0))
    fail(at, '"baseline" needs missing (0..1) and rows (an integer >= 0)');
  if (b.kind === 'numeric') {
    const edges = b.edges;
    if (!Array.isArray(edges) || !edges.every((e, i) => isFinite(e) && (i === 0 || e > edges[i - 1])))
      fail(at, 'baseline "edges" must be finite and strictly ascending');
    if (!shares(edges.length + 1, b.shares)) fail(at, 'baseline "shares" must hold edges.length + 1 non-negative numbers summing to at most 1');
  } else if (b.kind === 'categorical') {
    if (!Array.isArray(b.categories) || !shares(b.categories.length, b.shares))
      fail(at, 'baseline "shares" must hold one non-negative number per category, summing to at most 1');
    if (new Set(b.categories).size !== b.categories.length) fail(at, 'baseline "categories" must be unique');
  } else fail(at, 'baseline "kind" must be numeric or categorical');
}
