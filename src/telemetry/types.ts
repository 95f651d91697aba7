/**
 * The telemetry contract between the runtime and src/telemetry. The runtime loads
 * `createTelemetry` with a dynamic `import()` only when telemetry is on, so an app without
 * telemetry pays no bytes and nothing runs on its predict path.
 */
import type { IssueCode } from '../errors.js';
import type { OutputSpec } from '../model/manifest.js';
import type { OutputBaseline } from '../model/output-baseline.js';
import type { ValueObserver } from '../schema/capture.js';
import type { Schema } from '../schema/types.js';

/**
 * Where a model's files came from on load: downloaded, the verified cache, the cache because the
 * network failed, or files the app handed in (`files` option, `bundleFromFiles`, a Node directory).
 */
export type LoadSource = 'network' | 'cache' | 'offline' | 'local';

/** Facts about one successful model load, reported once per load. */
export interface ModelLoadedEvent {
  /** The version that was loaded (may differ from the requested one when offline). */
  version: string;
  source: LoadSource;
  /** Bytes of model files read (from the network or the cache). */
  bytes: number;
  /** Wall time from `load()` to ready, warm-up included. */
  ms: number;
  /** The backend the model runs on (`"webgpu"`, `"wasm"`, `"cpu"`). */
  backend: string;
  /** What runs it: `"js"` (a plain-JS kernel, no tfjs) or `"tfjs"`. */
  engine?: string;
  /** Where load time went, ms per phase (`model.info.timings`: bundleMs, importMs, backendMs, …). */
  timings?: Readonly<Record<string, number>>;
  /** Backends tried before it, in order, each with why it was rejected (the code travels; the text only with `rejectionText`). */
  rejected?: ReadonlyArray<{ backend: string; code?: string; reason: string }>;
  /** Why a cached version stands in (`source: "offline"`): a FerryError code, e.g. `NETWORK_ERROR`, `REGISTRY_ROLLBACK`. */
  fallbackCode?: string;
  /** GPU adapter facts when WebGPU was probed (vendor, architecture, isFallbackAdapter …); sent only with `deviceDetails`. */
  adapter?: Readonly<Record<string, string | number | boolean>>;
}

/** Why the SDK dropped a telemetry record; each is counted and reported, never silent. */
export type DropReason =
  /** The memory queue held `maxQueueRecords` already. */
  | 'queue_full'
  /** The IndexedDB queue was over its batch or byte bound; the oldest batch was evicted. */
  | 'offline_full'
  /** The collector answered 4xx (not 408/413/429) or reported the records in `partialSuccess`. */
  | 'rejected'
  /** A batch was still 413 after splitting once, or a single record exceeds `maxBatchBytes`. */
  | 'too_large'
  /** Retries were exhausted and there is no IndexedDB queue to hold the batch. */
  | 'undeliverable'
  /** IndexedDB failed (private mode, quota) while a batch had to be stored. */
  | 'storage_error'
  /** Records still queued when `dispose()` could not send them. */
  | 'disposed';

/**
 * The schema's transform hook (defined with the schema API): called per value, or, when it
 * carries a `capture`, fed through that batch buffer; telemetry's own hook does the latter.
 */
export type { ValueObserver } from '../schema/capture.js';

/** Drift of one feature in the most recent closed window that had enough rows. */
export interface FeatureDrift {
  /** Population stability index against the schema's baseline. */
  psi: number;
  /** Rows in the window (estimated when sampled, see `driftExactRows`). */
  rows: number;
  /** Values counted one by one (`rows` when nothing was sampled). */
  observed: number;
  /** `"ok"` below 0.1, `"warn"` from 0.1, `"alert"` from 0.25. */
  status: DriftStatus;
  /** Epoch ms when the window closed. */
  at: number;
}

/** PSI thresholds: warn 0.1, alert 0.25 (the usual credit-risk convention). */
export type DriftStatus = 'ok' | 'warn' | 'alert';

