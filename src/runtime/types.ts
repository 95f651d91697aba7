/**
 * Plain types shared by the page side and the tfjs side of the runtime (and sent between a page
 * and its worker): no tfjs values, so importing them costs the SDK core nothing.
 */
import type { io } from '@tensorflow/tfjs-core';
import type { InputTensor, OutputTensor } from '../model/manifest.js';
import type { Schema } from '../schema/types.js';
import type { detectionDecoder } from './detection-decoder.js';

/** A tfjs backend ferryml knows how to bring up. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

/** Every backend name, in the default order of preference. */
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

/** Why a backend was not chosen (or stopped being used). */
export type RejectionCode =
  /** `navigator.gpu` is absent (browser, flags, Node, or a worker without WebGPU). */
  | 'NO_WEBGPU'
  /** `navigator.gpu.requestAdapter()` returned null or threw. */
  | 'NO_ADAPTER'
  /** The adapter is a software rasterizer (`isFallbackAdapter`, e.g. SwiftShader): not a GPU. */
  | 'SOFTWARE_ADAPTER'
  /** The backend's package could not be imported or its initialisation failed. */
  | 'INIT_FAILED'
  /** The WebAssembly binary could not be fetched (wrong `wasmPaths`, 404, blocked). */
  | 'WASM_UNREACHABLE'
  /** The WebAssembly binary's URL answered something else (an HTML page: a server's fallback for a missing file). */
  | 'WASM_NOT_WASM'
  /** The model failed to load or to run its warm-up on this backend. */
  | 'MODEL_FAILED'
  /** The golden rows gave outputs outside the bundle's tolerance on this backend. */
  | 'GOLDEN_MISMATCH'
  /** Measured per-call latency was worse than the next backend's. */
  | 'SLOWER'
  /** An earlier measurement on this device (remembered per model version) chose another backend. */
  | 'REMEMBERED'
  /** The WebGPU device was lost while the model was running on it. */
  | 'DEVICE_LOST';

/** One backend that was tried and not used, and why. */
export interface Rejection {
  backend: BackendName;
  code: RejectionCode;
  reason: string;
}

/** Facts about the WebGPU adapter, when one was probed. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter (SwiftShader, WARP, llvmpipe): ferryml treats it as "not a GPU" unless forced. */
  isFallbackAdapter: boolean;
}

/** How the backend was chosen. */
export type Decision =
  /** The first backend in order that came up and passed the golden check. */
  | 'first'
  /** Every backend that came up was timed at batch 1 and batch 32 (`MEASURE_BATCH`); the lowest score (`measureScore` in measure.ts) won. */
  | 'measured'
  /** A measurement remembered for this device and model version picked it. */
  | 'remembered'
  /** The caller forced this backend (`backend` option). */
  | 'forced'
  /** A plain-JavaScript kernel took the model (no tfjs loaded); `engineReason` says which and why. */
  | 'kernel';

/** What runs the model: a plain-JavaScript kernel (no tfjs module loaded) or tfjs. */
export type EngineName = 'js' | 'tfjs';

/** A remembered measurement: which backend won on which device, and the per-call times. */
export interface RememberedChoice {
  /** Identifies the device (user agent, cores, GPU adapter); a different device re-measures. */
  device: string;
  backend: BackendName;
  /** Median milliseconds per batch-1 call, per measured backend. */
  measured: Partial<Record<BackendName, number>>;
  /** Median milliseconds per call at batch 32, per measured backend (absent in records from before it was measured). */
  measuredBatch?: Partial<Record<BackendName, number>>;
  /** ISO time of the measurement. */
  at: string;
}

/**
 * How a layers model runs: `"direct"`, the direct kernel (a small Dense chain as plain JavaScript,
 * cpu backend only); `"fused-ops"`, one fused tfjs matMul per Dense layer; `false`,
 * `LayersModel.predict` / `GraphModel.execute`.
 */
export type LeanMode = 'direct' | 'fused-ops' | false;

/** Where load time went, in milliseconds. */
export interface Timings {
  /** Bringing up backends (imports, WebGPU adapter, WASM compile), all tries together. */
  backendMs: number;
  /** Building the tfjs model from the bundle's artifacts, all tries together. */
  modelMs: number;
  /** Warm-up runs (shader compilation happens here, not in the first user call). */
  warmupMs: number;
  /** Golden checks. */
  goldenMs: number;
  /** Per-call measurements used to pick the faster backend (0 when nothing was measured). */
  measureMs: number;
  /** Waiting for the runtime's code (engine chunks, worker start) after the bundle was ready; 0 when it was already there. */
  importMs?: number;
}

