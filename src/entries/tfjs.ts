// `ferryml/tfjs`: the tfjs engine (WebGPU/WASM/CPU backends) as a module, for `useTfjs` of
// `ferryml/edge`. The root entry `ferryml` loads it by itself and needs no such call.
import type { TfjsEngineModule } from '../runtime/edge-slots.js';
import { createEngine as engine } from '../runtime/engine.js';
import { measureInBackground as measure } from '../runtime/plain-measure.js';

/** The tfjs engine factory, for `useTfjs` (the SDK calls it; its parameters are internal). */
export const createEngine: TfjsEngineModule['createEngine'] = engine;

/** The background measurement of a plain-JS kernel against tfjs, which `ferryml/edge` runs when this module is handed in. */
export const measureInBackground: NonNullable<TfjsEngineModule['measureInBackground']> = measure;
