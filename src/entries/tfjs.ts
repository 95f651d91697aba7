// `ferryml/tfjs`: the tfjs engine (WebGPU/WASM/CPU backends) as a module, for `useTfjs` of
// `ferryml/edge`. The root entry `ferryml` loads it by itself and needs no such call.
export { createEngine } from '../runtime/engine.js';
