/**
 * fitSchema: training rows + a fit spec → a schema of fitted values, computed as scikit-learn 1.2
 * fits SimpleImputer → StandardScaler/MinMaxScaler → KBinsDiscretizer, or SimpleImputer →
 * OneHotEncoder/OrdinalEncoder, per column. Runs unchanged in Node and the browser.
 */
import { FerryError } from '../errors.js';
import type { Issue } from '../errors.js';
import { categoricalBaseline, numericBaseline } from './baseline.js';
import { checkSchema } from './check.js';
import { defaultFeatures, featuresWidth } from './features.js';
import type { IssueSink } from './issues.js';
import { INVALID, MISSING, compileReader } from './read.js';
import type { Parsed, ValueType } from './read.js';
import { normalizeSpec } from './spec.js';
import type { ColumnSpec, FitSpec } from './spec.js';
import { binEdges, mean, median, minmax, mostFrequent, sorted, standardize, uniqueSorted } from './stats.js';
import { SCHEMA_FORMAT_VERSION } from './types.js';
import type { ColumnSchema, Schema, Step } from './types.js';
import type { CategoryValue } from './values.js';

export type { FitSpec, ColumnSpec, ImputeSpec } from './spec.js';

/**
 * Fits a schema on training rows. Values are read by the same rules inference uses, so a value
 * that inference would reject makes the fit fail (`FIT_FAILED`, listing the first issues).
 * @example
 * const schema = fitSchema({ columns: { island: { type: 'category', unknown: 'ignore' },
 *   bill: { type: 'number', impute: 'median', scale: 'standard' } }, label: 'species' }, rows);
 */
export function fitSchema(spec: FitSpec, rows: ArrayLike<unknown>): Schema {
  const normalized = normalizeSpec(spec);
  // Nothing is fitted for an image column, so a spec of image columns only needs no rows at all.
  const fitsNothing = normalized.columns.every((c) => c.type === 'image') && normalized.label === undefined;
  if (!rows || typeof rows.length !== 'number' || (rows.length === 0 && !fitsNothing)) throw new FerryError('FIT_FAILED', 'fitSchema: no training rows');
  const records = Array.from(rows, (r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      throw new FerryError('FIT_FAILED', `fitSchema: row ${i} is not an object`, { details: { row: i } });
    return r as Record<string, unknown>;
  });
  const columns = normalized.columns.map((c) => fitColumn(c, records));
  const features = defaultFeatures(columns);
  const schema: Schema = { formatVersion: SCHEMA_FORMAT_VERSION, columns, features, width: featuresWidth(features) };
  if (normalized.unknownColumns !== undefined) schema.unknownColumns = normalized.unknownColumns;
  if (normalized.label !== undefined) {
    const label = normalized.label;
    const values = records.map((r) => r[label]).filter((v): v is CategoryValue => ['string', 'number', 'boolean'].includes(typeof v));
    schema.label = { column: label, classes: uniqueSorted(values) };
  }
  return checkSchema(schema);
}

