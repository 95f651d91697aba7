/**
 * defineSchema: a schema written in code, with the input row type inferred from it.
 * A wrong column name, or a string for a number column that does not parse strings, is a
 * compile error at the call site.
 */
import { checkSchema } from './check.js';
import { defaultFeatures, featureNames, featuresWidth } from './features.js';
import type { ImageSource } from './image.js';
import { SCHEMA_FORMAT_VERSION } from './types.js';
import type { FeatureEntry, Schema } from './types.js';

/** A schema as written in code: `formatVersion`, `features` and `width` may be left out. */
export type SchemaDefinition = Omit<Schema, 'formatVersion' | 'features' | 'width'> & Partial<Pick<Schema, 'formatVersion' | 'features' | 'width'>>;

/** What {@link defineSchema} returns: the definition's literal types plus the derived fields. */
export type DefinedSchema<S extends SchemaDefinition> = S & {
  /** The definition's own (1 names every image value) or, when left out, the current version. */
  formatVersion: S extends { formatVersion: infer V } ? V : typeof SCHEMA_FORMAT_VERSION;
  features: readonly FeatureEntry[];
  width: number;
};

/**
 * Completes and checks a schema written in code (throws `SCHEMA_INVALID` like compileSchema),
 * keeping its literal types so {@link InferInput} can derive the row type.
 * @example
 * const schema = defineSchema({ columns: [
 *   { name: 'island', type: 'category', steps: [{ kind: 'onehot', categories: ['Biscoe', 'Dream'], unknown: 'ignore' }] },
 *   { name: 'mass', type: 'number', steps: [{ kind: 'impute', value: 4200 }, { kind: 'standardize', mean: 4200, scale: 800 }] },
 * ] });
 * type Row = InferInput<typeof schema>; // { island: string; mass?: number | null | undefined }
 */
export function defineSchema<const S extends SchemaDefinition>(definition: S): DefinedSchema<S> {
  let schema: unknown = definition;
  try {
    // formatVersion 1 names every image value; a current schema describes them as one range.
    const features = definition.features ?? (definition.formatVersion === 1 ? definition.columns.flatMap(featureNames) : defaultFeatures(definition.columns));
    schema = {
      ...definition,
      formatVersion: definition.formatVersion ?? SCHEMA_FORMAT_VERSION,
      features,
      width: definition.width ?? featuresWidth(features),
    };
  } catch {
    // Plain JS can pass any shape (a column without steps, columns keyed by name): checkSchema names what is wrong.
  }
  return checkSchema(schema) as DefinedSchema<S>;
}

type Columns<S> = S extends { columns: readonly (infer C extends { name: string })[] } ? C : never;
type StepsOf<C> = C extends { steps: readonly (infer St)[] } ? St : never;
type MissingStrings<C> = C extends { missing: { strings: readonly (infer M)[] } } ? M : never;
type Widen<V> = V extends string ? string : V extends number ? number : V extends boolean ? boolean : never;

/** Whether a column may be missing: `required`, else whether a step handles missing (check.ts `handlesMissing`). */
type Optional<C> = C extends { required: false }
  ? true
  : C extends { required: true }
    ? false
    : Extract<StepsOf<C>, { kind: 'passthrough'; missing: 'nan' }> extends never
      ? FirstStepHandlesMissing<C>
      : true;

type FirstStepHandlesMissing<C> = C extends { steps: readonly [infer F, ...unknown[]] }
  ? F extends { kind: 'impute' }
    ? true
    : F extends { kind: 'ordinal'; missing: number }
      ? true
      : false
  : false;

/** Accepted values of an encoded column: the fitted categories, widened when unknowns are allowed. */
type Encoded<C> =
  Extract<StepsOf<C>, { kind: 'onehot' | 'ordinal' }> extends infer E
    ? E extends { categories: readonly (infer V)[]; unknown: infer U }
      ? (U extends 'error' ? V : Widen<V>) | (C extends { coerce: true } ? string | number | boolean : never) | Normalized<C>
      : never
    : never;

/** A normalising category column accepts any string (it may normalise to a category). */
type Normalized<C> = C extends { normalize: 'trim' | 'lower' | 'trim-lower' } ? string : never;

type HasEncoder<C> = [Extract<StepsOf<C>, { kind: 'onehot' | 'ordinal' }>] extends [never] ? false : true;

/** The input type of one column's value. */
export type ColumnInput<C> = C extends { type: 'number' }
  ? (HasEncoder<C> extends true ? Encoded<C> : number) | (C extends { parse: { strings: 'decimal' } } ? string : never) | MissingStrings<C>
  : C extends { type: 'category' }
    ? Encoded<C> | MissingStrings<C>
    : C extends { type: 'boolean' }
      ? (HasEncoder<C> extends true ? Encoded<C> : boolean) | (C extends { parse: { true: readonly string[] } } ? string : never) | MissingStrings<C>
      : C extends { type: 'image' }
        ? ImageSource
        : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The input row type of a schema from {@link defineSchema}: required columns as required keys,
 * columns that may be missing as optional keys accepting `null`/`undefined`. A schema whose
 * column names are not literal types (one loaded from JSON) gives `Record<string, unknown>`.
 */
export type InferInput<S> = string extends Columns<S>['name']
  ? Record<string, unknown>
  : Simplify<
      { [C in Columns<S> as Optional<C> extends true ? never : C['name']]: ColumnInput<C> } & {
        [C in Columns<S> as Optional<C> extends true ? C['name'] : never]?: ColumnInput<C> | null | undefined;
      }
    >;
