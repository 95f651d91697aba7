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
  ImputeStep,
  StandardizeStep,
  MinMaxStep,
  BucketizeStep,
  OneHotStep,
  OrdinalStep,
  PassthroughStep,
  ImageStep,
} from './schema/types.js';
export { compileSchema } from './schema/compile.js';
export type { CompiledSchema, BatchResult, SafeParseResult, ValueObserver } from './schema/compile.js';
export { defineSchema } from './schema/define.js';
export type { InferInput, ColumnInput, SchemaDefinition, DefinedSchema } from './schema/define.js';
export { fitSchema } from './schema/fit.js';
export type { FitSpec, ColumnSpec, ImputeSpec } from './schema/fit.js';
export { checkSchema } from './schema/check.js';
export { featureNames } from './schema/features.js';
// Image columns as one { column, count } entry (schema formatVersion 2).
export { columnFeatures } from './schema/features.js';
export type { FeatureEntry, FeatureRange } from './schema/features.js';
export { baselineBin } from './schema/bin.js';
export type { ImageSource, PixelData } from './schema/image.js';
// schemaToDts (the `ferryml types` generator) is Node tooling and is not exported here.

// model bundles and registry
export { MANIFEST_FORMAT_VERSION } from './model/manifest.js';
export type { Manifest, BundleFile, OutputSpec, Golden, Registry, RegistryEntry } from './model/manifest.js';
export type { DetectionSpec, InputTensor, OutputTensor } from './model/manifest.js';
export { openBundle } from './model/open-bundle.js';
export type { OpenBundleOptions, BundleCacheOptions, BundleProgress, PublicKeyInput } from './model/open-bundle-options.js';
export type { OpenedBundle, BundleSource, ResolvedBy, BundleCacheStatus } from './model/opened-bundle.js';
export { bundleFromFiles } from './model/bundle-from-files.js';
export type { BundleFromFilesOptions } from './model/bundle-from-files.js';
export { rolloutBucket } from './model/rollout.js';
export { parseRegistry, resolveVersion } from './model/registry.js';
export type { VersionRequest, Resolution } from './model/registry.js';
// Left out on purpose: manifest parsing, canonical JSON, hashing and signature checks run
// inside openBundle/bundleFromFiles (lazily loaded); the Node CLI imports them from src/model/.

// cache
export { listCached, evict, clear, storageEstimate } from './cache/manage.js';
export type { CacheSelector } from './cache/manage.js';
export type { CachedBundleInfo } from './cache/records.js';
export type { BucketOptions } from './cache/storage-bucket.js';

// runtime
export { loadModel } from './load-model.js';
export type { LoadModelOptions, AppSchema } from './load-model.js';
export { RUNTIME_DEFAULTS } from './runtime/options.js';
export type { RuntimeOptions } from './runtime/options.js';
export type { Model, ModelInfo, ModelStats, PredictOptions, BatchPredictions } from './runtime/model-types.js';
export type { Prediction, ClassificationPrediction, RegressionPrediction, LabelProbability } from './runtime/decode.js';
export type { Detection, DetectionPrediction, RawPrediction, RawTensor } from './runtime/decode.js';
export { BACKEND_NAMES } from './runtime/types.js';
export type { BackendName, Rejection, RejectionCode, AdapterInfo, Decision, Timings, RememberedChoice, LeanMode } from './runtime/types.js';
// The engine, scheduler and worker protocol are internal: loadModel composes them, and the
// tfjs-side modules load lazily (never on the page in worker mode).

// telemetry
// createTelemetry is not exported: loadModel imports it lazily when `telemetry` options are given,
// so an app without telemetry ships none of it. ValueObserver is exported with the schema API;
// ValueCapture is its batch side (what telemetry's hook carries), for apps that write their own.
export type { ValueCapture } from './schema/capture.js';
export { PSI_WARN, PSI_ALERT } from './telemetry/psi.js';
export type {
  Telemetry,
  TelemetryOptions,
  TelemetryStats,
  TelemetryContext,
  OfflineOptions,
  ModelLoadedEvent,
  LoadSource,
  DropReason,
  FeatureDrift,
  DriftStatus,
} from './telemetry/types.js';
