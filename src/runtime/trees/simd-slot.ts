/**
 * Where the WebAssembly SIMD tree kernel (./simd.ts) comes from: a dynamic `import()` that the
 * `ferryml` entry and its worker offer (runtime/import-engine.ts `TREE_SIMD`), fetched on a tree
 * model's first large batch. `ferryml/lite` and `ferryml/edge` never offer it, so neither their
 * bundles nor their budgets hold it, and their tree models run the JavaScript kernel alone.
 * Also where the lone-row walk (./lone.ts) comes from: `ferryml`, its worker and `ferryml/lite`
 * offer it; `ferryml/edge` does not, so its Worker stays within its 50 KB budget and its tree
 * models' lone rows take the general walk (README "Tree ensembles").
 */
import type { compileSimdTrees } from './simd.js';

/** What ./simd.ts gives the tree kernel. */
export interface SimdCode {
  compileSimdTrees: typeof compileSimdTrees;
}

let offered: (() => Promise<SimdCode>) | undefined;

/** Makes the SIMD kernel available to tree models loaded from now on (the `ferryml` entry calls it in `loadModel`). */
export function offerTreeSimd(load: () => Promise<SimdCode>): void {
  offered = load;
}

/** The SIMD kernel's loader, when this entry offers it. */
export function treeSimdCode(): (() => Promise<SimdCode>) | undefined {
  return offered;
}

let lone = false;

/** Lets tree models loaded from now on walk their lone rows in the lone-row walk. */
export function offerLoneWalk(): void {
  lone = true;
}

/** Whether this entry offers the lone-row walk. */
export function loneWalkOffered(): boolean {
  return lone;
}
