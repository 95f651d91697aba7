// `ferryml/lite`: loadModel for models a plain-JS kernel runs (small dense chains, tree
// ensembles), with no path to tfjs — not even a dynamic import(), so an app's bundler never
// includes it. A model (or an option) that needs tfjs is refused with `NEEDS_TFJS`: load it with
// `ferryml`. No worker mode (the worker script bundles tfjs). Named exports only, no logic beyond
// choosing the engine code.
import { openCacheEarly } from '../cache/early-read.js';
import { IDB_CODE } from '../cache/idb-loader.js';
import { offerIdb } from '../cache/idb-slot.js';
import { offerLoneWalk } from '../runtime/trees/simd-slot.js';
import { offerNumberFastPath } from '../schema/fast-path-slot.js';
import { sendAheadEarly } from '../model/prefetch-files.js';
import { fetchRegistryEarly } from '../model/early-fetch.js';
import { FerryError } from '../errors.js';
import { loadModelWith, type AppSchema, type LoadModelOptions, type RuntimeCode } from '../load-model-core.js';
import type { Model } from '../runtime/model-types.js';
import type { InferInput } from '../schema/define.js';

export { FerryError, ValidationError, isFerryError, isValidationError } from '../errors.js';
export type { FerryErrorCode, Issue, IssueCode } from '../errors.js';
export type { AppSchema, LoadModelOptions } from '../load-model-core.js';
export type { Model, ModelInfo, ModelStats, PredictOptions, BatchPredictions } from '../runtime/model-types.js';
export type { Prediction, ClassificationPrediction, RegressionPrediction, LabelProbability } from '../runtime/decode.js';
export type { BundleSource, ResolvedBy } from '../model/bundle-source.js';
export type { Manifest, OutputSpec } from '../model/manifest.js';
export { defineSchema } from '../schema/define.js';
export type { InferInput, ColumnInput, SchemaDefinition, DefinedSchema } from '../schema/define.js';
export type { TelemetryOptions } from '../telemetry/types.js';

/** No tfjs (a model that needs it is `NEEDS_TFJS`, see ../runtime/choose-engine.ts), no worker; telemetry when asked for. */
const LITE: RuntimeCode = {
  worker: () =>
    Promise.reject(
      new FerryError(
        'NEEDS_TFJS',
        "ferryml/lite runs models on the page only (its worker script bundles tfjs): leave `worker` off, or import loadModel from 'ferryml'",
        {
          details: { option: 'worker' },
        },
      ),
    ),
  telemetry: () => import('../telemetry/telemetry.js'),
  cacheEarly: openCacheEarly,
  sendAhead: sendAheadEarly,
  fetchRegistryEarly,
};

/**
 * Loads a model bundle and runs it in a plain-JS kernel (golden rows checked), like `loadModel`
 * from `ferryml` without tfjs: `NEEDS_TFJS` when the model needs tfjs (no kernel runs it) or an
 * option asks for it (`backend`, `engine: 'tfjs'`, `select`, `worker`).
 * @example
 * import { loadModel } from 'ferryml/lite';
 * const model = await loadModel({ registry: '/models/index.json', name: 'penguins' });
 */
export async function loadModel<const S extends AppSchema>(options: LoadModelOptions & { schema: S }): Promise<Model<InferInput<S>>>;
export async function loadModel<Input = Record<string, unknown>>(options: LoadModelOptions): Promise<Model<Input>>;
export async function loadModel(options: LoadModelOptions): Promise<Model> {
  offerIdb(IDB_CODE);
  offerLoneWalk();
  offerNumberFastPath();
  return loadModelWith(options, LITE);
}
