/**
 * The tree-ensemble entry of the plain-JS kernel seam (plain-kernels.ts): a `tree-ensemble` bundle
 * runs in the plain-TypeScript tree kernel, checked against the bundle's golden rows like any
 * plain kernel, with no tfjs module imported — a page that loads only tree models never downloads it.
 */
import { FerryError } from '../../errors.js';
import type { PlainKernelFactory } from '../plain-kernels.js';
import { readTreeEnsemble } from './format.js';
import { createTreeKernel } from './kernel.js';

/**
 * Rows per call from which the tfjs tensor strategy (trees/tensor.ts) may beat the kernel: below
 * it, tfjs's per-call cost alone exceeds the kernel's time (BENCHMARKS.md "Tree ensembles").
 */
export const LARGE_BATCH = 4096;

/**
 * Takes every `tree-ensemble` model. A bundle whose arrays are malformed, or whose feature count
 * differs from the schema's width, is broken rather than unsuited, so it throws `MANIFEST_INVALID`.
 */
export const treeKernel: PlainKernelFactory = ({ artifacts, format, width }) => {
  if (format !== 'tree-ensemble') return undefined;
  const ensemble = readTreeEnsemble(artifacts);
  if (ensemble.features !== width) {
    throw new FerryError(
      'MANIFEST_INVALID',
      `tree-ensemble model takes ${ensemble.features} features per row but the schema emits ${width}; re-export the bundle`,
      {
        details: { expected: width, got: ensemble.features },
      },
    );
  }
  const kernel = createTreeKernel(ensemble);
  return {
    name: 'tree kernel',
    lean: 'direct',
    description: `a ${ensemble.library} tree ensemble (${ensemble.trees} trees, ${kernel.perfectTrees} in the perfect-tree walk) runs in the plain-TypeScript tree kernel; a call of ${LARGE_BATCH}+ rows has it measured against tfjs's tensor strategy (ferryml/lite: never)`,
    outputWidth: kernel.outputWidth,
    cost: 0,
    largeBatch: LARGE_BATCH,
    run: (input, rows) => kernel.run(input, rows),
  };
};
