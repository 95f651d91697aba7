/**
 * Column readers: raw JSON-ish value → parsed value, or MISSING, or INVALID (issue recorded).
 * Fit and transform both read through these, so training and inference agree on what a
 * value means.
 */
import type { IssueCode } from '../errors.js';
import { report } from './issues.js';
import type { IssueSink } from './issues.js';
import type { ColumnSchema } from './types.js';
import { normalizeString } from './normalize.js';
import { parseDecimal } from './values.js';
import type { CategoryValue } from './values.js';

/** A missing value (absent, null, undefined, NaN, or one of the column's missing strings). */
export const MISSING = Symbol('missing');
/** A value that failed validation; the issue is already in the sink. */
export const INVALID = Symbol('invalid');

/** What a reader returns. Numbers are always finite. */
export type Parsed = CategoryValue | typeof MISSING | typeof INVALID;

/** Reads one raw value of a column. Allocates nothing on the common paths. */
export type Reader = (raw: unknown, sink: IssueSink) => Parsed;

/** The primitive type values of a column take after reading. */
export type ValueType = 'number' | 'string' | 'boolean';

/** What to do with a string in a number column that reads none: usually a CSV field ("39.1", "n/a", ""). */
const STRING_HINT = 'add "parse": { "strings": "decimal" }, or list it in "missing.strings"';

/**
 * Compiles the reader for a column.
 * @param valueType for category columns, the type of the fitted categories (decides coercion).
 */
export function compileReader(column: ColumnSchema, valueType: ValueType = 'string'): Reader {
  const name = column.name;
  // Missing strings compare trimmed, and in a category column after its normalization (both sides).
  const mode = column.type === 'category' ? column.normalize : undefined;
  const norm = (s: string) => normalizeString(s.trim(), mode);
  const missing = column.missing && column.missing.strings.length > 0 ? new Set(column.missing.strings.map(norm)) : undefined;
  const isMissingString = (s: string) => missing !== undefined && missing.has(norm(s));
  /** Records an error issue of this column; `hint`: the code's own by default. */
  const bad = (sink: IssueSink, code: IssueCode, expected: string, raw: unknown, hint?: string): typeof INVALID => (
    report(sink, code, name, expected, raw, 'error', undefined, hint),
    INVALID
  );
  /** A decimal string (`parse.strings` or a coerced number category) → its finite number. */
  const decimal = (raw: string, sink: IssueSink): Parsed => {
    const x = parseDecimal(raw);
    if (x !== x) return bad(sink, 'PARSE_ERROR', 'a decimal number string', raw);
    return Number.isFinite(x) ? x : bad(sink, 'NOT_FINITE', 'a finite number', raw);
  };

  if (column.type === 'number') {
    const strings = column.parse?.strings === 'decimal';
    const expected = strings ? 'number or decimal string' : 'number';
    return (raw, sink) => {
      if (typeof raw === 'number') {
        if (raw !== raw) return MISSING;
        return Number.isFinite(raw) ? raw : bad(sink, 'NOT_FINITE', 'a finite number', raw);
      }
      if (raw === null || raw === undefined) return MISSING;
      if (typeof raw === 'string') {
        if (isMissingString(raw)) return MISSING;
        if (!strings) return bad(sink, 'TYPE_MISMATCH', expected, raw, STRING_HINT);
        return decimal(raw, sink);
      }
      return bad(sink, 'TYPE_MISMATCH', expected, raw);
    };
  }

  if (column.type === 'boolean') {
    const truthy = new Set((column.parse?.true ?? []).map((s) => s.trim().toLowerCase()));
    const falsy = new Set((column.parse?.false ?? []).map((s) => s.trim().toLowerCase()));
    const strings = column.parse !== undefined;
    return (raw, sink) => {
      if (typeof raw === 'boolean') return raw;
      if (raw === null || raw === undefined || (typeof raw === 'number' && raw !== raw)) return MISSING;
      if (typeof raw === 'string') {
        if (isMissingString(raw)) return MISSING;
        if (strings) {
          const s = raw.trim().toLowerCase();
          if (truthy.has(s)) return true;
          if (falsy.has(s)) return false;
          return bad(sink, 'PARSE_ERROR', `boolean or one of ${[...truthy, ...falsy].join('/')}`, raw);
        }
      }
      return bad(sink, 'TYPE_MISMATCH', 'boolean', raw);
    };
  }

  if (column.type === 'category') {
    const coerce = column.coerce === true;
    const expected = coerce ? `${valueType} (coerced)` : valueType;
    return (raw, sink) => {
      if (raw === null || raw === undefined || (typeof raw === 'number' && raw !== raw)) return MISSING;
      if (typeof raw === 'string') {
        if (isMissingString(raw)) return MISSING;
        if (valueType === 'string') return mode === undefined || mode === 'none' ? raw : normalizeString(raw, mode);
        if (!coerce) return bad(sink, 'TYPE_MISMATCH', expected, raw);
        if (valueType === 'boolean') {
          const s = normalizeString(raw, 'trim-lower');
          return s === 'true' ? true : s === 'false' ? false : bad(sink, 'PARSE_ERROR', '"true" or "false"', raw);
        }
        return decimal(raw, sink);
      }
      if (typeof raw === 'number' && !Number.isFinite(raw)) return bad(sink, 'NOT_FINITE', expected, raw);
      if (typeof raw === valueType) return raw as CategoryValue;
      if (coerce && valueType === 'string' && (typeof raw === 'number' || typeof raw === 'boolean')) return String(raw);
      return bad(sink, 'TYPE_MISMATCH', expected, raw);
    };
  }

  // Image columns are read by the image step itself; here only presence is decided.
  return (raw) => (raw === null || raw === undefined ? MISSING : INVALID);
}
