// ferryml's public contract: named exports only, no logic. Each subsystem owns its section.
// Node-only tooling (CLI, collector) is not exported here; it ships as the `ferryml` bin.

// errors
export { FerryError, ValidationError, isFerryError, isValidationError } from './errors.js';
export type { FerryErrorCode, FerryErrorOptions, Issue, IssueCode } from './errors.js';

// schema
export { SCHEMA_FORMAT_VERSION } from './schema/types.js';
export type {
  Schema,
  ColumnSchema,
  NumberColumn,
  CategoryColumn,
  BooleanColumn,
  ImageColumn,
  Step,
  Baseline,
  NumericBaseline,
  CategoricalBaseline,
} from './schema/types.js';

// model bundles and registry
export { MANIFEST_FORMAT_VERSION } from './model/manifest.js';
export type { Manifest, BundleFile, OutputSpec, Golden, Registry, RegistryEntry } from './model/manifest.js';

// cache

// runtime

// telemetry
