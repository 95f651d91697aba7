/**
 * What a batch capture's stored indices refer to, per column (the layout is in ./capture.ts).
 * Its own module so that only the readers of a capture (telemetry, lazily loaded) carry it.
 */
import type { ColumnSchema } from './types.js';
import type { CategoryValue } from './values.js';

const BOOLEANS: readonly CategoryValue[] = [false, true];

/**
 * The categories a captured column's indices refer to: the encoder's (one-hot / ordinal),
 * `[false, true]` for a boolean column without one (stored as 0 / 1), or `undefined` when the
 * parsed number itself is stored.
 */
export function captureCategories(column: ColumnSchema): readonly CategoryValue[] | undefined {
  for (const s of column.steps) if (s.kind === 'onehot' || s.kind === 'ordinal') return s.categories;
  return column.type === 'boolean' ? BOOLEANS : undefined;
}
