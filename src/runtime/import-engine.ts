/**
 * Where the tfjs engine comes from in `ferryml` and its worker: dynamic `import()`s, fetched only
 * when taken (a model no plain-JS kernel runs, a forced tfjs backend, or the background
 * measurement of a plain-JS engine). `ferryml/lite` has none; `ferryml/edge` passes its own,
 * backed by `useTfjs`. See ./choose-engine.ts.
 */
import type { TfjsCode } from './choose-engine.js';

export const TFJS: TfjsCode = {
  engine: () => import('./engine.js'),
  measure: () => import('./plain-measure.js'),
};

/** The WebAssembly SIMD tree kernel (trees/simd-slot.ts), offered by `loadModel` of `ferryml` and by its worker. */
export const TREE_SIMD = () => import('./trees/simd.js');
