// `ferryml/tfjs`: the tfjs engine (WebGPU/WASM/CPU backends) as a module, for `useTfjs` of
// `ferryml/edge`. The root entry `ferryml` loads it by itself and needs no such call.
import type { TfjsEngineModule } from '../runtime/edge-slots.js';
import { createEngine as engine } from '../runtime/engine.js';

/** The tfjs engine factory, for `useTfjs` (the SDK calls it; its parameters are internal). */
export const createEngine: TfjsEngineModule['createEngine'] = engine;
