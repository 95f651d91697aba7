/**
 * Runtime options of `loadModel`: one type with `@default`s, one defaults object, one
 * `normalizeRuntimeOptions()` that accepts the shorthands and throws on caller mistakes.
 */
import { checkChoice, checkNumber, optionError, pageBase } from '../check-options.js';
import type { ModelInfo } from './model-types.js';
import { BACKEND_NAMES } from './types.js';
import type { BackendName } from './types.js';

/** How the model runs: backends, WASM files, worker, batching. */
export interface RuntimeOptions {
  /** Backends to try, in order; each failure is recorded on `model.info.rejected`. @default ["webgpu", "wasm", "cpu"] */
  backends?: readonly BackendName[];
  /** Use exactly this backend: no measuring, a software GPU is accepted, failing it fails the load. */
  backend?: BackendName;
  /**
   * `"auto"`: a software WebGPU adapter is not a GPU; every other backend that comes up is timed
   * at batch 1 and batch 32 and the fastest kept (remembered per device and model version).
   * `"first"`: the first backend that comes up and passes the golden check. `"measure"`: like
   * `"auto"`, but a software GPU is measured too instead of skipped. @default "auto"
   */
  select?: 'auto' | 'measure' | 'first';
  /** Remember the measured choice in localStorage (key `ferryml.backend:<name>@<version>`). @default true */
  remember?: boolean;
  /**
   * Where tfjs-backend-wasm's `.wasm` files are: a directory URL ending in `/`, or a map from file
   * name (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`,
   * `tfjs-backend-wasm-threaded-simd.wasm`) to URL. @default in browsers, the binaries next to the
   * SDK's own code (`new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url)`, which bundlers
   * emit); in Node, the package's own directory
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * Allow tfjs's threaded WASM build when the page is cross-origin isolated. `"auto"`: only with
   * at least 8 logical cores (tfjs uses half of them; on fewer it starts workers for no gain).
   * @default "auto"
   */
  wasmThreads?: boolean | 'auto';
  /**
   * tfjs-backend-wasm's binary already compiled, for runtimes that do not compile WebAssembly
   * from bytes: in a Cloudflare Worker, `import wasmModule from
   * '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'` (SIMD or not, never the
   * threaded one). Replaces `wasmPaths`. @default undefined
   */
  wasmModule?: WebAssembly.Module;
  /**
   * Run tfjs in a dedicated Web Worker (the page only validates and transforms). `true`: the SDK's
   * own `ferryml-worker.js`, found the way bundlers understand (`new Worker(new URL(…,
   * import.meta.url))`); `{ url }` points at another copy. @default false
   */
  worker?: boolean | { url: string | URL };
  /** Rows in one batched tensor call at most (a tree model's `predictBatch`/`predictColumns` calls of 4,096+ rows go in larger chunks: README "Tree ensembles"). @default 256 */
  maxBatch?: number;
  /** How long a first `predict()` waits for others to join its batch; 0 = until the current task ends. @default 0 */
  maxDelayMs?: number;
  /** Default timeout of one `predict()` call in ms (a call's own `timeoutMs` wins); 0 = none. Downloads have `downloadTimeoutMs`. @default 0 */
  predictTimeoutMs?: number;
  /** Labels in a classification's `top`. @default 3 */
  topK?: number;
  /** Run the bundle's golden rows on the chosen backend before using it. @default true */
  golden?: boolean;
  /** Run small dense models the lean way — the direct kernel on cpu, fused ops elsewhere — instead of `LayersModel.predict` (checked against it at load). @default true */
  lean?: boolean;
  /** Called when `model.info` changes after load: the model moved to another backend (the WebGPU device was lost, a background measurement found tfjs faster) or a background measurement finished. */
  onBackendChange?: (info: ModelInfo) => void;
  /**
   * `"auto"`: with `select: "auto"`, a model a plain-JS kernel can run (a small dense chain) runs
   * there after its golden rows pass, and no tfjs module is downloaded; tfjs otherwise.
   * `"tfjs"`: always tfjs (its backends measured as `select` says). @default "auto"
   */
  engine?: 'auto' | 'tfjs';
}

/** Defaults of {@link RuntimeOptions}. */
export const RUNTIME_DEFAULTS = {
  backends: BACKEND_NAMES,
  select: 'auto',
  remember: true,
  wasmThreads: 'auto',
  maxBatch: 256,
  maxDelayMs: 0,
  predictTimeoutMs: 0,
  topK: 3,
  golden: true,
  lean: true,
  engine: 'auto',
} as const;

