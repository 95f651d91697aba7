/**
 * The "send messy rows" set, built from the schema so it fits any model version: a valid base
 * row, then one row per kind of mess real data has. Each carries what the schema says should
 * happen, in words; the page shows that next to what the SDK actually did.
 */
import type { ColumnSchema, CompiledSchema } from './sdk.js';
import { allowsMissing, categoriesOf } from './schema-form.js';

/** One row to send and what the schema predicts for it. */
export interface MessyRow {
  title: string;
  row: Record<string, unknown>;
  /** What the schema's rules say (not what happened: the SDK's answer is shown separately). */
  expectation: string;
}

function baseValue(column: ColumnSchema): unknown {
  const first = column.steps[0];
  if (first?.kind === 'impute') return first.value;
  if (column.type === 'number') return column.range ? (column.range.min + column.range.max) / 2 : 0;
  return categoriesOf(column)[0];
}

/** A plausible valid row: every column at its imputation value, else the middle of its range or its first category. */
export function baseRow(columns: readonly ColumnSchema[]): Record<string, unknown> {
  return Object.fromEntries(columns.filter((c) => c.type !== 'image').map((c) => [c.name, baseValue(c)]));
}

/** The messy rows for `schema`; kinds the schema has no column for are left out. */
export function messyRows(schema: CompiledSchema): MessyRow[] {
  const columns = schema.schema.columns.filter((c) => c.type !== 'image');
  const numbers = columns.filter((c): c is Extract<ColumnSchema, { type: 'number' }> => c.type === 'number');
  const categories = columns.filter((c) => c.type === 'category');
  const base = baseRow(columns);
  const rows: MessyRow[] = [];

  const asString = numbers[0];
  if (asString) {
    const inRange = !asString.range || (39.1 >= asString.range.min && 39.1 <= asString.range.max);
    const text = inRange ? '39.1' : String(base[asString.name]);
    rows.push({
      title: `"${asString.name}" as the string "${text}"`,
      row: { ...base, [asString.name]: text },
      expectation:
        asString.parse?.strings === 'decimal' ? 'the column parses decimal strings: accepted as a number' : 'the column takes numbers only: TYPE_MISMATCH',
    });
  }
  const missing = numbers[numbers.length - 1];
  if (missing) {
    const { [missing.name]: _missing, ...row } = base;
    const first = missing.steps[0];
    rows.push({
      title: `"${missing.name}" left out`,
      row,
      expectation: allowsMissing(missing)
        ? first?.kind === 'impute'
          ? `imputed with the training value ${String(first.value)}`
          : 'allowed missing'
        : 'required: MISSING_REQUIRED',
    });
  }
  const category = categories[0];
  if (category) {
    const encoder = category.steps.find((s) => s.kind === 'onehot' || s.kind === 'ordinal');
    const ignores = encoder?.kind === 'onehot' ? encoder.unknown === 'ignore' : encoder?.kind === 'ordinal' && encoder.unknown !== 'error';
    rows.push({
      title: `"${category.name}" = "Atlantis" (never seen in training)`,
      row: { ...base, [category.name]: 'Atlantis' },
      expectation: ignores ? 'unknown categories are encoded as all zeros and counted for drift' : 'unknown categories are rejected: UNKNOWN_CATEGORY',
    });
  }
  const word = numbers[1] ?? numbers[0];
  if (word) {
    rows.push({
      title: `"${word.name}" = "forty-two"`,
      row: { ...base, [word.name]: 'forty-two' },
      expectation: word.parse?.strings === 'decimal' ? 'not a decimal: PARSE_ERROR, this row only' : 'not a number: TYPE_MISMATCH, this row only',
    });
  }
  const policy = schema.schema.unknownColumns ?? 'ignore';
  rows.push({
    title: 'an extra key "Colour" = "blue"',
    row: { ...base, Colour: 'blue' },
    expectation:
      policy === 'ignore'
        ? 'keys the schema does not name are ignored'
        : policy === 'warn'
          ? 'UNKNOWN_COLUMN warning; the row still runs'
          : 'UNKNOWN_COLUMN error',
  });
  return rows;
}
