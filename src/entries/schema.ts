// `ferryml/schema`: schema tooling — compile a schema to validate and transform rows yourself,
// fit one from data, check one, name its features. Apps that only predict need the root.
export { SCHEMA_FORMAT_VERSION } from '../schema/types.js';
export type {
  Baseline,
  NumericBaseline,
  CategoricalBaseline,
  ImputeStep,
  StandardizeStep,
  MinMaxStep,
  BucketizeStep,
  OneHotStep,
  OrdinalStep,
  PassthroughStep,
  ImageStep,
} from '../schema/types.js';
export { compileSchema } from '../schema/compile.js';
export type { CompiledSchema, BatchResult, SafeParseResult, ValueObserver } from '../schema/compile.js';
export type { ValueCapture } from '../schema/capture.js';
export { fitSchema } from '../schema/fit.js';
export type { FitSpec, ColumnSpec, ImputeSpec } from '../schema/fit.js';
export { checkSchema } from '../schema/check.js';
export { featureNames } from '../schema/features.js';
export { baselineBin } from '../schema/bin.js';
// Image columns as one { column, count } entry (schema formatVersion 2).
export { columnFeatures } from '../schema/features.js';
export type { FeatureEntry, FeatureRange } from '../schema/features.js';
