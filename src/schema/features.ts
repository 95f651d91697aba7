import type { ColumnSchema, Step } from './types.js';
import { categoryLabel } from './values.js';

/**
 * The output feature names one column emits, in emission order: its value features, then the
 * impute indicator. The rules are part of the schema format (a Python exporter writes the same):
 * - `<column>` for a one-feature column (number, scaled, ordinal, bucketize ordinal);
 * - `<column>_<category>` per kept one-hot category (booleans as `true`/`false`);
 * - `<column>_<bin>` per one-hot bin (0-based);
 * - `<column>_<i>` per image value (HWC order, 0-based);
 * - `<column>__missing` for an impute step with `indicator: true`.
 * @param column a column of a (possibly unvalidated) schema; unknown step kinds emit nothing.
 */
export function featureNames(column: ColumnSchema): string[] {
  const { name, steps } = column;
  const names: string[] = [];
  const last = lastValueStep(steps);
  switch (last?.kind) {
    case 'onehot':
      last.categories.forEach((c, i) => {
        if (i !== last.drop) names.push(`${name}_${categoryLabel(c)}`);
      });
      break;
    case 'bucketize':
      if (last.encode === 'onehot') for (let i = 0; i <= last.edges.length; i++) names.push(`${name}_${i}`);
      else names.push(name);
      break;
    case 'image': {
      const n = last.width * last.height * last.channels;
      for (let i = 0; i < n; i++) names.push(`${name}_${i}`);
      break;
    }
    default:
      names.push(name);
  }
  const first = steps[0];
  if (first?.kind === 'impute' && first.indicator === true) names.push(`${name}__missing`);
  return names;
}

/** The schema's default feature order: every column's {@link featureNames}, column by column. */
export function defaultFeatures(columns: readonly ColumnSchema[]): string[] {
  return columns.flatMap(featureNames);
}

/** The last step that is not `impute`: it decides the column's value features. */
function lastValueStep(steps: readonly Step[]): Step | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]?.kind !== 'impute') return steps[i];
  return undefined;
}
