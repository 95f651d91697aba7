import type { ColumnSchema, FeatureEntry, Step } from './types.js';

export type { FeatureEntry, FeatureRange } from './types.js';

/** How many features one entry stands for. */
export const entryWidth = (entry: FeatureEntry): number => (typeof entry === 'string' ? 1 : entry.count);

/**
 * The features one column emits, compactly and in emission order: its value features (an image
 * column as one {@link FeatureRange}), then the impute indicator. The rules are part of the schema
 * format (a Python exporter writes the same):
 * - `<column>` for a one-feature column (number, scaled, ordinal, bucketize ordinal);
 * - `<column>_<category>` per kept one-hot category (booleans as `true`/`false`);
 * - `<column>_<bin>` per one-hot bin (0-based);
 * - `{ column, count }` for an image's values (HWC order), read as `<column>_<i>`;
 * - `<column>__missing` for an impute step with `indicator: true`.
 * @param column a column of a (possibly unvalidated) schema; unknown step kinds emit nothing.
 */
export function columnFeatures(column: ColumnSchema): FeatureEntry[] {
  const { name, steps } = column;
  const entries: FeatureEntry[] = [];
  const last = lastValueStep(steps);
  switch (last?.kind) {
    case 'onehot':
      last.categories.forEach((c, i) => {
        if (i !== last.drop) entries.push(`${name}_${c}`);
      });
      break;
    case 'bucketize':
      if (last.encode === 'onehot') for (let i = 0; i <= last.edges.length; i++) entries.push(`${name}_${i}`);
      else entries.push(name);
      break;
    case 'image':
      entries.push({ column: name, count: last.width * last.height * last.channels });
      break;
    default:
      entries.push(name);
  }
  const first = steps[0];
  if (first?.kind === 'impute' && first.indicator === true) entries.push(`${name}__missing`);
  return entries;
}

/**
 * The output feature names one column emits, one name per value (formatVersion 1's form).
 * An image column yields `width × height × channels` names: prefer {@link columnFeatures}.
 */
export function featureNames(column: ColumnSchema): string[] {
  const names: string[] = [];
  for (const entry of columnFeatures(column))
    if (typeof entry === 'string') names.push(entry);
    else for (let i = 0; i < entry.count; i++) names.push(`${entry.column}_${i}`);
  return names;
}

/** The schema's default feature order: every column's {@link columnFeatures}, column by column. */
export function defaultFeatures(columns: readonly ColumnSchema[]): FeatureEntry[] {
  const entries: FeatureEntry[] = [];
  for (const column of columns) for (const entry of columnFeatures(column)) entries.push(entry);
  return entries;
}

/** Total width of a feature list. */
export function featuresWidth(entries: readonly FeatureEntry[]): number {
  let width = 0;
  for (const entry of entries) width += entryWidth(entry);
  return width;
}

/** The last step that is not `impute`: it decides the column's value features. */
function lastValueStep(steps: readonly Step[]): Step | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]?.kind !== 'impute') return steps[i];
  return undefined;
}
