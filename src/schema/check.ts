/**
 * Validates a schema before it is compiled. A schema usually arrives over the network as JSON,
 * so every field is checked here once, and the hot path can trust it afterwards.
 */
import { FerryError } from '../errors.js';
import { featureNames } from './features.js';
import { SCHEMA_FORMAT_VERSION } from './types.js';
import type { ColumnSchema, Schema, Step } from './types.js';

type Where = { column?: string; step?: number; kind?: string };

function fail(where: Where, message: string): never {
  const at =
    where.column === undefined
      ? 'schema'
      : `column "${where.column}"${where.step === undefined ? '' : ` steps[${where.step}] (${where.kind ?? '?'})`}`;
  throw new FerryError('SCHEMA_INVALID', `Invalid schema: ${at}: ${message}. Re-export or refit the schema.`, {
    details: { ...where },
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Finite also after the cast to the float32 output. */
const isFloat32 = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(Math.fround(v));
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const oneOf = (v: unknown, options: readonly unknown[]) => v === undefined || options.includes(v);

/**
 * Throws a `SCHEMA_INVALID` {@link FerryError} naming the column and step at fault, or returns
 * the schema typed. Checks structure, fitted values, step order, and that `features` holds
 * exactly the features the columns emit.
 */
export function checkSchema(input: unknown): Schema {
  if (!isObject(input)) fail({}, `expected an object, got ${input === null ? 'null' : typeof input}`);
  if (input.formatVersion !== SCHEMA_FORMAT_VERSION)
    fail({}, `formatVersion ${String(input.formatVersion)} is not supported (this ferryml reads ${SCHEMA_FORMAT_VERSION})`);
  if (!Array.isArray(input.columns) || input.columns.length === 0) fail({}, '"columns" must be a non-empty array');
  if (!oneOf(input.unknownColumns, ['ignore', 'warn', 'error'])) fail({}, '"unknownColumns" must be ignore, warn or error');
  const seen = new Set<string>();
  const emitted: string[] = [];
  for (const column of input.columns as unknown[]) {
    if (!isObject(column) || typeof column.name !== 'string' || column.name === '')
      fail({}, 'every column needs a non-empty string "name"');
    if (seen.has(column.name)) fail({ column: column.name }, 'duplicate column name');
    seen.add(column.name);
    checkColumn(column as unknown as ColumnSchema);
    emitted.push(...featureNames(column as unknown as ColumnSchema));
  }
  const { features, width } = input;
  if (!isStringArray(features)) fail({}, '"features" must be an array of strings');
  const featureSet = new Set(features);
  if (featureSet.size !== features.length) fail({}, '"features" has duplicate names');
  if (width !== features.length) fail({}, `"width" is ${String(width)} but "features" has ${features.length} names`);
  const emittedSet = new Set(emitted);
  if (emittedSet.size !== emitted.length) fail({}, 'two columns emit the same feature name; rename a column');
  for (const f of emitted) if (!featureSet.has(f)) fail({}, `"features" lacks "${f}", which a column emits`);
  for (const f of features) if (!emittedSet.has(f)) fail({}, `"features" names "${f}", which no column emits`);
  return input as unknown as Schema;
}

function checkColumn(c: ColumnSchema): void {
  const at: Where = { column: c.name };
  if (!['number', 'category', 'boolean', 'image'].includes(c.type)) fail(at, `unknown type "${String(c.type)}"`);
  if (c.required !== undefined && typeof c.required !== 'boolean') fail(at, '"required" must be a boolean');
  if (c.missing !== undefined && !(isObject(c.missing) && isStringArray(c.missing.strings)))
    fail(at, '"missing" must be { strings: string[] }');
  if (c.type === 'number') {
    if (c.parse !== undefined && !(isObject(c.parse) && oneOf(c.parse.strings, ['decimal', 'never'])))
      fail(at, '"parse" must be { strings: "decimal" | "never" }');
    if (c.range !== undefined && !(isObject(c.range) && isFinite(c.range.min) && isFinite(c.range.max) && c.range.min <= c.range.max))
      fail(at, '"range" must be { min, max } with finite min <= max');
  }
  if (c.type === 'category') {
    if (!oneOf(c.normalize, ['none', 'trim', 'lower', 'trim-lower'])) fail(at, '"normalize" must be none, trim, lower or trim-lower');
    if (c.coerce !== undefined && typeof c.coerce !== 'boolean') fail(at, '"coerce" must be a boolean');
  }
  if (c.type === 'boolean' && c.parse !== undefined && !(isObject(c.parse) && isStringArray(c.parse.true) && isStringArray(c.parse.false)))
    fail(at, '"parse" must be { true: string[], false: string[] }');
  if (!Array.isArray(c.steps)) fail(at, '"steps" must be an array');
  checkSteps(c);
  if (c.required === false && !handlesMissing(c.steps))
    fail(at, '"required" is false but no step handles a missing value (add an impute step or an ordinal missing code)');
  if (c.baseline !== undefined) checkBaseline(c, at);
}

/** True when the column's steps turn a missing value into output (so the column may be absent). */
export function handlesMissing(steps: readonly Step[]): boolean {
  const first = steps[0];
  return first?.kind === 'impute' || (first?.kind === 'ordinal' && first.missing !== undefined);
}

function checkSteps(c: ColumnSchema): void {
  const kinds = c.steps.map((s) => (isObject(s) ? s.kind : undefined));
  const start = kinds[0] === 'impute' ? 1 : 0;
  const valueKind = c.type === 'category' ? undefined : c.type === 'boolean' ? 'boolean' : 'number';
  // Encoders compare raw values, so they come right after impute; scaling may precede bucketize.
  // Each kind is followed by one space so the grammar reads as a plain regular expression.
  const order =
    c.type === 'image'
      ? /^image $/
      : c.type === 'category'
        ? /^(impute )?(onehot |ordinal )$/
        : c.type === 'boolean'
          ? /^(impute )?((standardize |minmax )*(passthrough )?|onehot |ordinal )$/
          : /^(impute )?((standardize |minmax )*(passthrough |bucketize )?|onehot |ordinal )$/;
  if (!order.test(kinds.map((k) => `${String(k)} `).join('')))
    fail({ column: c.name }, `steps [${kinds.join(', ')}] are not a valid order for a ${c.type} column`);
  let encoderType: string | undefined = valueKind;
  c.steps.forEach((step, i) => {
    const at: Where = { column: c.name, step: i, kind: step.kind };
    if (i >= start) encoderType = checkStep(step, at, valueKind) ?? encoderType;
  });
  if (kinds[0] === 'impute') {
    const value = (c.steps[0] as { value: unknown }).value;
    const at: Where = { column: c.name, step: 0, kind: 'impute' };
    if (typeof value !== encoderType || (typeof value === 'number' && !Number.isFinite(value)))
      fail(at, `"value" must be a finite ${encoderType ?? 'value'} like the column's categories, got ${JSON.stringify(value)}`);
    const indicator = (c.steps[0] as { indicator?: unknown }).indicator;
    if (indicator !== undefined && typeof indicator !== 'boolean') fail(at, '"indicator" must be a boolean');
  }
}

/** Checks one non-impute step; returns the category type of an encoder step. */
function checkStep(s: Step, at: Where, valueKind: string | undefined): string | undefined {
  switch (s.kind) {
    case 'standardize':
      if (!isFinite(s.mean) || !isFinite(s.scale) || s.scale === 0) fail(at, '"mean" and "scale" must be finite, scale non-zero');
      return undefined;
    case 'minmax':
      if (!isFinite(s.scale) || !isFinite(s.offset)) fail(at, '"scale" and "offset" must be finite');
      if (s.clip !== undefined && !(isObject(s.clip) && isFinite(s.clip.min) && isFinite(s.clip.max) && s.clip.min <= s.clip.max))
        fail(at, '"clip" must be { min, max } with finite min <= max');
      return undefined;
    case 'bucketize':
      if (!Array.isArray(s.edges) || !s.edges.every((e, i) => isFinite(e) && (i === 0 || e >= s.edges[i - 1]!)))
        fail(at, '"edges" must be finite and ascending');
      if (!oneOf(s.encode, ['ordinal', 'onehot']) || s.encode === undefined) fail(at, '"encode" must be ordinal or onehot');
      return undefined;
    case 'onehot':
    case 'ordinal': {
      const type = checkCategories(s.categories, at, valueKind);
      if (s.kind === 'onehot') {
        if (s.unknown !== 'error' && s.unknown !== 'ignore') fail(at, '"unknown" must be error or ignore');
        if (s.drop !== undefined && !(Number.isInteger(s.drop) && s.drop >= 0 && s.drop < s.categories.length))
          fail(at, `"drop" must be an index into categories (0..${s.categories.length - 1})`);
      } else {
        if (s.unknown !== 'error' && !(isObject(s.unknown) && isFloat32(s.unknown.value)))
          fail(at, '"unknown" must be "error" or { value: number } (finite in float32)');
        if (s.missing !== undefined && !isFloat32(s.missing)) fail(at, '"missing" must be a number finite in float32');
      }
      return type;
    }
    case 'passthrough':
      return undefined;
    case 'image':
      checkImage(s, at);
      return undefined;
    default:
      return fail(at, `unknown step kind "${String((s as { kind: unknown }).kind)}"`);
  }
}

function checkCategories(categories: unknown, at: Where, valueKind: string | undefined): string {
  if (!Array.isArray(categories) || categories.length === 0) fail(at, '"categories" must be a non-empty array');
  const type = typeof categories[0];
  if (!['string', 'number', 'boolean'].includes(type)) fail(at, 'categories must be strings, numbers or booleans');
  if (valueKind !== undefined && type !== valueKind) fail(at, `categories of a ${valueKind} column must be ${valueKind}s`);
  for (const v of categories)
    if (typeof v !== type || (typeof v === 'number' && !Number.isFinite(v))) fail(at, `categories mix types or hold a non-finite number (${JSON.stringify(v)})`);
  if (new Set(categories).size !== categories.length) fail(at, 'categories must be unique');
  return type;
}

function checkImage(s: Extract<Step, { kind: 'image' }>, at: Where): void {
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 4096;
  if (!positive(s.width) || !positive(s.height)) fail(at, '"width" and "height" must be integers in 1..4096');
  if (![1, 3, 4].includes(s.channels)) fail(at, '"channels" must be 1, 3 or 4');
  if (!oneOf(s.resize, ['bilinear', 'nearest'])) fail(at, '"resize" must be bilinear or nearest');
  if (!oneOf(s.grayscale, ['luma', 'mean', 'alpha'])) fail(at, '"grayscale" must be luma, mean or alpha');
  if (s.invert !== undefined && typeof s.invert !== 'boolean') fail(at, '"invert" must be a boolean');
  for (const key of ['scale', 'offset'] as const) {
    const v = s[key];
    if (!Array.isArray(v) || !(v.length === 1 || v.length === s.channels) || !v.every(isFinite))
      fail(at, `"${key}" must hold 1 or ${s.channels} finite numbers`);
  }
  s.scale.forEach((k, i) => {
    if (!isFloat32(255 * Math.abs(k) + Math.abs(s.offset[i] ?? s.offset[0]!))) fail(at, '"scale"/"offset" overflow float32 for pixel 255');
  });
}

function checkBaseline(c: ColumnSchema, at: Where): void {
  const b = c.baseline as unknown;
  const shares = (n: number, v: unknown) => Array.isArray(v) && v.length === n && v.every((x) => isFinite(x) && x >= 0);
  if (!isObject(b) || !isFinite(b.missing) || b.missing < 0 || b.missing > 1 || !Number.isInteger(b.rows))
    fail(at, '"baseline" needs missing (0..1) and rows');
  if (b.kind === 'numeric') {
    const edges = b.edges;
    if (!Array.isArray(edges) || !edges.every((e, i) => isFinite(e) && (i === 0 || e > edges[i - 1])))
      fail(at, 'baseline "edges" must be finite and strictly ascending');
    if (!shares(edges.length + 1, b.shares)) fail(at, 'baseline "shares" must hold edges.length + 1 non-negative numbers');
  } else if (b.kind === 'categorical') {
    if (!Array.isArray(b.categories) || !shares(b.categories.length, b.shares))
      fail(at, 'baseline "shares" must hold one non-negative number per category');
  } else fail(at, 'baseline "kind" must be numeric or categorical');
}