function fitColumn(spec: ColumnSpec & { name: string }, rows: Array<Record<string, unknown>>): ColumnSchema {
  const name = spec.name;
  const fail = (message: string, issues?: Issue[]): never => {
    throw new FerryError('FIT_FAILED', `fitSchema: column "${name}": ${message}`, { details: { column: name, ...(issues ? { issues } : {}) } });
  };
  const base = columnBase(spec);
  if (spec.type === 'image') return { ...base, type: 'image', required: true, steps: [{ kind: 'image', ...spec.image! }] };

  // Read every value by the inference rules.
  const valueType =
    spec.type === 'category'
      ? categoryType(
          spec,
          rows.map((r) => r[name]),
        )
      : spec.type === 'boolean'
        ? 'boolean'
        : 'number';
  const read = compileReader(base, valueType);
  const sink: IssueSink = { issues: [], row: 0 };
  const parsed: Parsed[] = rows.map((r, i) => ((sink.row = i), read(r[name], sink)));
  if (sink.issues.length > 0)
    fail(
      `${sink.issues.length} training value(s) fail the inference rules, e.g. ${sink.issues
        .slice(0, 3)
        .map((i) => i.message)
        .join(' | ')}`,
      sink.issues.slice(0, 50),
    );
  const present = parsed.filter((v): v is CategoryValue => v !== MISSING && v !== INVALID);
  const missing = parsed.length - present.length;

  // SimpleImputer.
  const steps: Step[] = [];
  let filled: CategoryValue[] = present;
  if (spec.impute !== undefined) {
    if (present.length === 0 && typeof spec.impute === 'string') fail(`every training value is missing; impute "${spec.impute}" has nothing to learn from`);
    const nums = present as number[];
    const value =
      typeof spec.impute === 'object'
        ? spec.impute.constant
        : spec.impute === 'mean'
          ? mean(
              parsed.map((v) => (typeof v === 'symbol' ? 0 : Number(v))), // 0 for a missing value, as np.ma.mean sums
              nums.length,
            )
          : spec.impute === 'median'
            ? median(sorted(nums))
            : mostFrequent(present);
    if (typeof value !== valueType) fail(`impute value ${JSON.stringify(value)} is not a ${valueType} like the column's values`);
    steps.push(spec.indicator === true ? { kind: 'impute', value, indicator: true } : { kind: 'impute', value });
    filled = parsed.map((v) => (v === MISSING || v === INVALID ? value : v));
  } else if (missing > 0 && !(spec.encode === 'ordinal' && spec.encodedMissing !== undefined))
    fail(`${missing} training value(s) are missing; add "impute" (or "missing" strings for placeholders)`);

  const encode = spec.type === 'category' ? (spec.encode ?? 'onehot') : spec.encode;
  if (encode !== undefined) {
    const categories = spec.categories ? [...spec.categories] : uniqueSorted(filled);
    if (categories.length === 0) fail('no categories to encode');
    const known = new Set(categories);
    const unseen = filled.find((v) => !known.has(v));
    if (unseen !== undefined && (spec.unknown ?? 'error') === 'error')
      fail(`training value ${JSON.stringify(unseen)} is not in "categories" (set unknown: "ignore" to allow it)`);
    // No missing value in training: a constant fill is no category, and "error" would reject every missing value.
    const fill = steps[0] as { value?: CategoryValue } | undefined;
    if (fill && !known.has(fill.value!) && (spec.unknown ?? 'error') === 'error')
      fail(
        `impute value ${JSON.stringify(fill.value)} is not in the categories ${JSON.stringify(categories)}, so every missing value would be an unknown category (set unknown: "ignore", or list it in "categories")`,
      );
    steps.push(encoder(encode, categories, spec, fail));
    return { ...base, steps, baseline: categoricalBaseline(categories, present, missing) };
  }

  // Numbers and booleans as numbers: scaler, then discretizer, on imputed values as in a Pipeline.
  let xs = filled.map(Number);
  if (spec.scale !== undefined) {
    if (spec.scale === 'standard') {
      const s = standardize(xs);
      steps.push({ kind: 'standardize', mean: s.mean, scale: s.scale });
      xs = xs.map((x) => (x - s.mean) / s.scale);
    } else {
      const opts = typeof spec.scale === 'object' ? spec.scale.minmax : {};
      const [lo, hi] = opts.range ?? [0, 1];
      if (!(lo < hi)) fail(`minmax range [${lo}, ${hi}] must be increasing`);
      const m = minmax(xs, lo, hi);
      steps.push(opts.clip === true ? { kind: 'minmax', ...m, clip: { min: lo, max: hi } } : { kind: 'minmax', ...m });
      xs = xs.map((x) => x * m.scale + m.offset);
    }
  }
  if (spec.bucketize !== undefined) {
    const edges = binEdges(sorted(xs), spec.bucketize.bins, spec.bucketize.strategy);
    steps.push({ kind: 'bucketize', edges: edges.slice(1, -1), encode: spec.bucketize.encode });
  }
  const column = { ...base, steps } as ColumnSchema;
  if (spec.type === 'number') {
    const nums = present as number[];
    if (spec.range !== false && nums.length > 0)
      (column as { range?: object }).range = { min: nums.reduce((a, b) => (b < a ? b : a)), max: nums.reduce((a, b) => (b > a ? b : a)) };
    column.baseline = numericBaseline(nums, missing);
  } else column.baseline = categoricalBaseline([false, true], present, missing);
  return column;
}

/** The column fields that are not fitted: type, presence, parse and missing rules. */
function columnBase(spec: ColumnSpec & { name: string }): ColumnSchema {
  const c: Record<string, unknown> = { name: spec.name, type: spec.type };
  if (spec.required !== undefined) c.required = spec.required;
  if (spec.missing !== undefined) c.missing = { strings: [...spec.missing.strings] };
  if (spec.parse !== undefined && (spec.type === 'number' || spec.type === 'boolean')) c.parse = spec.parse;
  if (spec.type === 'category' && spec.normalize !== undefined) c.normalize = spec.normalize;
  if (spec.type === 'category' && spec.coerce !== undefined) c.coerce = spec.coerce;
  c.steps = [];
  return c as unknown as ColumnSchema;
}

/** A category column's value type: from fixed categories, else from the first training value. */
function categoryType(spec: ColumnSpec & { name: string }, raw: unknown[]): ValueType {
  const missing = new Set(spec.missing?.strings.map((m) => m.trim()));
  const present = raw.filter((v) => ['string', 'number', 'boolean'].includes(typeof v) && !(typeof v === 'string' && missing.has(v.trim())));
  const type = typeof (spec.categories?.[0] ?? present[0] ?? '');
  // Mixed training types read as strings under coerce; without it the reader reports each misfit.
  if (spec.coerce === true && spec.categories === undefined && present.some((v) => typeof v !== type)) return 'string';
  return type as ValueType;
}

function encoder(kind: 'onehot' | 'ordinal', categories: CategoryValue[], spec: ColumnSpec, fail: (m: string) => never): Step {
  const unknown = spec.unknown ?? 'error';
  if (kind === 'onehot') {
    if (typeof unknown === 'object') fail('one-hot "unknown" must be "error" or "ignore"');
    const drop = spec.drop === 'first' || (spec.drop === 'if_binary' && categories.length === 2) ? 0 : undefined;
    const step: Step = { kind: 'onehot', categories, unknown: unknown };
    return drop === undefined ? step : { ...step, drop };
  }
  if (spec.drop !== undefined) fail('"drop" applies to one-hot encoding');
  const step: Step = { kind: 'ordinal', categories, unknown: unknown === 'error' ? 'error' : unknown === 'ignore' ? { value: -1 } : unknown };
  if (spec.encodedMissing !== undefined) step.missing = spec.encodedMissing;
  return step;
}