/** Counters a host page can read at any time (e.g. to show "telemetry healthy"). */
export interface TelemetryStats {
  /** Records waiting in memory (with `offline: false`, also those held for a collector's `Retry-After`). */
  queued: number;
  /** Batches waiting in the offline queue (as of the last queue operation). */
  offlineBatches: number;
  /**
   * Where the offline queue keeps undelivered batches: `indexeddb` (survives the page), `memory`
   * where there is no IndexedDB (Workers, Deno, Bun, Node: retried by the next `flush()`, counted
   * as dropped `disposed` if still held at `dispose()`), `off` with `offline: false`.
   */
  offlineStore: 'indexeddb' | 'memory' | 'off';
  /** Records the collector accepted. */
  sent: number;
  /** Records dropped, by reason. */
  dropped: Record<DropReason, number>;
  /** HTTP attempts that were retries (after 429/502/503/504/network errors). */
  retries: number;
  /** Latest scored drift window per feature (column name). */
  lastDrift: Record<string, FeatureDrift>;
  /**
   * Drift rows held back per feature: under `driftMinRows`, kept to merge into the next window
   * (k-anonymity), never sent alone; still held at `dispose()`, they are not sent at all.
   */
  driftHeld: Record<string, number>;
  /** Latest scored output window per watched output (`class`, `confidence`, or a regression output's name). */
  lastOutputDrift: Record<string, FeatureDrift>;
  /** Strange outputs counted since load, by code (`NON_FINITE`, `NOT_NORMALIZED`, `CONSTANT`, `EMPTY`). */
  strangeOutputs: Record<string, number>;
  /** The last delivery problem, in words (e.g. `"POST …/v1/logs: 400 bad payload; 12 records dropped"`). */
  lastError: string | undefined;
}

/**
 * What an app gets as `model.telemetry`: flush and read the counters, nothing else — the
 * recorder methods (`modelLoaded`, `finished`, …) stay with the runtime so an app cannot write
 * records that did not happen.
 */
export type TelemetryHandle = Pick<Telemetry, 'flush' | 'stats'>;

/** What the runtime reports into; every method is safe to call after `dispose()` (it does nothing). */
export interface Telemetry {
  /** A model finished loading. */
  modelLoaded(event: ModelLoadedEvent): void;
  /**
   * A batch starts (before its transform). Returns what to hand to `finished()`: the clock reading
   * when this batch's latency is to be timed (README "Latency sampling"), NaN when it is not, so
   * an untimed batch reads no clock at all. One batch at a time: the next `start()` follows
   * this batch's `finished()` (or its failure).
   */
  start(): number;
  /**
   * The batch `start()` returned `started` for finished: `count` rows on `backend`, counted
   * exactly, its latency timed if `started` is a clock reading. `output`, when given, is called
   * only if this batch is sampled (`sampleRate`) and `rawOutputs` is on.
   */
  finished(started: number, count: number, backend: string, output?: () => unknown): void;
  /**
   * A batch timed by the caller finished: `count` rows in `latencyMs` on `backend`, counted and
   * timed outside the sampling of `start()` (weight 1). `output` as for `finished()`.
   */
  predicted(count: number, latencyMs: number, backend: string, output?: () => unknown): void;
  /**
   * A batch's model output (`rows` × `width` values), right before `finished()`: output drift and
   * strange outputs. Sampled rows are copied; counting waits for a background task.
   */
  outputs(values: Float32Array, rows: number, width: number): void;
  /** A predict call failed with this FerryError code (e.g. `"INFERENCE_FAILED"`). */
  failed(code: string): void;
  /** Validation issues of one call (counted by column and code; values are never sent). */
  issues(issues: ReadonlyArray<{ column: string; code: IssueCode }>): void;
  /**
   * The transform hook for drift; `undefined` when drift is off or the schema has no baselines.
   * Pass it to `transformInto` as is: it carries a batch `capture`, so values are stored in one
   * pass and counted in a background task posted by the next `finished()` (or at the window's
   * close). Calling it per value also counts, at once and the same way.
   */
  readonly observe: ValueObserver | undefined;
  /** Closes the open windows and sends everything queued; resolves when done (never rejects). */
  flush(): Promise<void>;
  /** Counters; a fresh object each call. */
  stats(): TelemetryStats;
  /** Removes listeners and timers, tries a last keepalive flush; later calls do nothing. */
  dispose(): Promise<void>;
}