/**
 * What the engine is and how it got there: the facts `model.info` shows as they are (ModelInfo
 * extends this) and the engine reports (EngineReport extends this). Declared once, so a fact
 * added here reaches `model.info` without being copied field by field.
 */
export interface EngineFacts {
  /**
   * What runs the model: `"js"`, a plain-JavaScript kernel (plain-kernels.ts; no tfjs module was
   * loaded), or `"tfjs"` on `backend`. See README "Engines".
   */
  engine: EngineName;
  /** Why that engine: the kernel that took the model, or why tfjs was needed (forced, no kernel fits, measured faster). */
  engineReason: string;
  /** The backend predictions run on now (`cpu` for the plain-JS engine). */
  backend: BackendName;
  /** How it was chosen: `kernel` (plain-JS engine), `first`, `measured`, `remembered` or `forced`. */
  decision: Decision;
  /** Every backend tried and not used (or abandoned later, e.g. `DEVICE_LOST`), in order, with its reason. */
  rejected: Rejection[];
  /** The WebGPU adapter, when one was found. */
  adapter?: AdapterInfo;
  /** Median ms per batch-1 call of each backend measured during load (or remembered from an earlier load); empty when nothing was measured. */
  measured: Partial<Record<BackendName, number>>;
  /** Median ms per 32-row call of each measured backend; the choice minimises `sqrt(measured × measuredBatch / 32)` (README "Backend policy"). */
  measuredBatch: Partial<Record<BackendName, number>>;
  /**
   * How the model runs on `backend`: `"direct"` (a small Dense chain as plain JavaScript, cpu
   * only), `"fused-ops"` (one fused tfjs matMul per Dense layer) or `false` (`LayersModel.predict`
   * / `GraphModel.execute`). See README "Backend policy".
   */
  lean: LeanMode;
  /** Why `lean` is what it is: the model's shape and cost, and why a leaner way was not taken. */
  leanReason: string;
  /** Largest relative error of the golden check on this backend; absent when the bundle has no golden rows or the check was off. */
  goldenError?: number;
  /**
   * A tree ensemble's calls of its large-batch size and up run on this tfjs backend, once a
   * measurement on this device chose it for them; smaller calls stay in the kernel, and `backend`
   * says `cpu`. Telemetry counts those batches under it. Absent otherwise.
   */
  largeBackend?: BackendName;
}

/** What the engine reports about itself; changes when the model moves to another backend. */
export interface EngineReport extends EngineFacts {
  /** Device fingerprint used to remember measurements (not shown in `model.info`). */
  device: string;
  /** Set when a measurement chose the backend: the page stores it for the next load. */
  remember?: RememberedChoice;
  /** Values per output row. */
  outputWidth: number;
  /**
   * Rows per call from which the engine may run a call another way (a tree kernel's tfjs tensor
   * strategy): `predictBatch`/`predictColumns` calls this large reach it in chunks of at least this
   * many rows, whatever `maxBatch` (not shown in `model.info`). Absent: chunks of `maxBatch`.
   */
  largeBatch?: number;
  timings: Timings;
}

/** Golden rows already transformed by the schema, and the outputs training stored for them. */
export interface GoldenInput {
  /** `rows × width` features. */
  input: Float32Array;
  rows: number;
  /** `rows × outputs` expected values. */
  expected: Float32Array;
  /** Relative tolerance: `|got − expected| ≤ tolerance × max(|expected|, 1)`. */
  tolerance: number;
}

