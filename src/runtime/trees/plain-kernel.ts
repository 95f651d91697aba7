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
    // The policy, on model.info: ferryml has no tfjs tensor strategy for trees, so no backend is measured against the kernel.
    description: `a ${ensemble.library} tree ensemble (${ensemble.trees} trees, ${kernel.perfectTrees} in the perfect-tree walk) runs in the plain-TypeScript tree kernel; no tfjs (ferryml has no tfjs strategy for trees)`,
    outputWidth: kernel.outputWidth,
    // tfjs has no tree ops: never measured against it in the background.
    cost: 0,
    run: (input, rows) => kernel.run(input, rows),
  };
};