/** {@link RuntimeOptions} resolved. */
export interface NormalizedRuntimeOptions {
  backends: BackendName[];
  select: 'auto' | 'measure' | 'first' | 'forced';
  remember: boolean;
  /** Absolute URL(s), or undefined to let tfjs find the files (Node). */
  wasmPaths: string | Record<string, string> | undefined;
  wasmThreads: boolean;
  wasmModule: WebAssembly.Module | undefined;
  /** The worker script URL, `true` for the SDK's own, or undefined for in-page. */
  worker: URL | true | undefined;
  maxBatch: number;
  maxDelayMs: number;
  predictTimeoutMs: number;
  topK: number;
  golden: boolean;
  lean: boolean;
  engine: 'auto' | 'tfjs';
  onBackendChange: ((info: ModelInfo) => void) | undefined;
}

const SCOPE = 'loadModel';

function checkWasmModule(module: unknown): WebAssembly.Module | undefined {
  if (module === undefined) return undefined;
  if (typeof WebAssembly === 'undefined' || !(module instanceof WebAssembly.Module))
    throw optionError(SCOPE, 'wasmModule', "a WebAssembly.Module (in a Worker, what importing tfjs-backend-wasm's SIMD binary gives)", module);
  return module;
}

/**
 * Applies defaults and checks. Throws `INVALID_OPTIONS`. `defaultWasmPaths` (./wasm-files.ts) is
 * the entry's: `ferryml` passes it, `ferryml/lite` (no tfjs, so no .wasm to find) does not.
 */
export function normalizeRuntimeOptions(options: RuntimeOptions, defaultWasmPaths?: () => Record<string, string>): NormalizedRuntimeOptions {
  const base = pageBase();
  const known = (b: unknown): b is BackendName => BACKEND_NAMES.includes(b as BackendName);
  const backend = options.backend === undefined ? undefined : checkChoice(SCOPE, 'backend', options.backend, 'cpu', BACKEND_NAMES);
  const list = backend ? [backend] : [...new Set(options.backends ?? RUNTIME_DEFAULTS.backends)];
  if (list.length === 0 || !list.every(known)) throw optionError(SCOPE, 'backends', `a non-empty list of ${BACKEND_NAMES.join(', ')}`, options.backends);
  const select = checkChoice(SCOPE, 'select', options.select, RUNTIME_DEFAULTS.select, ['auto', 'measure', 'first'] as const);

  // Browsers resolve the WASM directory against the page (workers get absolute URLs); Node uses the package's files.
  let wasmPaths: string | Record<string, string> | undefined = options.wasmPaths ?? (base && defaultWasmPaths ? defaultWasmPaths() : undefined);
  if (typeof wasmPaths === 'string') {
    if (!wasmPaths.endsWith('/')) throw optionError(SCOPE, 'wasmPaths', 'a directory URL ending in "/" (or a map of file name → URL)', wasmPaths);
    if (base) wasmPaths = new URL(wasmPaths, base).href;
  } else if (wasmPaths && base) {
    wasmPaths = Object.fromEntries(Object.entries(wasmPaths).map(([file, url]) => [file, new URL(url, base).href]));
  }
  const engine = checkChoice(SCOPE, 'engine', options.engine, RUNTIME_DEFAULTS.engine, ['auto', 'tfjs'] as const);
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
  const threads = checkChoice<boolean | 'auto'>(SCOPE, 'wasmThreads', options.wasmThreads, RUNTIME_DEFAULTS.wasmThreads, [true, false, 'auto']);

  let worker: URL | true | undefined;
  if (options.worker) {
    if (typeof Worker === 'undefined') throw optionError(SCOPE, 'worker', 'false in a runtime without Web Workers (Node: leave it off)', true);
    worker = options.worker === true ? true : new URL(options.worker.url, base);
  }

  return {
    backends: list,
    select: backend ? 'forced' : select,
    remember: options.remember ?? RUNTIME_DEFAULTS.remember,
    wasmPaths,
    wasmThreads: threads === 'auto' ? cores >= 8 : threads,
    wasmModule: checkWasmModule(options.wasmModule),
    worker,
    maxBatch: checkNumber(SCOPE, 'maxBatch', options.maxBatch, RUNTIME_DEFAULTS.maxBatch, { integer: true, min: 1 }),
    maxDelayMs: checkNumber(SCOPE, 'maxDelayMs', options.maxDelayMs, RUNTIME_DEFAULTS.maxDelayMs, { min: 0 }),
    predictTimeoutMs: checkNumber(SCOPE, 'predictTimeoutMs', options.predictTimeoutMs, RUNTIME_DEFAULTS.predictTimeoutMs, { min: 0 }),
    topK: checkNumber(SCOPE, 'topK', options.topK, RUNTIME_DEFAULTS.topK, { integer: true, min: 1 }),
    golden: options.golden ?? RUNTIME_DEFAULTS.golden,
    lean: options.lean ?? RUNTIME_DEFAULTS.lean,
    engine,
    onBackendChange: options.onBackendChange,
  };
}
