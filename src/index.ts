// ferryml's public contract for apps: named exports only, no logic. What an app uses — load a
// model, predict, handle errors, type its rows, manage the cache — and nothing else.
// Tooling lives at subpaths: `ferryml/schema` (compile, fit, check a schema), `ferryml/bundle`
// (open bundles and registries without a model), `ferryml/telemetry` (drift thresholds, capture
// types) and `ferryml/worker` (the worker script, for bundlers that need it as an entry).
// Node-only tooling (CLI, collector) is not exported; it ships as the `ferryml` bin.

// errors
export { FerryError, ValidationError, isFerryError, isValidationError } from './errors.js';
export type { FerryErrorCode, Issue, IssueCode } from './errors.js';

// loading and predicting
export { loadModel } from './load-model.js';
export type { LoadModelOptions, AppSchema } from './load-model.js';
export type { RuntimeOptions } from './runtime/options.js';
export type { OpenBundleOptions, BundleCacheOptions, BundleProgress, PublicKeyInput, PublicKeys } from './model/open-bundle-options.js';
export type { Model, ModelInfo, ModelStats, PredictOptions, BatchPredictions, ColumnPredictions } from './runtime/model-types.js';
export type { ModelMemory } from './runtime/types.js';
export type { Prediction, ClassificationPrediction, RegressionPrediction, LabelProbability } from './runtime/decode.js';
export type { Detection, DetectionPrediction, RawPrediction, RawTensor } from './runtime/decode.js';
export type { BackendName, Rejection, RejectionCode, AdapterInfo, Decision, Timings, LeanMode, EngineName, EngineFacts } from './runtime/types.js';
export type { BundleSource, ResolvedBy } from './model/bundle-source.js';
export type { Manifest, OutputSpec, DetectionSpec, InputTensor, OutputTensor } from './model/manifest.js';

// typing rows: a schema in code infers predict()'s input type
export { defineSchema } from './schema/define.js';
export type { InferInput, ColumnInput, SchemaDefinition, DefinedSchema } from './schema/define.js';
export type { Schema, ColumnSchema, NumberColumn, CategoryColumn, BooleanColumn, ImageColumn, Step } from './schema/types.js';
export type { ImageSource, PixelData } from './schema/image.js';

// the model cache
export { modelCache } from './cache/manage.js';
export type { CacheSelector } from './cache/manage.js';
export type { CachedBundleInfo } from './cache/records.js';
export type { BucketOptions } from './cache/storage-bucket.js';
export type { KvStore, KvTransaction, StorageLike } from './cache/kv-store.js';

// telemetry (loaded lazily by loadModel when `telemetry` is given)
export type { TelemetryOptions, OfflineOptions, TelemetryStats, TelemetryHandle, FeatureDrift, DriftStatus, DropReason } from './telemetry/types.js';
