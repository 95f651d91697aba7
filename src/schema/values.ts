/**
 * The coercion rules every column shares, in one place so fit (training) and transform
 * (inference) read raw values identically (a category column's normalisation: ./normalize.ts).
 */

/** A category value as stored in a schema. */
export type CategoryValue = string | number | boolean;

/**
 * The one decimal grammar for numeric strings (applied after trimming): optional sign, digits
 * with an optional fraction, optional exponent. No hex, `Infinity`, `NaN`, `1_000` or empty string.
 */
export const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a decimal string by {@link DECIMAL}. Returns `NaN` when the grammar does not match,
 * and ±Infinity when the literal overflows float64 (the caller reports NOT_FINITE).
 */
export function parseDecimal(text: string): number {
  const s = text.trim();
  // Number() alone would accept "", "0x1f", "Infinity" and " 1 "; the grammar decides first.
  return DECIMAL.test(s) ? Number(s) : NaN;
}

/**
 * Total order used for fitted categories, matching numpy/Python sorting: numbers numerically,
 * booleans false < true, strings by Unicode code point (JavaScript's `<` compares UTF-16 code
 * units, which differs from Python for characters outside the BMP).
 */
export function compareValues(a: CategoryValue, b: CategoryValue): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Renders a raw value short and safe to log: its type and at most 40 characters of it. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'bigint':
      return `bigint ${String(value)}n`;
    case 'object':
      return Array.isArray(value) ? `array(${value.length})` : 'object';
    default:
      return typeof value;
  }
}

/** Renders a fitted category for messages and feature names (a string as is). */
export function categoryLabel(value: CategoryValue): string {
  return String(value);
}