/** Options of {@link Telemetry}; only `endpoint` is required. */
export interface TelemetryOptions {
  /**
   * Collector base URL: records are POSTed to `${endpoint}/v1/logs` (OTLP/HTTP JSON), so any
   * OpenTelemetry Collector with an OTLP/HTTP receiver works unchanged. A URL that already ends in
   * `/v1/logs` (an OTEL_EXPORTER_OTLP_LOGS_ENDPOINT value) is used as it is.
   */
  endpoint: string;
  /** Extra request headers (e.g. a gateway's auth header). */
  headers?: Record<string, string>;
  /** Per-app ingest key, sent as `X-Ferryml-Ingest-Key` (the collector's `--ingest-key`). */
  ingestKey?: string;
  /** `service.name` resource attribute. @default "ferryml" */
  serviceName?: string;
  /** Send queued records at least this often. @default 5000 */
  flushIntervalMs?: number;
  /** Send when this many records are queued. @default 100 */
  maxBatchRecords?: number;
  /** Send when the queued records reach this many bytes of JSON. @default 49152 (48 KiB) */
  maxBatchBytes?: number;
  /**
   * Memory queue bound for event records (loads, sampled predictions); records past it are dropped
   * and counted (`queue_full`). Window records (summaries, drift) are a few per window and always kept.
   * @default 1000
   */
  maxQueueRecords?: number;
  /** Prediction summaries and drift windows close this often (and on flush / page hide). @default 60000 */
  windowMs?: number;
  /**
   * k-anonymity of drift: a feature's window is sent only once it holds at least this many rows
   * (a smaller one is held and merged into the next, never sent alone), and PSI is scored only
   * with at least this many values observed. @default 100
   */
  driftMinRows?: number;
  /**
   * Rows per window whose values drift counts one by one. Past them, each row is counted with
   * probability 1/`driftSampleEvery` and weighs `driftSampleEvery`, so counts stay unbiased
   * estimates (records say `rows_observed` and `sample_weight`). `Infinity`: never sample.
   * @default 10000
   */
  driftExactRows?: number;
  /** See `driftExactRows`: the inverse sampling rate past them (an integer ≥ 1; 1: never sample). @default 64 */
  driftSampleEvery?: number;
  /**
   * Count input values against the schema's baselines, and outputs against the bundle's output
   * baseline (with strange-output counts). @default true
   */
  drift?: boolean;
  /**
   * Share of predict calls that also send a prediction-level record (count, latency, backend,
   * and opted-in raw values). @default 0
   */
  sampleRate?: number;
  /** Columns whose raw values sampled records may carry. Nothing else is ever sent. @default [] */
  rawValues?: readonly string[];
  /** Sampled records also carry the model output. @default false */
  rawOutputs?: boolean;
  /**
   * Load records carry the GPU adapter's description (vendor, architecture, device): a
   * fingerprinting surface, so off unless the app opts in. @default false
   */
  deviceDetails?: boolean;
  /**
   * Load records carry each backend rejection's free text next to its code (text can hold
   * device-specific detail). @default false
   */
  rejectionText?: boolean;
  /** In-flight bytes of `keepalive` requests stay at or under this (the browser's cap is 64 KiB). @default 61440 */
  keepaliveBytes?: number;
  /** HTTP tries per batch (the first one included). @default 5 */
  maxAttempts?: number;
  /** First retry delay when there is no Retry-After; doubles per try, full jitter. @default 1000 */
  retryBaseMs?: number;
  /** Cap of one retry delay (also of a Retry-After). @default 30000 */
  retryMaxMs?: number;
  /**
   * A POST with no full answer in this time is aborted and retried like a network error (a
   * stalled connection must not hold the queue's drain and `flush()` forever). @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * The IndexedDB queue for batches that could not be sent; `false` keeps nothing across failures
   * (drops are counted as `undeliverable`).
   * @default { maxBatches: 30, maxBytes: 1048576, minDelayMs: 5000, maxDelayMs: 3600000, dbName: "ferryml-telemetry" }
   */
  offline?: boolean | OfflineOptions;
}

/** Bounds and timing of the IndexedDB queue. */
export interface OfflineOptions {
  /** @default 30 */
  maxBatches?: number;
  /** @default 1048576 (1 MiB) */
  maxBytes?: number;
  /** First drain retry delay; doubles on failure. @default 5000 */
  minDelayMs?: number;
  /** @default 3600000 (1 h) */
  maxDelayMs?: number;
  /** IndexedDB database name (object store `batches`). @default "ferryml-telemetry" */
  dbName?: string;
}

/** What `createTelemetry` needs to know about the model it reports on. */
export interface TelemetryContext {
  model: string;
  version: string;
  /** Hash of the schema.json the model was trained with (`ml.schema.hash`). */
  schemaHash: string;
  schema: Schema;
  /** The manifest's output spec: with it, outputs are watched (strange outputs; drift with a baseline). */
  output?: OutputSpec;
  /** The bundle's output baseline (`manifest.outputBaseline`). */
  outputBaseline?: OutputBaseline | undefined;
}