/** Everything the engine needs to bring a model up; plain data, so it can cross into a worker. */
export interface EngineInit {
  /** The model's artifacts (model.json topology and weights), as the bundle's IOHandler returns them. */
  artifacts: io.ModelArtifacts;
  format: 'layers-model' | 'graph-model' | 'tree-ensemble';
  /** Features per transformed row (the schema's `width`). */
  width: number;
  /** The manifest's `model.inputs`: several inputs, integer or dynamic-shape ones. */
  inputs?: InputTensor[];
  /**
   * The manifest's `raw`/`detection` outputs (name, shape per row): their sizes are checked on every
   * run, and their names matched to the model's own output names where they are the model's.
   */
  outputs?: OutputTensor[];
  /** The schema's image columns and features: which model input each image column feeds, to check its layout. */
  schema?: Pick<Schema, 'columns' | 'features'>;
  /** Backends to try, in order. */
  backends: BackendName[];
  /**
   * `"auto"`: skip software GPUs, measure every backend that comes up and keep the fastest.
   * `"measure"`: measure a software GPU too. `"first"`: the first that works. `"forced"`: only `backends[0]`.
   */
  select: 'auto' | 'measure' | 'first' | 'forced';
  /** A remembered choice for this model version; used when its device matches. */
  remembered?: RememberedChoice;
  /** Directory URL (absolute) or file map of the tfjs WASM binaries; absent: tfjs's own default. */
  wasmPaths?: string | Record<string, string>;
  /** Allow tfjs's threaded WASM build (only used when cross-origin isolated). */
  wasmThreads: boolean;
  /** The tfjs WASM binary precompiled by the app (a Worker's `.wasm` import); `wasmPaths` is then not used. */
  wasmModule?: WebAssembly.Module;
  golden?: GoldenInput;
  /** Run dense chains the lean way: the direct kernel on cpu, else fused ops (checked against `LayersModel.predict` at load). */
  lean: boolean;
  /** `"auto"`: a plain-JS kernel when one takes the model (select `auto` only), else tfjs; `"tfjs"`: always tfjs. */
  engine: 'auto' | 'tfjs';
  /** Tries made before tfjs (a plain kernel that failed its golden check): listed first in `rejected`. */
  rejected?: Rejection[];
  /** Why tfjs runs the model (set by start-engine.ts; `model.info.engineReason`). */
  engineReason?: string;
}

/**
 * tfjs's memory where a model runs, as `model.memory()` reports it: `tf.memory()` of that realm
 * (the page's counts include every model on the page; a worker holds one model).
 */
export interface ModelMemory {
  /** `"page"`, or `"worker"` (worker mode: asked of the worker). */
  realm: 'page' | 'worker';
  /** Whether tfjs is loaded there; false for a plain-JS kernel (no tensors at all). */
  tfjs: boolean;
  /** `tf.memory().numTensors`. */
  tensors: number;
  /** `tf.memory().numBytes`. */
  bytes: number;
  /** `tf.memory().numDataBuffers`. */
  dataBuffers: number;
  /** Bytes in GPU buffers (webgpu's `numBytesInGPU`), 0 elsewhere. */
  gpuBytes: number;
  /**
   * Worker mode after `dispose()`: true, and the counts are the worker's last reading, taken after
   * it freed the model and just before it closed (the worker itself is gone).
   */
  disposed?: boolean;
}

/**
 * Hears of an engine's new report: the model moved to another engine or backend, or, `quiet`,
 * only its facts changed (a background decision to stay, a kernel's faster way now up) — not a
 * change of engine: no `onBackendChange`, no load record; a worker passes it on to the page's copy.
 */
export type ReportListener = (report: EngineReport, quiet?: boolean) => void;

/** A model running on one backend, in this realm or in a worker; the scheduler feeds it batches. */
export interface Engine {
  /** The current state; replaced (not mutated) when the model moves to another backend. */
  readonly report: EngineReport;
  /** Runs `rows` rows from the front of `input` (`rows × width`); resolves `rows × outputWidth` values. Never throws synchronously. */
  run(input: Float32Array, rows: number): Float32Array | Promise<Float32Array>;
  /** Frees the model's tensors (and the worker). Later runs reject with `DISPOSED`. */
  dispose(): Promise<void>;
  /** tfjs's memory where the engine runs (absent: no tfjs, nothing to count). */
  memory?(): ModelMemory | Promise<ModelMemory>;
  /**
   * For `schema`'s image columns: rows → the same rows with every ImageBitmap or VideoFrame
   * replaced by its pixels, read where the engine runs (a worker: transferred, drawn there, then
   * closed; ./transfer-images.ts), or undefined when a batch has none. Absent: image sources are
   * read on the page. Only the worker engine has it, so only worker mode's code carries it.
   */
  withPixels?(schema: Schema): ((rows: readonly unknown[]) => Promise<readonly unknown[]> | undefined) | undefined;
  /**
   * The decoder of a `detection` output (boxes, scores, non-max suppression). Only tfjs runs
   * detection models (several output tensors; a plain-JS kernel has one), so the engines that can
   * run one carry it (./engine.ts, and ./worker-host.ts for the page side of worker mode), and
   * `ferryml/lite` and `ferryml/edge` without `useTfjs` carry none of it.
   */
  detectionDecoder?: typeof detectionDecoder;
}
