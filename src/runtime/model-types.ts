/**
 * The public shape of a loaded model: `predict`, `predictBatch`, `info`, `stats`, `dispose`.
 */
import type { FerryErrorCode, Issue } from '../errors.js';
import type { Manifest, OutputSpec } from '../model/manifest.js';
import type { BundleSource, ResolvedBy } from '../model/bundle-source.js';
import type { BundleCacheStatus } from '../model/cache-status.js';
import type { BundlePhases } from '../model/bundle-phases.js';
import type { FeatureEntry, Schema } from '../schema/types.js';
import type { TelemetryHandle } from '../telemetry/types.js';
import type { Prediction } from './decode.js';
import type { EngineFacts, ModelMemory, Timings } from './types.js';

/** Per-call options of `predict` and `predictBatch`. */
export interface PredictOptions {
  /** Aborting rejects this call with `ABORTED` (other callers in its batch are unaffected). */
  signal?: AbortSignal;
  /** Rejects this call with `TIMEOUT` after this many ms; 0 means none. @default loadModel's `predictTimeoutMs` */
  timeoutMs?: number;
}

/** What `predictBatch` resolves to: one entry per input row, `null` where the row failed validation. */
export interface BatchPredictions {
  predictions: Array<Prediction | null>;
  /** Every issue found, errors and warnings, each with its `row` index into the input. */
  issues: Issue[];
}

/**
 * What `predictColumns` resolves to: the raw model output of every row in one typed array, with
 * no object per row. `outputs` row `i` is what `predict` would return as `raw` for row `i`.
 */
export interface ColumnPredictions {
  /** Rows given (the columns' length). */
  rows: number;
  /** Values per output row (e.g. one probability per label, in `manifest.output.labels` order). */
  outputWidth: number;
  /** `rows × outputWidth` float32, row-major; the values of a row that failed validation are NaN. */
  outputs: Float32Array;
  /** 1 where the row passed validation and was predicted, 0 where it was rejected. */
  valid: Uint8Array;
  /** Every issue found, errors and warnings, each with its `row` index, in row order. */
  issues: Issue[];
}

/** What a loaded model is and how it got there: the bundle's facts, and the engine's ({@link EngineFacts}). */
export interface ModelInfo extends EngineFacts {
  name: string;
  version: string;
  /** sha256 of the bundle's manifest.json: the bundle's identity. */
  bundleId: string;
  /** Where the files came from: `network`, `cache`, `offline` (cache because the network failed) or `local` (files handed in). */
  source: BundleSource;
  /** Which rule picked the version (pin, channel, rollout, stable, offline-fallback, bundle). */
  resolvedBy: ResolvedBy;
  /**
   * Set when a cached version stands in (`source: "offline"`): why (the network failed, or the
   * registry did not verify: `REGISTRY_SIGNATURE_INVALID`, `REGISTRY_ROLLBACK`, `REGISTRY_EXPIRED`)
   * and the version the registry asked for, when known.
   */
  fallback?: { code: FerryErrorCode; message: string; wanted?: string };
  /** tfjs runs in a dedicated Web Worker. */
  worker: boolean;
  /** Model-input features, in order: names, and `{ column, count }` for an image column's values. */
  features: readonly FeatureEntry[];
  output: OutputSpec;
  /** Bytes of the bundle's files. */
  bytes: number;
  /**
   * What happened to persistence for this load. A downloaded version is stored after `loadModel`
   * resolves: `pending` is set until the write settles, then this object is updated in place
   * (`memoryOnly` with `code` and `reason` when it failed; telemetry counts the failure by code).
   */
  cache: BundleCacheStatus;
  /**
   * Where load time went (ms): the bundle, then the runtime's parts, and the total; and when each
   * step of the bundle phase finished (`registryAt`, `manifestAt`, … in ms since `loadModel` was
   * called: the steps run side by side, see README "Load phases run side by side").
   */
  timings: Timings & { bundleMs: number; importMs: number; totalMs: number } & BundlePhases;
}

/** Counters since load. */
export interface ModelStats {
  /** Rows predicted (validation-failed rows excluded). */
  predictions: number;
  /** Batched tensor calls made. */
  batches: number;
  /** Rows rejected by validation. */
  invalid: number;
  /** Calls rejected with `ABORTED`. */
  aborted: number;
  /** Calls rejected with `TIMEOUT`. */
  timedOut: number;
  /** Calls rejected because inference failed. */
  failed: number;
}

/** A loaded model; `Input` is the row type (inferred from a `defineSchema` schema, or given). */
export interface Model<Input = Record<string, unknown>> {
  /** The current facts; a fresh object after the model moves to another backend. */
  readonly info: ModelInfo;
  /**
   * The bundle's `schema.json`, verified (sha256) and checked at load: columns with their types,
   * parse rules, categories and ranges, for building forms or `defineSchema`-free validation UIs.
   * A frozen copy: the model keeps predicting with its own.
   */
  readonly schema: Schema;
  /**
   * The bundle's verified `manifest.json`: `name`, `version`, `createdAt`, `output` (labels or
   * names), `training` (data, seed, metrics), `files`, `signature`. A frozen copy.
   */
  readonly manifest: Readonly<Manifest>;
  /**
   * Validates, transforms, runs and decodes one row. Concurrent calls share one batched tensor call.
   * Rejects with a `ValidationError` (this call only), `ABORTED`, `TIMEOUT`, `INFERENCE_FAILED` or `DISPOSED`.
   */
  predict(row: Input, options?: PredictOptions): Promise<Prediction>;
  /** Many rows at once; rows that fail validation come back as `null` with their issues, the rest still run. */
  predictBatch(rows: readonly Input[], options?: PredictOptions): Promise<BatchPredictions>;
  /**
   * Many rows as columns: `{ [column]: values }`, one array or typed array per schema column, all
   * the same length. The schema is applied exactly as for row objects (same validation, issues and
   * telemetry); the result is one typed array. For large batches: nothing is allocated per row.
   * Throws `INVALID_OPTIONS` when a column is missing, not an array, or of another length.
   */
  predictColumns(columns: Readonly<Record<string, ArrayLike<unknown>>>, options?: PredictOptions): Promise<ColumnPredictions>;
  /** Counters since load (a fresh object each call). */
  stats(): ModelStats;
  /**
   * tfjs's memory where the model runs (`tf.memory()` there: the page, or in worker mode the
   * model's worker), for leak checks: tensors, bytes, data buffers, GPU bytes. In worker mode
   * after `dispose()`, the worker's last reading, taken after it freed the model.
   */
  memory(): Promise<ModelMemory>;
  /** `flush()` and `stats()` of the telemetry client when `telemetry` options were given. */
  readonly telemetry: TelemetryHandle | undefined;
  /** Frees the model's tensors, the worker and telemetry; queued calls reject with `DISPOSED`. */
  dispose(): Promise<void>;
}
