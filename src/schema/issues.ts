import type { Issue, IssueCode } from '../errors.js';
import { describeValue } from './values.js';

/** Where a compiled transform collects issues while it runs; `row` is -1 for a single-row call. */
export interface IssueSink {
  issues: Issue[];
  row: number;
}

/** The pseudo column name used when a whole row is not an object. */
export const ROW_COLUMN = '(row)';

const HINTS: Record<IssueCode, string> = {
  MISSING_REQUIRED: 'send a value, or refit with an impute strategy',
  TYPE_MISMATCH: 'send the type the schema expects',
  PARSE_ERROR: 'send a plain decimal like "12.5" (no thousands separators, hex or words)',
  NOT_FINITE: 'send a finite number',
  UNKNOWN_CATEGORY: 'send a category seen in training, or refit with unknown: "ignore"',
  OUT_OF_RANGE: 'the prediction may be unreliable',
  UNKNOWN_COLUMN: 'remove the key, or add the column to the schema',
  INVALID_IMAGE: 'send ImageData, a canvas, an ImageBitmap, an <img>, a <video> that has a frame, an open VideoFrame, or a typed array of the schema size',
};

const WARNING_HINTS: Partial<Record<IssueCode, string>> = {
  UNKNOWN_CATEGORY: 'encoded as unknown (all zeros, or the unknown code) and counted for drift',
  UNKNOWN_COLUMN: 'the key is ignored',
};

/**
 * Records one issue. Returns `false` so a column reader can `return report(...)` for an error.
 * Messages read `Row 3, column "Sex": expected …, got …; what to do` (`hint`: the code's own by default).
 */
export function report(
  sink: IssueSink,
  code: IssueCode,
  column: string,
  expected: string,
  value: unknown,
  severity: Issue['severity'] = 'error',
  got: string = describeValue(value),
  hint: string = (severity === 'warning' && WARNING_HINTS[code]) || HINTS[code],
): false {
  const where = `${sink.row >= 0 ? `Row ${sink.row}, column` : 'Column'} ${JSON.stringify(column)}`;
  const message = `${where}: expected ${expected}, got ${got} (${code}); ${hint}`;
  sink.issues.push({ code, column, ...(sink.row >= 0 && { row: sink.row }), expected, got, severity, message });
  return false;
}
