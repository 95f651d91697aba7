/**
 * The one option checker of the SDK and its Node tools: loadModel's runtime options, openBundle,
 * telemetry and the collector all throw the same `INVALID_OPTIONS` shape through it —
 * ``<scope>: `<option>` must be <expected>; got <value>`` with `details: { scope, option, expected, got }`.
 */
import { FerryError } from './errors.js';

/** What a number option accepts. */
export interface NumberRule {
  /** Smallest accepted value. @default -Infinity */
  min?: number;
  /** Largest accepted value. @default Infinity */
  max?: number;
  /** Only whole numbers. @default false */
  integer?: boolean;
  /** Accept `Infinity` (e.g. "count every row"). @default false */
  infinity?: boolean;
}

/** Prints a value for a message: JSON where it has one, else its string form. */
export function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The `INVALID_OPTIONS` error for one option: who checked it, what it must be, what came. */
export function optionError(scope: string, option: string, expected: string, got: unknown, cause?: unknown): FerryError {
  return new FerryError('INVALID_OPTIONS', `${scope}: \`${option}\` must be ${expected}; got ${show(got)}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { scope, option, expected, got },
  });
}

/** `value` (or `fallback` when undefined) checked against `rule`; throws {@link optionError}. */
export function checkNumber(scope: string, option: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
  if (value === undefined) return fallback;
  const { min = -Infinity, max = Infinity, integer = false, infinity = false } = rule;
  const ok =
    typeof value === 'number' &&
    (Number.isFinite(value) || (infinity && value === Infinity)) &&
    value >= min &&
    value <= max &&
    (!integer || value === Infinity || Number.isInteger(value));
  if (ok) return value;
  const kind = integer ? 'an integer' : 'a finite number';
  const range =
    Number.isFinite(min) && Number.isFinite(max) ? ` in [${min}, ${max}]` : Number.isFinite(min) ? ` ≥ ${min}` : Number.isFinite(max) ? ` ≤ ${max}` : '';
  throw optionError(scope, option, `${kind}${range}${infinity ? ' (or Infinity)' : ''}`, value);
}

/** `value` (or `fallback` when undefined) when it is one of `choices`; throws {@link optionError}. */
export function checkChoice<T>(scope: string, option: string, value: unknown, fallback: T, choices: readonly T[]): T {
  if (value === undefined) return fallback;
  if (choices.includes(value as T)) return value as T;
  throw optionError(scope, option, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
}

/** `value` resolved against `base` (the page, in a browser); throws {@link optionError} when it is not a URL. */
export function checkUrl(scope: string, option: string, value: string | URL, base: string | undefined): URL {
  try {
    return new URL(value, base);
  } catch (cause) {
    throw optionError(scope, option, 'a URL (absolute, or relative to the page)', String(value), cause);
  }
}

/** The page's URL (what relative URLs resolve against), or undefined outside a page or worker. */
export function pageBase(): string | undefined {
  return typeof location === 'undefined' ? undefined : location.href;
}
