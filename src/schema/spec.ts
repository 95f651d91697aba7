/**
 * The fit spec: what training asks for, per column, in scikit-learn's own words. `fitSchema`
 * turns it plus training rows into a schema of fitted values.
 */
import { FerryError } from '../errors.js';
import type { CategoryColumn, ImageStep, Schema } from './types.js';
import type { CategoryValue } from './values.js';

/** How to fill missing values (`SimpleImputer(strategy=…)`; `{ constant }` is `fill_value`). */
export type ImputeSpec = 'mean' | 'median' | 'most_frequent' | { constant: CategoryValue };

/** One column of a {@link FitSpec}. Everything but `type` is optional. */
export interface ColumnSpec {
  type: 'number' | 'category' | 'boolean' | 'image';
  /** Missing is an error (`true`) or must be imputed (`false`). @default false when `impute` is set, else true */
  required?: boolean;
  /** Strings meaning missing, e.g. `["", "NA", "."]`. */
  missing?: { strings: readonly string[] };
  /** Numbers: `{ strings: "decimal" }` accepts numeric strings. Booleans: `{ true: [...], false: [...] }`. */
  parse?: { strings: 'decimal' | 'never' } | { true: readonly string[]; false: readonly string[] };
  /** SimpleImputer strategy. */
  impute?: ImputeSpec;
  /** `add_indicator=True`: also emit `<column>__missing`. @default false */
  indicator?: boolean;
  /** StandardScaler or MinMaxScaler (numbers, booleans). `{ minmax: { range, clip } }` sets `feature_range`/`clip`. */
  scale?: 'standard' | 'minmax' | { minmax: { range?: readonly [number, number]; clip?: boolean } };
  /** OneHotEncoder or OrdinalEncoder. @default "onehot" for categories */
  encode?: 'onehot' | 'ordinal';
  /**
   * Unseen categories: `"error"`, `"ignore"` (one-hot: all zeros; ordinal: code -1), or for ordinal
   * `{ value }` (`handle_unknown="use_encoded_value"`). @default "error"
   */
  unknown?: 'error' | 'ignore' | { value: number };
  /** OneHotEncoder `drop`. */
  drop?: 'first' | 'if_binary';
  /** OrdinalEncoder `encoded_missing_value` for missing values that are not imputed. */
  encodedMissing?: number;
  /** Fixed categories (`categories=[...]`) instead of the sorted values seen in training. */
  categories?: readonly CategoryValue[];
  /** KBinsDiscretizer (numbers). `encode` is "onehot" (dense) or "ordinal". */
  bucketize?: { bins: number; strategy: 'uniform' | 'quantile'; encode: 'onehot' | 'ordinal' };
  /** Category normalisation before comparing. @default "none" */
  normalize?: CategoryColumn['normalize'];
  /** Category coercion of other primitive types. @default false */
  coerce?: boolean;
  /** Record the training range and warn outside it (numbers). @default true */
  range?: boolean;
  /** Pixel preprocessing for image columns (nothing is fitted). */
  image?: Omit<ImageStep, 'kind'>;
}

/** What to fit: per column (in order) and an optional label column. */
export interface FitSpec {
  /** Columns in order: an object keyed by name, or an array of `{ name, ... }`. */
  columns: Readonly<Record<string, ColumnSpec>> | ReadonlyArray<ColumnSpec & { name: string }>;
  /** The training label: excluded from features; its sorted classes are recorded. */
  label?: string;
  /** How inference treats keys no column names. @default "ignore" */
  unknownColumns?: Schema['unknownColumns'];
}

/** A spec with columns as an ordered list. */
export interface NormalizedSpec {
  columns: Array<ColumnSpec & { name: string }>;
  label: string | undefined;
  unknownColumns: Schema['unknownColumns'];
}

const fail = (column: string, message: string): never => {
  throw new FerryError('INVALID_OPTIONS', `Fit spec: column "${column}": ${message}`, { details: { column } });
};

/** Orders the columns and rejects spec mistakes (`INVALID_OPTIONS` naming the column and option). */
export function normalizeSpec(spec: FitSpec): NormalizedSpec {
  // The spec is user JSON (a CLI file or an untyped caller) typed as FitSpec: these checks are the validation.
  /* eslint-disable @typescript-eslint/no-unnecessary-condition */
  if (typeof spec !== 'object' || spec === null || typeof spec.columns !== 'object' || spec.columns === null)
    throw new FerryError('INVALID_OPTIONS', 'Fit spec: expected { columns: {...}, label? }');
  const columns = Array.isArray(spec.columns)
    ? (spec.columns as Array<ColumnSpec & { name: string }>)
    : Object.entries(spec.columns as Record<string, ColumnSpec>).map(([name, c]) => ({ ...c, name }));
  if (columns.length === 0) throw new FerryError('INVALID_OPTIONS', 'Fit spec: "columns" is empty');
  for (const c of columns) {
    if (typeof c.name !== 'string' || c.name === '') throw new FerryError('INVALID_OPTIONS', 'Fit spec: every column needs a name');
    if (!['number', 'category', 'boolean', 'image'].includes(c.type))
      fail(c.name, `"type" must be number, category, boolean or image, got ${JSON.stringify(c.type)}`);
    const numeric = c.type === 'number' || c.type === 'boolean';
    if (c.scale !== undefined && !numeric) fail(c.name, '"scale" applies to number and boolean columns');
    if (c.bucketize !== undefined) {
      if (c.type !== 'number') fail(c.name, '"bucketize" applies to number columns');
      const b = c.bucketize;
      if (!Number.isInteger(b.bins) || b.bins < 2) fail(c.name, `bucketize "bins" must be an integer >= 2, got ${String(b.bins)}`);
      if (b.strategy !== 'uniform' && b.strategy !== 'quantile') fail(c.name, 'bucketize "strategy" must be uniform or quantile');
      if (b.encode !== 'onehot' && b.encode !== 'ordinal') fail(c.name, 'bucketize "encode" must be onehot or ordinal');
      if (c.encode !== undefined) fail(c.name, 'use either "bucketize" or "encode"');
    }
    if (c.encode !== undefined && c.encode !== 'onehot' && c.encode !== 'ordinal') fail(c.name, '"encode" must be onehot or ordinal');
    if (c.encode !== undefined && c.scale !== undefined) fail(c.name, 'an encoded column cannot also be scaled');
    if (c.drop !== undefined && c.drop !== 'first' && c.drop !== 'if_binary') fail(c.name, '"drop" must be first or if_binary');
    if (
      c.impute !== undefined &&
      !['mean', 'median', 'most_frequent'].includes(c.impute as string) &&
      !(typeof c.impute === 'object' && c.impute !== null && 'constant' in c.impute)
    )
      fail(c.name, '"impute" must be mean, median, most_frequent or { constant: value }');
    if ((c.impute === 'mean' || c.impute === 'median') && c.type !== 'number') fail(c.name, `impute "${c.impute}" needs a number column`);
    if (c.type === 'image' && c.image === undefined) fail(c.name, 'an image column needs "image": { width, height, channels, scale, offset }');
    if (c.type === 'image' && (c.impute !== undefined || c.encode !== undefined)) fail(c.name, 'image columns take only "image"');
  }
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  if (spec.label !== undefined && columns.some((c) => c.name === spec.label)) fail(spec.label, 'the label cannot also be an input column');
  return { columns, label: spec.label, unknownColumns: spec.unknownColumns };
}
