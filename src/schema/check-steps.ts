/**
 * Schema checks for steps: the order steps may come in per column type, and each step's
 * fitted values. Also the small predicates every check shares.
 */
import { FerryError } from '../errors.js';
import type { ColumnSchema, Step } from './types.js';

/** Where a schema problem is: the column, and the step index and kind. */
export type Where = { column?: string; step?: number; kind?: string };

/** Throws `SCHEMA_INVALID` naming where the problem is, what it is and what to do (`fix`); `cause`: the error behind it. */
export function fail(where: Where, message: string, fix = 'Re-export or refit the schema', cause?: unknown): never {
  const at =
    where.column === undefined ? 'schema' : `column "${where.column}"${where.step === undefined ? '' : ` steps[${where.step}] (${where.kind ?? '?'})`}`;
  throw new FerryError('SCHEMA_INVALID', `Invalid schema: ${at}: ${message}. ${fix}.`, { cause, details: where });
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Finite also after the cast to the float32 output. */
export const isFloat32 = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(Math.fround(v));
export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
export const oneOf = (v: unknown, options: readonly unknown[]) => v === undefined || options.includes(v);
/** Fails unless `v` is absent or one of `options`, naming them ("a, b or c"). */
export function pick(at: Where, key: string, v: unknown, options: readonly string[]): void {
  if (!oneOf(v, options)) fail(at, `"${key}" must be ${options.slice(0, -1).join(', ')} or ${options[options.length - 1]!}`);
}

/** Checks a column's step order (a grammar per column type) and each step's fitted values. */
export function checkSteps(c: ColumnSchema): void {
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
    // With unknown "ignore" (or an ordinal unknown code) an unseen fill encodes as unknown, as in scikit-learn.
    const e = (c.steps[1] ?? {}) as { categories?: unknown[]; unknown?: unknown };
    if (e.unknown === 'error' && !e.categories!.includes(value))
      fail(at, `"value" ${JSON.stringify(value)} is not in the categories ${JSON.stringify(e.categories)} (unknown: "error")`);
    const indicator = (c.steps[0] as { indicator?: unknown }).indicator;
    if (indicator !== undefined && typeof indicator !== 'boolean') fail(at, '"indicator" must be a boolean');
  }
}

/** Checks one non-impute step; returns the category type of an encoder step. */
function checkStep(s: Step, at: Where, valueKind: string | undefined): string | undefined {
  switch (s.kind) {
    case 'standardize':
      // A subnormal divisor overflows every output; a tiny normal one is what scikit-learn fits on tiny values.
      if (!isFloat32(s.mean) || !isFloat32(s.scale) || !(Math.abs(s.scale) >= 2 ** -1022))
        fail(at, '"mean" and "scale" must be finite in float32, scale non-zero and not subnormal');
      return undefined;
    case 'minmax':
      if (!isFloat32(s.scale) || !isFloat32(s.offset)) fail(at, '"scale" and "offset" must be finite in float32');
      if (s.clip !== undefined && !(isObject(s.clip) && isFinite(s.clip.min) && isFinite(s.clip.max) && s.clip.min <= s.clip.max))
        fail(at, '"clip" must be { min, max } with finite min <= max');
      return undefined;
    case 'bucketize':
      if (!Array.isArray(s.edges) || !s.edges.every((e, i) => isFinite(e) && (i === 0 || e >= s.edges[i - 1]!)))
        fail(at, '"edges" must be finite and ascending');
      pick(at, 'encode', s.encode ?? 0, ['ordinal', 'onehot']); // required
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
      if (s.missing !== undefined && s.missing !== 'nan')
        fail(at, `"missing" must be "nan" (a missing value reaches the model as NaN) or absent, got ${JSON.stringify(s.missing)}`);
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
    if (typeof v !== type || (typeof v === 'number' && !Number.isFinite(v)))
      fail(at, `categories mix types or hold a non-finite number (${JSON.stringify(v)})`);
  if (new Set(categories).size !== categories.length) fail(at, 'categories must be unique');
  return type;
}

function checkImage(s: Extract<Step, { kind: 'image' }>, at: Where): void {
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 4096;
  if (!positive(s.width) || !positive(s.height)) fail(at, '"width" and "height" must be integers in 1..4096');
  if (![1, 3, 4].includes(s.channels)) fail(at, '"channels" must be 1, 3 or 4');
  pick(at, 'resize', s.resize, ['bilinear', 'area', 'nearest', 'bilinear-half-pixel', 'bilinear-align-corners', 'bilinear-asymmetric']);
  const weights = Array.isArray(s.grayscale) && s.grayscale.length === 3 && s.grayscale.every(isFinite);
  if (!weights && !oneOf(s.grayscale, ['luma', 'mean', 'alpha'])) fail(at, '"grayscale" must be luma, mean, alpha or [r, g, b] weights');
  pick(at, 'channelOrder', s.channelOrder, ['rgb', 'bgr']);
  pick(at, 'crop', s.crop, ['none', 'center', 'letterbox']);
  if (s.crop !== 'letterbox' && (s.pad !== undefined || s.letterboxAlign !== undefined))
    fail(at, '"pad" and "letterboxAlign" apply only with "crop": "letterbox"');
  if (
    s.pad !== undefined &&
    (!Array.isArray(s.pad) || !(s.pad.length === 1 || s.pad.length === s.channels) || !s.pad.every((v) => isFinite(v) && v >= 0 && v <= 255))
  )
    fail(at, `"pad" must hold 1 or ${s.channels} pixel values in 0..255`);
  pick(at, 'letterboxAlign', s.letterboxAlign, ['center', 'top-left']);
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
