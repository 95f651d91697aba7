/**
 * `loadModel` of the `ferryml` entry: plain-JS kernels first, tfjs (webgpu → wasm → cpu) when the
 * model needs it or the app asks for it, on the page or in a Web Worker. The work itself is in
 * ./load-model-core.ts, shared with `ferryml/lite` (./entries/lite.ts), which has no tfjs path.
 */
import { openCacheEarly } from './cache/early-read.js';
import { FerryError } from './errors.js';
import { IDB_CODE } from './cache/idb-loader.js';
import { offerIdb } from './cache/idb-slot.js';
import { sendAheadEarly } from './model/prefetch-files.js';
import { fetchRegistryEarly } from './model/early-fetch.js';
import { loadModelWith, type AppSchema, type LoadModelOptions, type RuntimeCode } from './load-model-core.js';
import type { Model } from './runtime/model-types.js';
import { TFJS, TREE_SIMD } from './runtime/import-engine.js';
import { offerLoneWalk, offerTreeSimd } from './runtime/trees/simd-slot.js';
import { offerNumberFastPath } from './schema/fast-path-slot.js';
import { defaultWasmPaths } from './runtime/wasm-files.js';
import type { InferInput } from './schema/define.js';

export type { AppSchema, LoadModelOptions } from './load-model-core.js';

/** The full runtime: tfjs (imported only for a model no plain-JS kernel runs), worker mode, telemetry. */
const FULL: RuntimeCode = {
  tfjs: {
    ...TFJS,
    // A chunk that does not load is the browser's bare `TypeError: Failed to fetch dynamically
    // imported module`: a page serving dist/ without chunks/, an import map resolving no
    // `@tensorflow/*` (README "Plain <script type=module>"), or offline before tfjs was first needed.
    engine: () =>
      TFJS.engine().catch((cause: unknown) => {
        throw new FerryError('NO_BACKEND', `tfjs engine did not load (${cause as Error}): serve dist/chunks/, bundle @tensorflow/*`, { cause });
      }),
  },
  worker: () => import('./runtime/worker-host.js'),
  telemetry: () => import('./telemetry/telemetry.js'),
  wasmPaths: defaultWasmPaths,
  cacheEarly: openCacheEarly,
  sendAhead: sendAheadEarly,
  fetchRegistryEarly,
};

/**
 * Loads a model bundle and brings it up on the best backend: resolves the version (registry) or
 * takes the bundle URL or files, verifies and caches it, compiles its schema, selects a backend
 * (WebGPU → WASM → CPU with reasons), warms up and runs the golden check.
 * @example
 * const model = await loadModel({ registry: '/models/index.json', name: 'penguins' });
 * const p = await model.predict({ Island: 'Dream', 'Beak Length (mm)': 39.1, 'Body Mass (g)': null });
 * if (p.kind === 'classification') console.log(p.label, p.probabilities);
 */
export async function loadModel<const S extends AppSchema>(options: LoadModelOptions & { schema: S }): Promise<Model<InferInput<S>>>;
export async function loadModel<Input = Record<string, unknown>>(options: LoadModelOptions): Promise<Model<Input>>;
export async function loadModel(options: LoadModelOptions): Promise<Model> {
  offerTreeSimd(TREE_SIMD);
  offerLoneWalk();
  offerNumberFastPath();
  offerIdb(IDB_CODE);
  return loadModelWith(options, FULL);
}
