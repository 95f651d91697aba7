// Shared by the Node and Chromium tree-edge tests: the committed edge-case models
// (python/tests/tree_edges.py) run through the tree kernel, compared with the training library.
import { readTreeEnsemble } from '../../src/runtime/trees/format.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';

/** edges.json: per model, float32 input bit patterns and the library's own outputs for them. */
export interface EdgeCase {
  name: string;
  inputBits: number[];
  input: string[];
  expected: number[];
  /** The kernel's float32 output bits, recorded once in Node (test/fixtures/trees/make-bits.ts): Chromium must give the same. */
  ferrymlBits?: number[];
}

/** Runs one committed edge model on its inputs; returns the float32 outputs. */
export function runEdgeCase(
  model: { modelTopology: unknown; weightsManifest: Array<{ weights: Array<{ name: string; shape: number[]; dtype: string }> }> },
  bin: ArrayBuffer,
  c: EdgeCase,
): Float32Array {
  const ensemble = readTreeEnsemble({ modelTopology: model.modelTopology, weightSpecs: model.weightsManifest[0]!.weights, weightData: bin });
  const input = new Float32Array(new Uint32Array(c.inputBits).buffer);
  return createTreeKernel(ensemble).run(input, input.length);
}

/** Mismatches against the library: exact (as float32) for scikit-learn's float64 sums, 1e-6 relative for XGBoost's float32 sums. */
export function edgeProblems(c: EdgeCase, got: Float32Array): string[] {
  const problems: string[] = [];
  c.expected.forEach((want, i) => {
    const ok = c.name === 'xgboost' ? Math.abs(got[i]! - want) <= 1e-6 * Math.max(1, Math.abs(want)) : got[i] === Math.fround(want);
    if (!ok) problems.push(`${c.name} x=${c.input[i]}: ferryml ${got[i]}, library ${want}`);
  });
  return problems;
}

/** The outputs' bit patterns (what Node and Chromium must agree on exactly). */
export const outputBits = (got: Float32Array): number[] => Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length));
