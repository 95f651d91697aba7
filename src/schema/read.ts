/**
 * Column readers: raw JSON-ish value → parsed value, or MISSING, or INVALID (issue recorded).
 * Fit and transform both read through these, so training and inference agree on what a
 * value means.
 */
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

  if (column.type === 'number') {
    const strings = column.parse?.strings === 'decimal';
    const expected = strings ? 'number or decimal string' : 'number';
    return (raw, sink) => {
      if (typeof raw === 'number') {
        if (raw !== raw) return MISSING;
        return Number.isFinite(raw) ? raw : (report(sink, 'NOT_FINITE', name, 'a finite number', raw), INVALID);
      }
      if (raw === null || raw === undefined) return MISSING;
      if (typeof raw === 'string') {
        if (isMissingString(raw)) return MISSING;
        if (!strings) return (report(sink, 'TYPE_MISMATCH', name, expected, raw), INVALID);
        const x = parseDecimal(raw);
        if (x !== x) return (report(sink, 'PARSE_ERROR', name, 'a decimal number string', raw), INVALID);
        return Number.isFinite(x) ? x : (report(sink, 'NOT_FINITE', name, 'a finite number', raw), INVALID);
      }
      return (report(sink, 'TYPE_MISMATCH', name, expected, raw), INVALID);
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
          return (report(sink, 'PARSE_ERROR', name, `boolean or one of ${[...truthy, ...falsy].join('/')}`, raw), INVALID);
        }
      }
      return (report(sink, 'TYPE_MISMATCH', name, 'boolean', raw), INVALID);
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
        if (!coerce) return (report(sink, 'TYPE_MISMATCH', name, expected, raw), INVALID);
        if (valueType === 'boolean') {
          const s = normalizeString(raw, 'trim-lower');
          return s === 'true' ? true : s === 'false' ? false : (report(sink, 'PARSE_ERROR', name, '"true" or "false"', raw), INVALID);
        }
        const x = parseDecimal(raw);
        if (x !== x) return (report(sink, 'PARSE_ERROR', name, 'a decimal number string', raw), INVALID);
        return Number.isFinite(x) ? x : (report(sink, 'NOT_FINITE', name, 'a finite number', raw), INVALID);
      }
      if (typeof raw === 'number' && !Number.isFinite(raw)) return (report(sink, 'NOT_FINITE', name, expected, raw), INVALID);
      if (typeof raw === valueType) return raw as CategoryValue;
      if (coerce && valueType === 'string' && (typeof raw === 'number' || typeof raw === 'boolean')) return String(raw);
      return (report(sink, 'TYPE_MISMATCH', name, expected, raw), INVALID);
    };
  }

  // Image columns are read by the image step itself; here only presence is decided.
  return (raw) => (raw === null || raw === undefined ? MISSING : INVALID);
}
