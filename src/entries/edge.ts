// `ferryml/edge`: the app API of the root entry for Cloudflare Workers, Deno, Bun and other
// runtimes where the bundle size is the budget. Its `loadModel` runs on the same seam as the root's
// and ferryml/lite's (`RuntimeCode`, ../runtime/edge-code.ts) with no import of tfjs or of the
// telemetry runtime anywhere, not even a lazy one a bundler would follow: models a plain-JS
// kernel runs (dense chains, tree ensembles) need nothing else; for the others call
// `useTfjs(() => import('ferryml/tfjs'))`, for telemetry `useTelemetry({ createTelemetry })`
// (from 'ferryml/telemetry') once. Workers in the page (`worker: true`) are not offered.
import { loadModelWith, type AppSchema, type LoadModelOptions } from '../load-model-core.js';
import { EDGE } from '../runtime/edge-code.js';
import type { Model } from '../runtime/model-types.js';
import type { InferInput } from '../schema/define.js';

// Everything of the root entry; its `loadModel` is shadowed by the one below (a local export wins over `export *`).
export * from '../index.js';
export { useTfjs, useTelemetry } from '../runtime/edge-slots.js';
// Shadows the root's: the Cache API store, no IndexedDB code.
export { modelCache } from '../cache/manage-edge.js';
export type { TfjsEngineModule, TelemetryModule } from '../runtime/edge-slots.js';

/**
 * Loads a model bundle like `loadModel` from `ferryml`, with tfjs and telemetry only as handed in
 * (`useTfjs`, `useTelemetry`); `NO_BACKEND` naming `useTfjs` for a model no plain-JS kernel runs.
 * @example
 * import { loadModel } from 'ferryml/edge';
 * const model = await loadModel({ bundle: 'https://models.example.com/penguins/1.0.0/', cache: false });
 */
export async function loadModel<const S extends AppSchema>(options: LoadModelOptions & { schema: S }): Promise<Model<InferInput<S>>>;
export async function loadModel<Input = Record<string, unknown>>(options: LoadModelOptions): Promise<Model<Input>>;
export async function loadModel(options: LoadModelOptions): Promise<Model> {
  return loadModelWith(options, EDGE);
}
